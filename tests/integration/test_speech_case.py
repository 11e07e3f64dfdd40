"""The caller's words give the order its case (issue 16, acceptance 2): a real call, keys 1
(water) and 1 (emergency), and a description of a burst main; the order gets `case: burst`
and the burst's limits (W 5.2.3: stopped within 4 h) once the words are understood."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.conftest import HotlineProcess, call_and_fetch
from tools.callersim import CallerSim, Scenario

pytestmark = pytest.mark.integration

SPEECH = Path(__file__).resolve().parents[1] / "fixtures" / "speech"



async def test_given_keys_1_1_and_words_of_a_burst_main_then_the_order_has_case_burst_and_its_limits(  # noqa: E501
    hotline: HotlineProcess, caller: CallerSim
) -> None:
    result = await call_and_fetch(
        caller, hotline, Scenario(keys=["1", "1"], say=SPEECH / "water_main_burst_01.wav")
    )
    number = result["order_number"]
    assert number and result["order"]["order_type"] == "emergency_repair"
    order: dict[str, Any] = {}
    async with aiohttp.ClientSession(base_url=hotline.api_url) as http:
        for _ in range(120):  # the transcript arrives after the call, from the worker pool
            async with http.get(f"/api/orders/{number}") as r:
                order = await r.json()
            if order.get("transcript"):
                break
            await asyncio.sleep(0.5)
    assert order.get("transcript"), order
    assert order["speech"]["suggested_case"] == "burst"
    assert "burst" in order["speech"]["understood"]["cases"]
    assert order["case"] == "burst"
    created = datetime.fromisoformat(order["created_at"])
    deadlines = order["deadlines"]
    assert datetime.fromisoformat(deadlines["resolve_due"]) - created == timedelta(hours=4)
    assert datetime.fromisoformat(deadlines["onsite_due"]) - created == timedelta(minutes=30)
    assert deadlines["clauses"] == ["L 3.2.4(2)", "W 5.2.2", "W 5.2.3"]
