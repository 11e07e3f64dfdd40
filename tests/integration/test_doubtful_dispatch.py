"""Doubtful speech is never sent in silence (issues 11 and 13): a non-emergency IVR order whose
keys and words disagree waits for an agent until the policy's share of its dispatch window,
then the system dispatches it with an audit row that nobody reviewed it, a notice for the
center, and the doubt shown to the unit. Real PostgreSQL and SQLite, the in-process API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import select, update

from routing.agencies.directory import load_directory
from routing.dispatch.auto_dispatch import UNREVIEWED, dispatch_owed
from routing.dispatch.dispatch_policy import load_dispatch_policy
from routing.enums import OrderType, Utility
from routing.orders.order_intake import NewOrder, Source
from routing.orders.order_service import OrderEngine
from routing.orders.repository import attach_speech, insert_order
from routing.orders.transitions import State
from routing.store.db import make_engine, make_sessionmaker
from routing.store.models import AuditEvent, WorkOrder
from routing.store.order_tables import Notification
from tests.integration.orders_support import agency, api, login

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]
REASONS = ["keys say water, words say heating"]


async def _ivr_order(engine: OrderEngine, *, now: datetime, doubtful: bool) -> WorkOrder:
    new = NewOrder(source=Source.CALL, utility=Utility.WATER, order_type=OrderType.MAINTENANCE,
                   caller_number="13600000042", ivr_path=("main_menu", "water", "maintenance"))
    async with engine.sessions.begin() as session:
        row = await insert_order(session, new=new, actor="ivr", now=now)
        number = row.number
    async with engine.sessions.begin() as session:
        await attach_speech(session, order_number=number, transcript="暖气不热，水管也漏",
                            speech={"reasons": REASONS if doubtful else []}, emergency=False,
                            disagreement=doubtful, district=None, address=None)
    async with engine.sessions() as session:
        found = await session.execute(select(WorkOrder).where(WorkOrder.number == number))
        return found.scalar_one()


async def test_given_a_doubtful_ivr_order_then_held_until_the_share_then_sent_unreviewed(
    api: TestClient[web.Request, web.Application], orders_db: str
) -> None:
    db = make_engine(orders_db)
    engine = OrderEngine(sessions=make_sessionmaker(db), directory=load_directory())
    policy = load_dispatch_policy()
    now = datetime.now(UTC)
    doubtful = await _ivr_order(engine, now=now, doubtful=True)
    plain = await _ivr_order(engine, now=now, doubtful=False)
    assert doubtful.dispatch_due is not None and plain.dispatch_due == doubtful.dispatch_due
    window = doubtful.dispatch_due - doubtful.created_at
    share = policy.doubtful.hold_share
    before = doubtful.created_at + window * (share - 0.02)  # past the plain order's 5 min lead
    report = await dispatch_owed(engine, policy, now=before)
    assert plain.number in report.dispatched  # the ordinary rule has fired...
    assert doubtful.number not in report.dispatched  # ...the doubtful order still waits
    after = doubtful.created_at + window * (share + 0.01)
    report = await dispatch_owed(engine, policy, now=after)
    assert doubtful.number in report.dispatched
    assert [a["number"] for a in report.unreviewed] == [doubtful.number]
    assert report.unreviewed[0]["doubts"] == REASONS
    async with engine.sessions() as session:
        row = (await session.execute(select(WorkOrder).where(
            WorkOrder.number == doubtful.number))).scalar_one()
        trail = list((await session.execute(select(AuditEvent).where(
            AuditEvent.entity_id == doubtful.number))).scalars())
        notices = list((await session.execute(select(Notification).where(
            Notification.order_id == row.id, Notification.kind == UNREVIEWED))).scalars())
    assert row.status is State.DISPATCHED and row.agency_id == "industry-water"
    assert row.auto_dispatch_rule == "doubtful-unreviewed"
    assert row.dispatched_at is not None and row.dispatched_at < doubtful.dispatch_due
    unreviewed = [e for e in trail if e.action == "dispatched_unreviewed"]
    assert len(unreviewed) == 1 and unreviewed[0].actor == "system"
    assert unreviewed[0].detail["doubts"] == REASONS
    assert "L 3.2.4(1)" in unreviewed[0].detail["clauses"]
    assert len(notices) == 1
    async with api.get(f"/api/agency/orders/{doubtful.number}",
                       headers=await login(api, "water")) as response:
        assert response.status == 200, await response.text()
        shown = await response.json()
    assert shown["speech_doubt"] == {"reasons": REASONS, "reviewed": False}
    await db.dispose()


async def test_given_a_long_window_then_the_doubtful_order_goes_at_its_share_not_at_the_lead(
    api: TestClient[web.Request, web.Application], orders_db: str
) -> None:
    """A window of 8 hours: the hold ends 48 minutes before the limit, long before the
    ordinary rule's 5-minute lead would bring the order into the dispatcher's reading."""
    db = make_engine(orders_db)
    engine = OrderEngine(sessions=make_sessionmaker(db), directory=load_directory())
    policy = load_dispatch_policy()
    order = await _ivr_order(engine, now=datetime.now(UTC), doubtful=True)
    due = order.created_at + timedelta(hours=8)
    async with engine.sessions.begin() as session:
        await session.execute(update(WorkOrder).where(WorkOrder.id == order.id)
                              .values(dispatch_due=due))
    hold_end = order.created_at + timedelta(hours=8) * policy.doubtful.hold_share
    early = await dispatch_owed(engine, policy, now=hold_end - timedelta(minutes=1))
    assert order.number not in early.dispatched
    report = await dispatch_owed(engine, policy, now=hold_end + timedelta(minutes=1))
    assert order.number in report.dispatched
    assert hold_end + timedelta(minutes=1) < due - timedelta(minutes=5)
    await db.dispose()
