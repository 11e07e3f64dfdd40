"""Reading and writing calls and orders. Every write is one transaction and idempotent where a
retry or a reclaimed call could repeat it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession

from routing.enums import CallOutcome, OrderType, Utility
from routing.orders.number_blocks import blocks_for
from routing.orders.order_intake import NewOrder, Source, new_row
from routing.orders.order_numbers import format_number
from routing.orders.order_store import take_heard_case
from routing.store.models import AuditEvent, CallSession, OrderCounter, WorkOrder

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(UTC)


async def open_call(
    session: AsyncSession,
    *,
    channel_id: str,
    caller_number: str | None,
    caller_name: str | None,
    started_at: datetime,
) -> CallSession:
    existing = await call_by_channel(session, channel_id=channel_id)
    if existing is not None:
        return existing
    call = CallSession(
        channel_id=channel_id,
        caller_number=caller_number,
        caller_name=caller_name,
        started_at=started_at,
        path=[],
        metrics={},
    )
    session.add(call)
    await session.flush()
    return call


async def call_by_channel(session: AsyncSession, *, channel_id: str) -> CallSession | None:
    result = await session.execute(select(CallSession).where(CallSession.channel_id == channel_id))
    return result.scalar_one_or_none()


async def save_calls_progress(
    session: AsyncSession, states: dict[str, tuple[dict[str, Any], datetime | None]]
) -> None:
    """Many calls' newest IVR states in one statement (one executemany round trip). A call's
    answer time is kept once written: a later state passes none."""
    table = cast(Table, CallSession.__table__)
    statement = (
        update(table)
        .where(table.c.channel_id == bindparam("call"))
        .values(
            flow_state=bindparam("state", type_=table.c.flow_state.type),
            path=bindparam("path", type_=table.c.path.type),
            answered_at=func.coalesce(
                bindparam("answered", type_=table.c.answered_at.type), table.c.answered_at
            ),
        )
    )
    await session.execute(statement, [
        {"call": channel_id, "state": state, "path": list(state["path"]), "answered": answered}
        for channel_id, (state, answered) in states.items()
    ])


async def end_call(
    session: AsyncSession,
    *,
    channel_id: str,
    outcome: CallOutcome,
    path: list[str],
    metrics: dict[str, Any],
    ended_at: datetime,
) -> None:
    await session.execute(
        update(CallSession)
        .where(CallSession.channel_id == channel_id, CallSession.ended_at.is_(None))
        .values(outcome=outcome, path=path, metrics=metrics, ended_at=ended_at)
    )
    await audit(
        session,
        actor="ivr",
        entity="call",
        entity_id=channel_id,
        action=f"call_{outcome.value}",
        detail={"path": path},
    )


async def unfinished_calls(session: AsyncSession) -> list[CallSession]:
    result = await session.execute(
        select(CallSession).where(CallSession.outcome == CallOutcome.IN_PROGRESS)
    )
    return list(result.scalars())


async def next_order_number(session: AsyncSession, *, now: datetime) -> str:
    """YYMMDD (Shanghai) + a sequence of the day (routing/orders/order_numbers.py); on
    PostgreSQL from this process's reserved block (routing/orders/number_blocks.py)."""
    day = now.astimezone(SHANGHAI).strftime("%y%m%d")
    bind = session.get_bind()
    postgresql = bind.dialect.name == "postgresql"
    if postgresql and isinstance(bind, Engine):
        return format_number(day, await blocks_for(bind).take(day))
    # SQLite, or a session bound to one connection: the day's row, in this transaction.
    insert = pg_insert if postgresql else sqlite_insert
    statement = (
        insert(OrderCounter)
        .values(day=day, last=1)
        .on_conflict_do_update(index_elements=["day"], set_={"last": OrderCounter.last + 1})
        .returning(OrderCounter.last)
    )
    last = (await session.execute(statement)).scalar_one()
    return format_number(day, last)


async def insert_order(
    session: AsyncSession, *, new: NewOrder, actor: str, now: datetime,
    detail: dict[str, Any] | None = None,
) -> WorkOrder:
    """Write a new order (every source comes here): its number, row, deadlines and the
    `created` audit row, in the caller's transaction."""
    order = new_row(new, number=await next_order_number(session, now=now), now=now)
    session.add(order)
    await session.flush()
    await audit(session, actor=actor, entity="work_order", entity_id=order.number,
                action="created", detail={"source": new.source.value, **(detail or {})})
    return order


async def create_order_for_call(
    session: AsyncSession,
    *,
    channel_id: str,
    utility: Utility | None,
    order_type: OrderType,
    ivr_path: list[str],
    recording_name: str | None,
    needs_agent: bool,
    now: datetime,
) -> WorkOrder:
    """The order for this call; if one exists already (a retry, a reclaimed call) it is it."""
    call = await call_by_channel(session, channel_id=channel_id)
    if call is None:
        raise LookupError(f"no call session for channel {channel_id}")
    existing = await session.execute(select(WorkOrder).where(WorkOrder.call_session_id == call.id))
    order = existing.scalar_one_or_none()
    if order is not None:
        return order
    new = NewOrder(
        source=Source.CALL, utility=utility, order_type=order_type,
        caller_number=call.caller_number, needs_agent=needs_agent, ivr_path=tuple(ivr_path),
        recording_name=recording_name, call_session_id=call.id,
    )
    return await insert_order(session, new=new, actor="ivr", now=now,
                              detail={"channel_id": channel_id, "path": ivr_path})


async def create_order_from_message(
    session: AsyncSession, *, recording_name: str, caller_number: str | None, now: datetime
) -> WorkOrder | None:
    """An order for a message left while the app was down; None if it has one already."""
    existing = await session.execute(
        select(WorkOrder.id).where(WorkOrder.recording_name == recording_name)
    )
    if existing.first() is not None:
        return None
    new = NewOrder(
        source=Source.MESSAGE, utility=None, order_type=OrderType.HELP,
        caller_number=caller_number, needs_agent=True, ivr_path=("fallback_message",),
        recording_name=recording_name,
    )
    return await insert_order(session, new=new, actor="ivr", now=now,
                              detail={"recording": recording_name})


async def attach_recording(
    session: AsyncSession, *, order_number: str, path: str, size: int, seconds: float | None
) -> None:
    await session.execute(
        update(WorkOrder)
        .where(WorkOrder.number == order_number)
        .values(recording_path=path, recording_bytes=size, recording_seconds=seconds)
    )


async def attach_speech(
    session: AsyncSession,
    *,
    order_number: str,
    transcript: str,
    speech: dict[str, Any],
    emergency: bool,
    disagreement: bool,
    district: str | None,
    address: str | None,
    cases: Sequence[str] = (),
) -> None:
    """What the caller said, and what it means for the order.

    Words can only raise the emergency flag, never lower what the keys said, and fill the
    district and address only where nothing was recorded yet. The first SLA case they name
    that the table has for the order becomes its case, with its limits, unless one was set
    (`routing.orders.order_store.take_heard_case`); the row is locked so no event writes between.
    """
    query = select(WorkOrder).where(WorkOrder.number == order_number).with_for_update()
    order = (await session.execute(query)).scalar_one_or_none()
    if order is None:
        return
    order.transcript, order.speech = transcript, speech
    order.emergency = order.emergency or emergency
    order.keys_words_disagree = disagreement
    order.district = order.district or district
    order.address = order.address or address
    case = take_heard_case(order, list(cases))
    await audit(
        session,
        actor="speech",
        entity="work_order",
        entity_id=order_number,
        action="transcribed",
        detail={"emergency": emergency, "disagreement": disagreement, "case": case,
                "clauses": order.deadline_clauses if case else None},
    )


async def audit(
    session: AsyncSession,
    *,
    actor: str,
    entity: str,
    entity_id: str,
    action: str,
    detail: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEvent(
            at=utcnow(),
            actor=actor,
            entity=entity,
            entity_id=entity_id,
            action=action,
            detail=detail or {},
        )
    )
