"""The deadline sweeper on PostgreSQL: two sweepers at once notify each late order once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from routing.agencies.directory import load_directory
from routing.dispatch.sweeper import SweepPolicy, sweep_once
from routing.dispatch.voice_escalation import due_voice_escalations, mark_voice_escalation
from routing.enums import OrderType, Utility
from routing.orders.order_service import OrderEngine
from routing.orders.transitions import State
from routing.store.db import make_engine, make_sessionmaker
from routing.store.models import WorkOrder
from routing.store.order_tables import Notification
from tests.integration.orders_support import agency, api

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]
LATE = 60  # late orders, half of them emergencies


async def _late_orders(engine: OrderEngine, now: datetime) -> list[int]:
    async with engine.sessions.begin() as session:
        rows = [WorkOrder(
            number=f"SW{i:08d}", utility=Utility.WATER, needs_agent=False, ivr_path=[],
            order_type=OrderType.EMERGENCY_REPAIR if i % 2 else OrderType.MAINTENANCE,
            emergency=bool(i % 2), status=State.DISPATCHED, agency_id="industry-water",
            created_at=now - timedelta(hours=2), dispatched_at=now - timedelta(hours=2),
            receipt_due=now - timedelta(minutes=20), resolve_due=now + timedelta(days=1),
        ) for i in range(LATE)]
        session.add_all(rows)
        await session.flush()
        return [r.id for r in rows]


async def test_given_two_sweepers_at_once_then_each_notice_is_written_exactly_once(
    api: object, orders_db: str
) -> None:
    now = datetime.now(UTC)
    engines = [make_engine(orders_db) for _ in range(2)]
    services = [OrderEngine(sessions=make_sessionmaker(e), directory=load_directory())
                for e in engines]
    ids = await _late_orders(services[0], now)
    policy = SweepPolicy(batch=7)  # many small batches: the sweepers interleave
    reports = await asyncio.gather(*(sweep_once(s, now=now, policy=policy) for s in services))
    assert sum(r.notified for r in reports) == LATE + LATE // 2
    again = await sweep_once(services[0], now=now + timedelta(minutes=1), policy=policy)
    assert again.notified == 0  # same period: nothing new, even after a "restart"
    async with services[0].sessions() as session:
        kinds = dict((await session.execute(
            select(Notification.kind, func.count()).where(Notification.order_id.in_(ids))
            .group_by(Notification.kind))).tuples().all())
    assert kinds == {"receipt_late": LATE, "voice_escalation": LATE // 2}
    later = await sweep_once(services[1], now=now + timedelta(minutes=31), policy=policy)
    assert later.notified == LATE + LATE // 2  # next period: escalated, rung again
    for engine in engines:
        await engine.dispose()


async def test_given_a_voice_escalation_when_polled_then_it_is_returned_once_and_marked(
    api: object, orders_db: str
) -> None:
    now = datetime.now(UTC) + timedelta(hours=3)
    engine = make_engine(orders_db)
    service = OrderEngine(sessions=make_sessionmaker(engine), directory=load_directory())
    async with service.sessions.begin() as session:
        calls = await due_voice_escalations(session, now=now, directory=service.directory,
                                            limit=500)
        assert calls and all(c.duty_sip == "duty-industry-water" for c in calls)
        for call in calls:
            await mark_voice_escalation(session, notification_id=call.notification_id,
                                        result="receipt_dtmf1", at=now)
    async with service.sessions.begin() as session:
        assert await due_voice_escalations(session, now=now, directory=service.directory) == []
    await engine.dispose()


async def test_given_an_ivr_call_when_its_order_is_created_then_it_has_deadlines(
    api: object, orders_db: str
) -> None:
    from routing.orders.repository import create_order_for_call, open_call

    engine = make_engine(orders_db)
    now = datetime.now(UTC)
    async with make_sessionmaker(engine).begin() as session:
        await open_call(session, channel_id="ivr-orders-1", caller_number="13900000000",
                        caller_name=None, started_at=now)
        order = await create_order_for_call(
            session, channel_id="ivr-orders-1", utility=Utility.GAS,
            order_type=OrderType.EMERGENCY_REPAIR, ivr_path=["gas", "emergency"],
            recording_name=None, needs_agent=False, now=now)
    await engine.dispose()
    assert order.status is State.CREATED and order.dispatch_due == now
    assert order.deadline_clauses
