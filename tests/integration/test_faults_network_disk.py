"""Real faults between the parts (issue 6): the ARI link cut for 10 s, a full recordings disk.

Each test runs its own `serve` (the shared one stopped: one app per Stasis name) with the
fault built in: ARI reached through a proxy the test cuts, or recordings on a full tmpfs.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import random
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from ari_app.client import AriClient
from hotline12319.settings import Settings
from tests.conftest import HotlineProcess
from tests.support_proxy import CuttableProxy
from tools.callersim import CallerSim, CallTrace, Scenario

pytestmark = pytest.mark.integration

SPEECH = Path(__file__).resolve().parents[1] / "fixtures" / "speech"
CUT_SECONDS = 10.0
# Transcribing is not what these faults are about; it would only load the two shared cores.
QUIET = {"HOTLINE_SPEECH_IN_CALLS": "false"}


def fresh_number() -> str:
    # Asterisk's spool outlives the test database: a caller number of its own per run.
    return f"139{random.randint(0, 99_999_999):08d}"


@contextlib.asynccontextmanager
async def own_serve(
    hotline: HotlineProcess, log_path: Path, extra_env: dict[str, str], *,
    full_prompts: bool = False,
) -> AsyncIterator[HotlineProcess]:
    hotline.kill(signal.SIGTERM)
    mine = HotlineProcess(hotline.settings, log_path, {**QUIET, **extra_env},
                          full_prompts=full_prompts)
    try:
        await asyncio.to_thread(mine.start)
        yield mine
    finally:
        mine.kill(signal.SIGTERM)
        await asyncio.to_thread(hotline.start)


async def wait_until(check: Callable[[], Awaitable[Any]], within: float, what: str) -> Any:
    deadline = time.monotonic() + within
    while True:
        found = await check()
        if found:
            return found
        assert time.monotonic() < deadline, f"not within {within}s: {what}"
        await asyncio.sleep(0.2)


async def api_get(serve: HotlineProcess, path: str, **params: str) -> Any:
    async with aiohttp.ClientSession() as http, http.get(serve.api_url + path, params=params) as r:
        assert r.status == 200, await r.text()
        return await r.json()


async def ended_call(serve: HotlineProcess, trace: CallTrace) -> dict[str, Any]:
    async def ended() -> dict[str, Any] | None:
        calls = (await api_get(serve, "/api/calls", caller_name=f"sim-{trace.token}"))["calls"]
        return calls[0] if calls and calls[0]["ended_at"] else None

    found: dict[str, Any] = await wait_until(ended, 30, f"call {trace.token} ended")
    return found


async def orders_of(serve: HotlineProcess, number: str) -> list[dict[str, Any]]:
    orders: list[dict[str, Any]] = (await api_get(serve, "/api/orders", caller_number=number))[
        "orders"
    ]
    return orders


def via_proxy(ari_url: str, port: int) -> str:
    scheme, _, path, query, fragment = urlsplit(ari_url)
    return urlunsplit((scheme, f"127.0.0.1:{port}", path, query, fragment))


@contextlib.asynccontextmanager
async def serve_via_proxy(
    hotline: HotlineProcess, settings: Settings, tmp_path: Path
) -> AsyncIterator[tuple[HotlineProcess, CuttableProxy]]:
    ari = urlsplit(settings.ari_url)
    proxy = CuttableProxy(ari.hostname or "127.0.0.1", ari.port or 80)
    await proxy.start()
    env = {"HOTLINE_ARI_URL": via_proxy(settings.ari_url, proxy.port)}
    try:
        # The cuts are timed against the menus' real prompts.
        async with own_serve(hotline, tmp_path / "serve.log", env, full_prompts=True) as serve:
            yield serve, proxy
    finally:
        await proxy.close()


# -- the ARI websocket cut ---------------------------------------------------------------


async def test_given_ari_link_cut_for_10s_then_calls_are_taken_back_and_none_is_lost(
    hotline: HotlineProcess, caller: CallerSim, settings: Settings, tmp_path: Path
) -> None:
    in_call = fresh_number()
    # Callers who reach the fallback early and late in the cut: the first is still speaking
    # when the app is back, the second starts the message (after the apology) only then.
    left_messages = {0.5: fresh_number(), 6.0: fresh_number()}
    health_in_cut: list[dict[str, Any]] = []
    during: list[asyncio.Task[CallTrace]] = []
    async with serve_via_proxy(hotline, settings, tmp_path) as (serve, proxy):

        async def cut_mid_menu(index: int) -> None:
            if index != 0:
                return
            await asyncio.sleep(1.0)  # the type menu is playing
            await proxy.cut()
            cut_at = time.monotonic()
            health_in_cut.append(
                await wait_until(lambda: _ari_down(serve), 5, "health shows the cut")
            )
            for at, number in left_messages.items():
                await asyncio.sleep(max(0.0, at - (time.monotonic() - cut_at)))
                message = Scenario(keys=[], say=SPEECH / "gas_short_01.wav", caller_number=number)
                during.append(asyncio.create_task(caller.place(message)))
            await asyncio.sleep(CUT_SECONDS - (time.monotonic() - cut_at))
            health_in_cut.append(serve.health())
            await proxy.restore()
            await wait_until(lambda: _ari_up(serve), 20, "ARI reconnected after the cut")

        # The caller does not press on at once: they wait for the menu they lost in the
        # gap to come back, as callers do, and only answer it once it did (and timed out).
        scenario = Scenario(
            keys=["5", "3"],
            key_delays=[1.0, 20.0],
            caller_number=in_call,
            after_key=cut_mid_menu,
            timeout=180,
        )
        trace = await caller.place(scenario)
        message_traces = await asyncio.gather(*during)
        call = await ended_call(serve, trace)
        messages = [
            await wait_until(partial(_stored_orders, serve, n), 40, f"message {n} an order")
            for n in left_messages.values()
        ]
        taken_back = await orders_of(serve, in_call)
        log = serve.log_tail()
        async with aiohttp.ClientSession() as http:
            direct = AriClient(http, settings.ari_url, settings.ari_user, settings.ari_password)
            spooled = [
                len(await direct.stored_recording(orders[0]["recording"]["name"]))
                for orders in messages
            ]

    assert [h.get("ari_connected") for h in health_in_cut] == [False, False], health_in_cut
    assert call["outcome"] == "completed", (call, log)
    # Taken back after the gap: the type menu was played again and waited for its key.
    assert call["path"][:3] == ["main_menu:5", "type_menu!timeout", "type_menu:3"], call
    assert "readback" in call["path"], call
    assert len(taken_back) == 1, taken_back  # no duplicate from taking the call back
    assert (taken_back[0]["utility"], taken_back[0]["order_type"]) == ("river", "complaint")
    assert taken_back[0]["number"] == call["order"]["number"]
    assert all(t.said for t in message_traces), [t.events for t in message_traces]
    assert [len(orders) for orders in messages] == [1, 1], messages  # none lost, none doubled
    for (message,), spooled_bytes in zip(messages, spooled, strict=True):
        assert message["ivr_path"] == ["fallback_message"] and message["needs_agent"]
        # The whole message, not what had been spoken when the app came back.
        assert message["recording"]["bytes"] == spooled_bytes, (message, spooled_bytes)
        assert message["recording"]["seconds"] > 4.0, message
    assert proxy.accepted > 1  # serve really went through the proxy, and came back through it


async def test_given_caller_hangs_up_during_the_cut_then_the_call_is_closed_after_it(
    hotline: HotlineProcess, caller: CallerSim, settings: Settings, tmp_path: Path
) -> None:
    number = fresh_number()
    async with serve_via_proxy(hotline, settings, tmp_path) as (serve, proxy):

        async def cut(index: int) -> None:
            await proxy.cut()  # the caller hangs up a second later, unseen by us

        trace = await caller.place(
            Scenario(keys=["2"], hang_up_after_keys=True, after_key=cut, caller_number=number)
        )
        await asyncio.sleep(CUT_SECONDS - 1.0)
        await proxy.restore()
        await wait_until(lambda: _ari_up(serve), 20, "ARI reconnected after the cut")
        call = await ended_call(serve, trace)
        health = serve.health()

    assert call["outcome"] == "abandoned", call
    assert call["order"] is None and call["path"][-1] == "hangup", call
    assert health.get("active_calls") == 0, health  # no call task left waiting for nothing


async def _stored_orders(serve: HotlineProcess, number: str) -> list[dict[str, Any]]:
    orders = await orders_of(serve, number)
    return orders if orders and all(o["recording"]["stored"] for o in orders) else []


async def _ari_down(serve: HotlineProcess) -> dict[str, Any] | None:
    health = await asyncio.to_thread(serve.health)
    return health if health and health.get("ari_connected") is False else None


async def _ari_up(serve: HotlineProcess) -> bool:
    return bool((await asyncio.to_thread(serve.health)).get("ari_connected"))


# -- the full recordings disk ------------------------------------------------------------


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "recordings-full"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], check=True)
    try:
        _fill(mount / "filler")
        yield mount
    finally:
        subprocess.run(["umount", "--lazy", str(mount)], check=True)


def _fill(path: Path) -> None:
    with path.open("wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc


async def recording_failures(settings: Settings, order_number: str) -> list[dict[str, Any]]:
    engine = create_async_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT detail FROM audit_events WHERE entity = 'work_order'"
                    " AND entity_id = :number AND action = 'recording_not_stored'"
                ),
                {"number": order_number},
            )
            return [dict(row.detail) for row in rows]
    finally:
        await engine.dispose()


async def test_given_recordings_disk_full_then_call_completes_and_order_says_why_no_copy(
    hotline: HotlineProcess,
    caller: CallerSim,
    settings: Settings,
    tmp_path: Path,
    full_disk: Path,
) -> None:
    env = {"HOTLINE_RECORDINGS_DIR": str(full_disk)}
    number = fresh_number()
    async with own_serve(hotline, tmp_path / "serve.log", env) as serve:
        scenario = Scenario(
            keys=["1", "2"], say=SPEECH / "gas_short_01.wav", caller_number=number, timeout=150
        )
        trace = await caller.place(scenario)
        call = await ended_call(serve, trace)
        order = call["order"]
        assert order is not None, (call, serve.log_tail())
        failures = await wait_until(
            lambda: recording_failures(settings, order["number"]), 40, "failure recorded"
        )
        orders = await orders_of(serve, number)
        alive = serve.proc is not None and serve.proc.poll() is None
        health, log = serve.health(), serve.log_tail()
        async with aiohttp.ClientSession() as http:
            ari = AriClient(http, settings.ari_url, settings.ari_user, settings.ari_password)
            spooled = await ari.stored_recording(order["recording"]["name"])
        leftovers = await asyncio.to_thread(lambda: list(full_disk.glob("*.part")))

    assert call["outcome"] == "completed", call
    assert (order["utility"], order["order_type"]) == ("water", "maintenance")
    assert "readback" in call["path"], call
    assert trace.said
    assert [o["number"] for o in orders] == [order["number"]]
    assert orders[0]["recording"]["stored"] is False and orders[0]["recording"]["name"]
    assert len(failures) == 1, failures
    assert "No space left on device" in failures[0]["error"], failures
    assert failures[0]["kept_in"] == "asterisk_spool"
    assert f"order {order['number']}: recording" in log and "not stored" in log
    assert len(spooled) > 20_000  # Asterisk still holds the description for a later copy
    assert not leftovers  # no half-written copy eating the space
    assert alive and health.get("ari_connected"), health

