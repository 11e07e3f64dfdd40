"""An emergency's duty line is rung for its receipt; DTMF 1 is the receipt (issue 3,
acceptance 3; issue 11: the system dispatches an emergency typed in by an agent at once and
rings at once): real order API, real dispatcher and sweeper, a real call to a softphone."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import aiohttp
import pytest
from sqlalchemy import select

from hotline12319.settings import Settings
from routing.admin.users import add_user
from routing.orders.transitions import Role
from routing.store.db import make_engine, make_sessionmaker
from routing.store.models import AuditEvent
from tests.conftest import HotlineProcess
from tools.callersim import Answerer, CallerSim

pytestmark = pytest.mark.integration

PASSWORD = "duty line test 12319"


async def add_staff(database_url: str, user_id: str) -> None:
    engine = make_engine(database_url)
    async with make_sessionmaker(engine).begin() as session:
        await add_user(session, user_id=user_id, name=user_id, role=Role.CENTER_STAFF,
                       agency_id=None, password=PASSWORD, now=datetime.now(UTC))
    await engine.dispose()


async def test_given_emergency_receipt_late_then_duty_line_rung_and_key_1_is_receipt(
    hotline: HotlineProcess, caller: CallerSim, settings: Settings
) -> None:
    duty = Answerer(voice=None, press="1", press_after=4.0)
    caller.answerers["duty-industry-gas"] = duty
    await add_staff(settings.database_url, "dutytest")
    # The session cookie comes from 127.0.0.1: the jar must accept cookies from an IP.
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(base_url=hotline.api_url, cookie_jar=jar) as http:
        async with http.post("/api/login", json={"user": "dutytest", "password": PASSWORD}) as r:
            assert r.status == 200, await r.text()
        body = {"utility": "gas", "order_type": "emergency_repair", "emergency": True,
                "description": "楼道燃气泄漏，味道很大", "caller_number": "13500000001",
                "district": "历下区", "address": "泉城路100号"}
        async with http.post("/api/orders", json=body) as r:
            assert r.status == 201, await r.text()
            number = (await r.json())["number"]
        status = None
        for _ in range(90):
            async with http.get(f"/api/orders/{number}") as r:
                order = await r.json()
            status = order["status"]
            if status == "received":
                break
            await asyncio.sleep(1)
    assert status == "received", order
    assert order["auto_dispatch_rule"] == "emergency-at-once"  # nobody pressed dispatch
    assert len(duty.answered) == 1  # rung once for the one late notice, not per sweep


async def _chase_results(database_url: str, number: str) -> list[str]:
    engine = make_engine(database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            rows = await session.execute(
                select(AuditEvent.detail).where(AuditEvent.entity_id == number,
                                                AuditEvent.action == "receipt_chase_call"))
            return [str(detail.get("result")) for (detail,) in rows]
    finally:
        await engine.dispose()


async def test_given_duty_line_answers_without_a_key_then_the_reading_ends_and_call_ends_unconfirmed(  # noqa: E501
    hotline: HotlineProcess, caller: CallerSim, settings: Settings
) -> None:
    """The duty caller hears its readings end (playback events carry no channel): it reads the
    order twice, waits a few seconds after each, and records `no_confirmation`, rather than
    waiting for the call's overall timeout (answer_seconds + 60 s) and recording a failure."""
    duty = Answerer(voice=None, press=None)
    caller.answerers["duty-industry-gas"] = duty
    await add_staff(settings.database_url, "dutysilent")
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(base_url=hotline.api_url, cookie_jar=jar) as http:
        async with http.post("/api/login", json={"user": "dutysilent", "password": PASSWORD}
                             ) as r:
            assert r.status == 200, await r.text()
        body = {"utility": "gas", "order_type": "emergency_repair", "emergency": True,
                "description": "小区燃气管道漏气", "caller_number": "13500000011",
                "district": "历下区", "address": "泉城路101号"}
        async with http.post("/api/orders", json=body) as r:
            assert r.status == 201, await r.text()
            number = (await r.json())["number"]
    started = time.monotonic()
    results: list[str] = []
    while time.monotonic() - started < 100 and not results:
        await asyncio.sleep(1)
        results = await _chase_results(settings.database_url, number)
    assert results == ["no_confirmation"], results
    assert time.monotonic() - started < 100
    assert len(duty.answered) == 1
