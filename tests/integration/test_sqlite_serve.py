"""`make run`'s store on a shortened clock (issue 19, acceptance 1): `serve` on SQLite takes
real calls, orders are made, dispatched, received and given more time, the wallboard and
the handover draft are read while the sweeper, the duty line and the auto-dispatcher tick
every second, and the log holds no traceback and no error.

The shared PostgreSQL `serve` steps aside for the time of the test (one ARI app per name).
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from hotline12319.settings import Settings
from routing.admin.users import add_user
from routing.orders.transitions import Role
from routing.store.db import make_engine, make_sessionmaker
from routing.store.migrate import upgrade
from tests.conftest import HotlineProcess, call_and_fetch
from tools.callersim import CallerSim, Scenario

pytestmark = pytest.mark.integration
SPEECH = Path(__file__).resolve().parents[1] / "fixtures" / "speech"
PASSWORD = "correct horse 12319"
USERS = {"staff": (Role.CENTER_STAFF, None), "business": (Role.BUSINESS_SECTION, None),
         "duty": (Role.DUTY_SUPERVISOR, None), "water": (Role.AGENCY, "industry-water"),
         "gas": (Role.AGENCY, "industry-gas")}
SHORT_CLOCK = {"HOTLINE_AUTO_DISPATCH_INTERVAL_SECONDS": "1", "HOTLINE_SURVEY_POLL_SECONDS": "1",
               "HOTLINE_SWEEPER_INTERVAL_SECONDS": "1", "HOTLINE_DUTY_POLL_SECONDS": "1"}
WATCH_SECONDS = 20.0


async def _users(url: str) -> None:
    await asyncio.to_thread(upgrade, url)
    engine = make_engine(url)
    async with make_sessionmaker(engine).begin() as session:
        for user_id, (role, agency) in USERS.items():
            await add_user(session, user_id=user_id, name=user_id, role=role, agency_id=agency,
                           password=PASSWORD, now=datetime.now(UTC))
    await engine.dispose()


@pytest.fixture
async def sqlite_serve(hotline: HotlineProcess, tmp_path: Path
                       ) -> AsyncIterator[HotlineProcess]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hotline.db'}"
    await _users(url)
    settings: Settings = hotline.settings.model_copy(update={"database_url": url})
    hotline.kill(signal.SIGTERM)
    mine = HotlineProcess(settings, tmp_path / "serve.log",
                          SHORT_CLOCK)
    try:
        await asyncio.to_thread(mine.start)
        yield mine
    finally:
        mine.kill(signal.SIGTERM)
        await asyncio.to_thread(hotline.start)


async def _post(http: aiohttp.ClientSession, path: str, body: Any) -> dict[str, Any]:
    async with http.post(path, json=body) as r:
        answer = await r.json()
        assert r.status in (200, 201), (path, answer)
        return dict(answer)


def _session(api_url: str) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(api_url, cookie_jar=aiohttp.CookieJar(unsafe=True))


async def _as(api_url: str, user: str) -> aiohttp.ClientSession:
    http = _session(api_url)
    await _post(http, "/api/login", {"user": user, "password": PASSWORD})
    return http


async def _order_life(api_url: str, number_from_call: str) -> None:
    staff, water, gas, business = [await _as(api_url, u)
                                   for u in ("staff", "water", "gas", "business")]
    try:
        order = await _post(staff, "/api/orders", {
            "utility": "water", "order_type": "maintenance", "description": "水表漏水",
            "caller_number": "13800138000", "district": "历下区", "address": "经十路1号"})
        number = order["number"]
        await _post(staff, f"/api/orders/{number}/events", {"event": "dispatch"})
        await _post(water, f"/api/agency/orders/{number}/receipt", {})
        new_due = datetime.now(timezone(timedelta(hours=8))) + timedelta(days=5)
        await _post(water, f"/api/agency/orders/{number}/extension",
                    {"reason": "管网改造", "new_due": new_due.isoformat()})
        await _post(business, f"/api/orders/{number}/events",
                    {"event": "extension_decision", "approve": True})
        async with gas.get(f"/api/agency/orders/{number_from_call}") as r:
            assert r.status == 200, await r.text()
            if (await r.json())["status"] == "dispatched":
                await _post(gas, f"/api/agency/orders/{number_from_call}/receipt", {})
    finally:
        for http in (staff, water, gas, business):
            await http.close()


async def _watch(api_url: str, work: asyncio.Task[None]) -> int:
    """Read the wallboard, the handover draft and the order list while `work` runs (the
    calls and the orders' life), and for WATCH_SECONDS at least."""
    reads = 0
    duty = await _as(api_url, "duty")
    try:
        end = asyncio.get_running_loop().time() + WATCH_SECONDS
        while not work.done() or asyncio.get_running_loop().time() < end:
            for path in ("/api/wallboard", "/api/handovers/draft", "/api/orders"):
                async with duty.get(path) as r:
                    assert r.status == 200, (path, await r.text())
                    reads += 1
            await asyncio.sleep(1)
    finally:
        await duty.close()
    return reads


async def test_given_the_sqlite_store_when_calls_orders_and_the_wallboard_run_then_no_traceback(
    sqlite_serve: HotlineProcess, caller: CallerSim
) -> None:
    async def calls_and_orders() -> None:
        gas, water = await asyncio.gather(
            call_and_fetch(caller, sqlite_serve, Scenario(keys=["3", "1"],
                                                          say=SPEECH / "gas_leak_01.wav")),
            call_and_fetch(caller, sqlite_serve, Scenario(keys=["1", "2"], timeout=150)))
        assert gas["order"] and water["order"], (gas, water)
        await _order_life(sqlite_serve.api_url, gas["order_number"])

    work = asyncio.create_task(calls_and_orders())
    try:
        reads = await _watch(sqlite_serve.api_url, work)
    finally:
        if not work.done():
            work.cancel()  # a failed read ends the test; the calls go with it
    await work
    assert reads >= 30
    assert sqlite_serve.health().get("ari_connected")
    log = sqlite_serve.log_path.read_text(errors="replace")
    assert "Traceback" not in log and " ERROR " not in log, log[-6000:]
