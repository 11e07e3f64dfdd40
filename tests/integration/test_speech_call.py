"""Words beat keys for danger: a gas-leak description after the maintenance keys flags the
order as an emergency, with the transcript attached (issue 4, acceptance 2)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.conftest import HotlineProcess, call_and_fetch
from tools.callersim import CallerSim, Scenario

pytestmark = pytest.mark.integration

SPEECH = Path(__file__).resolve().parents[1] / "fixtures" / "speech"



async def test_gas_leak_words_after_maintenance_keys_flag_an_emergency(
    hotline: HotlineProcess, caller: CallerSim
) -> None:
    result = await call_and_fetch(
        caller, hotline, Scenario(keys=["3", "2"], say=SPEECH / "gas_smell_02.wav")
    )
    number = result["order_number"]
    assert number and result["order"]["order_type"] == "maintenance"
    order: dict[str, Any] = {}
    async with aiohttp.ClientSession(base_url=hotline.api_url) as http:
        for _ in range(120):  # the transcript arrives after the call, from the worker pool
            async with http.get(f"/api/orders/{number}") as r:
                order = await r.json()
            if order.get("transcript"):
                break
            await asyncio.sleep(0.5)
    assert order.get("transcript"), order
    assert "气" in order["transcript"]
    assert order["emergency"] is True
    assert order["keys_words_disagree"] is True
    assert order["speech"]["suggested_order_type"] == "emergency_repair"
    assert order["order_type"] == "maintenance"  # the keys' choice stays; an agent decides
