"""Calls survive our process dying: taken back on restart, or caught by the fallback."""

from __future__ import annotations

import asyncio
import random
import signal
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from ari_app.client import AriClient
from ari_app.settings import Settings
from tests.conftest import HotlineProcess, call_and_fetch
from tools.callersim import CallerSim, Scenario

pytestmark = pytest.mark.integration

SPEECH = Path(__file__).resolve().parents[1] / "fixtures" / "speech"


async def test_given_serve_killed_mid_menu_when_restarted_then_call_taken_back_and_completed(
    hotline: HotlineProcess, caller: CallerSim
) -> None:
    async def kill_and_restart(index: int) -> None:
        if index == 0:  # the caller is in the type menu now
            await asyncio.sleep(1.0)
            hotline.kill(signal.SIGKILL)
            await asyncio.sleep(2.0)  # the caller waits in silence; Asterisk keeps the call
            await asyncio.to_thread(hotline.start)
            await asyncio.sleep(1.5)  # the menu is read again

    scenario = Scenario(keys=["5", "3"], after_key=kill_and_restart, timeout=150)
    result = await call_and_fetch(caller, hotline, scenario)
    assert result["outcome"] == "completed", result
    order = result["order"]
    assert (order["utility"], order["order_type"]) == ("river", "complaint")
    assert result["path"][:2] == ["main_menu:5", "type_menu:3"]
    assert order["recording"]["stored"]


async def test_given_caller_left_while_serve_down_then_restart_closes_the_call_as_abandoned(
    hotline: HotlineProcess, caller: CallerSim
) -> None:
    async def kill(index: int) -> None:
        hotline.kill(signal.SIGKILL)

    try:
        trace = await caller.place(Scenario(keys=["2"], hang_up_after_keys=True, after_key=kill))
    finally:
        await asyncio.to_thread(hotline.start)
    result = await call_and_fetch_existing(hotline, trace.token)
    assert result["outcome"] == "abandoned"
    assert result["order"] is None
    assert result["path"][-1] == "hangup"


async def call_and_fetch_existing(hotline: HotlineProcess, token: str) -> dict[str, Any]:
    from tools.callersim import hotline_call

    async with aiohttp.ClientSession() as http:
        found = await hotline_call(http, hotline.api_url, token)
    assert found is not None
    return found


async def test_given_app_down_then_dialplan_takes_a_message_that_becomes_an_order(
    hotline: HotlineProcess, caller: CallerSim, settings: Settings
) -> None:
    # Asterisk's spool outlives the test database: a number of its own per run.
    number = f"139{random.randint(0, 99_999_999):08d}"
    hotline.kill(signal.SIGTERM)
    try:
        trace = await caller.place(
            Scenario(keys=[], say=SPEECH / "water_main_burst_01.wav", caller_number=number)
        )
        assert trace.said, trace.events
        async with aiohttp.ClientSession() as http:
            ari = AriClient(http, settings.ari_url, settings.ari_user, settings.ari_password)
            stored = [n for n in await ari.stored_recordings() if number in n]
        assert stored, "the fallback left no message"
    finally:
        await asyncio.to_thread(hotline.start)
    url = f"{hotline.api_url}/api/orders"
    async with (
        aiohttp.ClientSession() as http,
        http.get(url, params={"caller_number": number}) as r,
    ):
        orders = (await r.json())["orders"]
    assert len(orders) == 1
    order = orders[0]
    assert order["needs_agent"] and order["ivr_path"] == ["fallback_message"]
    assert order["recording"]["stored"] and order["recording"]["bytes"] > 20_000
