"""Keys say maintenance, words say gas leak: the call takes the emergency path (issue 13
acceptance 4). In one real call: the caller hears the gas safety advice before the goodbye
(G 3.1.4.4), the order becomes an emergency and the gas unit has it at once, dispatched by
the system under the emergency rule (L 3.2.4(2)). Real sandbox, serve and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.conftest import HotlineProcess, call_and_fetch, full_prompts_hotline
from tools.callersim import Answerer, CallerSim, Scenario

pytestmark = pytest.mark.integration

# The words are recognised while the caller hears the order number read back: the real
# prompts give the call the time it has in life (quick ones end it before the raise).
hotline = full_prompts_hotline()

SPEECH = Path(__file__).resolve().parents[1] / "fixtures" / "speech"


async def _until(api_url: str, number: str, done: Any, seconds: float) -> dict[str, Any]:
    order: dict[str, Any] = {}
    async with aiohttp.ClientSession(base_url=api_url) as http:
        for _ in range(int(seconds * 2)):
            async with http.get(f"/api/orders/{number}") as response:
                assert response.status == 200, await response.text()
                order = dict(await response.json())
            if done(order):
                return order
            await asyncio.sleep(0.5)
    raise AssertionError(f"order {number} never got there: {order}")


async def test_given_maintenance_keys_and_a_spoken_gas_leak_then_advice_emergency_and_dispatch(
    hotline: HotlineProcess, caller: CallerSim
) -> None:
    caller.answerers["duty-industry-gas"] = Answerer(voice=None, press="1", press_after=3.0)
    result = await call_and_fetch(
        caller, hotline, Scenario(keys=["3", "2"], say=SPEECH / "gas_smell_02.wav", timeout=150)
    )
    number = result["order_number"]
    assert number and result["order"]["order_type"] == "maintenance", result
    path = result["path"] or []
    assert path[-2:] == ["gas_safety_heard", "goodbye"], path  # advice heard in the call
    ended = datetime.fromisoformat(result["hotline"]["ended_at"])
    order = await _until(hotline.api_url, number, lambda o: o["dispatched_at"], 90)
    assert order["emergency"] is True and order["keys_words_disagree"] is True
    assert order["speech"]["suggested_order_type"] == "emergency_repair"
    assert order["agency_id"] == "industry-gas"
    assert order["auto_dispatch_rule"] == "emergency-at-once"
    assert (datetime.fromisoformat(order["dispatched_at"]) - ended).total_seconds() <= 60
