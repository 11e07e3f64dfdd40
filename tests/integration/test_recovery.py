"""Calls survive our process dying: taken back on restart, or caught by the fallback."""

from __future__ import annotations

import asyncio
import random
import signal
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from ari_app.client import AriClient
from ari_app.storage import CallStore
from hotline12319.settings import Settings
from routing.enums import CallOutcome
from routing.store.db import make_engine, make_sessionmaker
from tests.conftest import HotlineProcess, call_and_fetch
from tools.callersim import CallerSim, CallTrace, Scenario

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



async def test_given_a_call_entered_stasis_unseen_then_restart_serves_it_with_its_caller_id(
    hotline: HotlineProcess, caller: CallerSim, settings: Settings
) -> None:
    """A StasisStart lost with the connection, or still unread when serve takes calls back
    (a call arriving as Asterisk restarts): the call is served and its order keeps the
    caller's number, which only Asterisk's channel has."""
    number = f"137{random.randint(0, 99_999_999):08d}"
    hotline.kill(signal.SIGKILL)
    try:
        async with aiohttp.ClientSession() as http:
            ari = AriClient(http, settings.ari_url, settings.ari_user, settings.ari_password)
            placed = await _enter_stasis_unseen(ari, settings.ari_app, caller, Scenario(
                keys=["9", "3"], caller_number=number, timeout=120))
    finally:
        await asyncio.to_thread(hotline.start)
    trace = await placed
    result = await call_and_fetch_existing(hotline, trace.token)
    assert result["outcome"] == "completed", result
    assert result["caller_number"] == number
    assert result["order"]["utility"] == "water_saving"
    assert result["order"]["caller_number"] == number


async def _enter_stasis_unseen(
    ari: AriClient, app: str, caller: CallerSim, scenario: Scenario
) -> asyncio.Task[CallTrace]:
    """Hold the app's websocket ourselves while a real call enters Stasis, read its
    StasisStart and drop the link: Asterisk keeps the call in the inactive app."""
    async with ari.connect_events(app) as ws:
        assert await ari.app_registered(app)
        placed = asyncio.create_task(caller.place(scenario))
        async with asyncio.timeout(20):
            async for message in ws:
                if message.json().get("type") == "StasisStart":
                    break
    return placed


async def test_given_a_stored_state_unreadable_then_serve_still_connects_after_restart(
    hotline: HotlineProcess, settings: Settings
) -> None:
    """A call row whose IVR state cannot be restored (another version's, or damaged) is
    logged and skipped; it must not keep the app from taking calls."""
    engine = make_engine(settings.database_url)
    store = CallStore(make_sessionmaker(engine))
    channel_id = f"unreadable-{random.randrange(10**9)}"
    await store.open(channel_id=channel_id, caller_number=None, caller_name=None,
                     started_at=datetime.now(UTC))
    await store.progress_many({channel_id: ({"path": ["main_menu"], "shape": "old"}, None)})
    try:
        hotline.kill(signal.SIGKILL)
        await asyncio.to_thread(hotline.start)  # waits until serve's ARI link is up
        assert f"call {channel_id}: stored IVR state unreadable" in hotline.log_tail()
        # Not on the line any more: closed as failed, not left to be logged at every start.
        assert channel_id not in {c.channel_id for c in await store.unfinished()}
    finally:
        await store.end(channel_id=channel_id, outcome=CallOutcome.FAILED, path=[], metrics={},
                        ended_at=datetime.now(UTC))
        await engine.dispose()
