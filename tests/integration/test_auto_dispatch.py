"""Orders leave by themselves when the dispatch policy says so (issue 11): one creation path
for every source, an emergency dispatched the moment it is committed with the duty line rung
for its receipt, and an untouched order dispatched before its limit. Real calls through the
real sandbox, the real serve, real PostgreSQL."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from sqlalchemy import select

from routing.admin.users import add_user
from routing.dispatch.dispatch_policy import DEFAULT_DISPATCH_POLICY_PATH
from routing.orders.transitions import Role
from routing.store.db import make_engine, make_sessionmaker
from routing.store.models import AuditEvent
from tests.conftest import HotlineProcess, call_and_fetch
from tools.callersim import Answerer, CallerSim, Scenario

pytestmark = pytest.mark.integration

SPEECH = Path(__file__).resolve().parents[1] / "fixtures" / "speech"
PASSWORD = "auto dispatch test 12319"


async def _order(api_url: str, number: str) -> dict[str, Any]:
    async with aiohttp.ClientSession(base_url=api_url) as http, \
            http.get(f"/api/orders/{number}") as response:
        assert response.status == 200, await response.text()
        return dict(await response.json())


async def _until(api_url: str, number: str, done: Any, seconds: float) -> dict[str, Any]:
    order: dict[str, Any] = {}
    for _ in range(int(seconds * 2)):
        order = await _order(api_url, number)
        if done(order):
            return order
        await asyncio.sleep(0.5)
    raise AssertionError(f"order {number} never got there: {order}")


async def _trail(database_url: str, number: str) -> list[AuditEvent]:
    engine = make_engine(database_url)
    async with make_sessionmaker(engine)() as session:
        rows = (await session.execute(
            select(AuditEvent).where(AuditEvent.entity_id == number)
            .order_by(AuditEvent.at, AuditEvent.id))).scalars().all()
    await engine.dispose()
    return list(rows)


async def _trail_until(database_url: str, number: str, action: str, seconds: float
                       ) -> list[AuditEvent]:
    """The order's trail once it has a row of `action` (or the last one read)."""
    trail: list[AuditEvent] = []
    for _ in range(int(seconds * 2)):
        trail = await _trail(database_url, number)
        if any(e.action == action for e in trail):
            break
        await asyncio.sleep(0.5)
    return trail


async def test_given_keys_3_1_alone_then_the_order_is_an_emergency_dispatched_by_itself(
    hotline: HotlineProcess, caller: CallerSim
) -> None:
    caller.answerers["duty-industry-gas"] = Answerer(voice=None, press="1", press_after=3.0)
    result = await call_and_fetch(caller, hotline, Scenario(keys=["3", "1"], timeout=150))
    number = result["order_number"]
    assert number, result
    order = await _until(hotline.api_url, number, lambda o: o["agency_id"], 60)
    assert order["emergency"] is True and order["transcript"] is None  # the keys alone
    assert order["auto_dispatch_rule"] == "emergency-at-once"
    trail = await _trail(hotline.settings.database_url, number)
    created = next(e for e in trail if e.action == "created")
    assert (created.actor, created.detail["source"]) == ("ivr", "call")


async def test_given_keys_3_1_and_a_spoken_leak_then_the_gas_unit_has_it_within_60_s_and_signs(
    served: HotlineProcess, caller: CallerSim
) -> None:
    duty = Answerer(voice=None, press="1", press_after=4.0)
    caller.answerers["duty-industry-gas"] = duty
    result = await call_and_fetch(
        caller, served, Scenario(keys=["3", "1"], say=SPEECH / "gas_leak_01.wav"))
    number = result["order_number"]
    ended = datetime.fromisoformat(result["hotline"]["ended_at"])
    order = await _until(served.api_url, number, lambda o: o["dispatched_at"], 60)
    assert order["agency_id"] == "industry-gas" and order["emergency"] is True
    assert (datetime.fromisoformat(order["dispatched_at"]) - ended).total_seconds() <= 60
    order = await _until(served.api_url, number, lambda o: o["status"] == "received", 60)
    assert len(duty.answered) == 1  # rung at once, once; its key 1 is the receipt
    # The duty call's own row is written when that call ends, after the thanks it hears.
    trail = await _trail_until(served.settings.database_url, number, "receipt_chase_call", 30)
    auto = [e for e in trail if e.action == "auto_dispatched"]
    assert len(auto) == 1 and auto[0].actor == "system"
    assert auto[0].detail["rule"] == "emergency-at-once"
    assert "L 3.2.4(2)" in auto[0].detail["clauses"]
    dispatched = next(e for e in trail if e.action == "dispatch")
    assert dispatched.actor == "system"
    calls = [e.detail for e in trail if e.action == "receipt_chase_call"]
    assert [(c["contact"], c["result"]) for c in calls] == [("duty", "receipt_dtmf1")]
    receipts = [e for e in trail if e.action == "receive"]
    assert len(receipts) == 1 and receipts[0].actor == "duty-line:industry-gas"


def _short_policy(path: Path) -> Path:
    """The packaged policy with an untouched order dispatched 60 s after it is made (its
    limit is 30 min) and a receipt chase a few seconds apart."""
    policy = yaml.safe_load(DEFAULT_DISPATCH_POLICY_PATH.read_text(encoding="utf-8"))
    policy["rules"][-1]["auto_before_due_minutes"] = 29
    policy["receipt_chase"]["steps"] = [  # only the step owed now is rung
        {"contact": "duty", "after_minutes": 0},
        {"contact": "backup", "after_minutes": 0.25},
        {"contact": "supervisor", "after_minutes": 0.5},
    ]
    policy["receipt_chase"]["repeat_minutes"] = 60
    path.write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
async def short_hotline(hotline: HotlineProcess, tmp_path: Path
                        ) -> AsyncIterator[HotlineProcess]:
    hotline.kill(signal.SIGTERM)
    mine = HotlineProcess(hotline.settings, tmp_path / "serve.log", {
        "HOTLINE_DISPATCH_POLICY_FILE": str(_short_policy(tmp_path / "dispatch.yaml")),
        "HOTLINE_DUTY_ANSWER_SECONDS": "5",
    })
    try:
        await asyncio.to_thread(mine.start)
        yield mine
    finally:
        mine.kill(signal.SIGTERM)
        await asyncio.to_thread(hotline.start)


async def test_given_nobody_dispatches_an_ivr_order_then_the_system_does_before_its_limit(
    short_hotline: HotlineProcess, caller: CallerSim
) -> None:
    result = await call_and_fetch(caller, short_hotline, Scenario(keys=["1", "2"], timeout=150))
    number = result["order_number"]
    async with aiohttp.ClientSession(base_url=short_hotline.api_url) as http, \
            http.get("/api/orders", params={"review": "1"}) as response:
        listed = {o["number"]: o for o in (await response.json())["orders"]}
    assert listed[number]["status"] == "created"  # on the agents' review list first
    plan = listed[number]["dispatch_policy"]
    assert plan["rule"] == "review-then-auto" and plan["auto_dispatch_at"]
    order = await _until(short_hotline.api_url, number, lambda o: o["dispatched_at"], 60)
    dispatched = datetime.fromisoformat(order["dispatched_at"])
    assert dispatched < datetime.fromisoformat(order["deadlines"]["dispatch_due"])
    assert dispatched >= datetime.fromisoformat(plan["auto_dispatch_at"])
    assert order["agency_id"] == "industry-water" and order["emergency"] is False
    assert order["auto_dispatch_rule"] == "review-then-auto"
    trail = await _trail(short_hotline.settings.database_url, number)
    assert [e.actor for e in trail if e.action == "auto_dispatched"] == ["system"]


async def _agency_user(database_url: str, user_id: str, agency: str) -> None:
    engine = make_engine(database_url)
    async with make_sessionmaker(engine).begin() as session:
        await add_user(session, user_id=user_id, name=user_id, role=Role.AGENCY,
                       agency_id=agency, password=PASSWORD, now=datetime.now(UTC))
    await engine.dispose()


async def test_given_no_receipt_then_duty_backup_and_supervisor_are_rung_and_one_receipt_counts(
    short_hotline: HotlineProcess, caller: CallerSim
) -> None:
    duty, backup = Answerer(answer=False), Answerer(answer=False)
    supervisor = Answerer(voice=None, press="1", press_after=3.0)
    caller.answerers.update({"duty-industry-gas": duty, "backup-industry-gas": backup,
                             "duty-supervisor": supervisor})
    result = await call_and_fetch(caller, short_hotline, Scenario(keys=["3", "1"], timeout=150))
    number = result["order_number"]
    database_url = short_hotline.settings.database_url
    trail: list[AuditEvent] = []
    for _ in range(180):  # the chase: at once, +15 s, +30 s; each ring lasts up to 5 s
        trail = await _trail(database_url, number)
        if len([e for e in trail if e.action == "receipt_chase_call"]) >= 3:
            break
        await asyncio.sleep(0.5)
    calls = [(e.detail["contact"], e.detail["result"])
             for e in trail if e.action == "receipt_chase_call"]
    assert calls == [("duty", "no_answer"), ("backup", "no_answer"),
                     ("supervisor", "acknowledged_dtmf1")], calls
    assert (len(duty.rung), len(backup.rung), len(supervisor.answered)) == (1, 1, 1)
    assert (await _order(short_hotline.api_url, number))["status"] == "dispatched"  # no receipt
    await _agency_user(database_url, "gasunit", "industry-gas")
    jar = aiohttp.CookieJar(unsafe=True)  # the session cookie comes from 127.0.0.1
    async with aiohttp.ClientSession(base_url=short_hotline.api_url, cookie_jar=jar) as http:
        async with http.post("/api/login", json={"user": "gasunit", "password": PASSWORD}) as r:
            assert r.status == 200, await r.text()
        async with http.post(f"/api/agency/orders/{number}/receipt", json={}) as r:
            assert r.status == 200, await r.text()
        async with http.post(f"/api/agency/orders/{number}/receipt", json={}) as r:
            assert r.status == 409  # signed once; a second receipt is refused
    trail = await _trail(database_url, number)
    assert [e.actor for e in trail if e.action == "receive"] == ["gasunit"]
