"""The durable deadline sweeper: late receipts and late resolutions become notifications.

Everything it knows is in the database, so it may stop, restart, or run in two processes at
once. Late orders are read through the (status, due) indexes, a batch at a time, with
`FOR UPDATE SKIP LOCKED` on PostgreSQL so two sweepers share the work; each notice is an
`INSERT ... ON CONFLICT DO NOTHING` on the unique (order, kind, due_at), so even two sweepers
reading the same order write each notice exactly once.

Notices repeat every `renotify` while the order stays late: the first to the agency
(`receipt_late`, `resolve_late`, `onsite_late` while no arrival on site is reported), later
ones escalated to the center (`*_escalation`).
A late receipt is also chased by phone (`voice_escalation`, the ARI side rings): the steps of
the dispatch policy's receipt chase (routing/dispatch/dispatch_policy.yaml) — the duty line again,
the
unit's backup contact, the duty supervisor — one notice per step, only the step owed now.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, Table, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from routing.dispatch.dispatch_policy import ReceiptChase, chase_step, chased, load_dispatch_policy
from routing.dispatch.dispatcher import push_due
from routing.orders.order_service import OrderEngine
from routing.orders.transitions import State
from routing.store.models import WorkOrder
from routing.store.order_tables import Notification

log = logging.getLogger(__name__)
RECEIPT_STATES = (State.DISPATCHED,)
# Pending (待办) orders are excluded: their limit is the approval chain's business.
RESOLVE_STATES = (State.DISPATCHED, State.RECEIVED, State.NOT_HANDLED)
# A crew is owed on site until the unit reports arrival (models.ONSITE_CHASE, issue 16).
ONSITE_STATES = (State.DISPATCHED, State.RECEIVED)
_CHASED = {
    "receipt": (WorkOrder.receipt_due, RECEIPT_STATES),
    "resolve": (WorkOrder.resolve_due, RESOLVE_STATES),
    "onsite": (WorkOrder.onsite_due, ONSITE_STATES),
}


@dataclass(frozen=True)
class SweepPolicy:
    renotify: timedelta = timedelta(minutes=30)
    # An emergency's receipt is due at once (L 3.2.4(2)); give the push this long to be
    # signed for before ringing the duty line.
    receipt_grace: timedelta = timedelta(minutes=5)
    batch: int = 500
    chase: ReceiptChase = field(default_factory=lambda: load_dispatch_policy().receipt_chase)


@dataclass
class SweepReport:
    examined: int = 0
    notified: int = 0
    pushes: int = 0


def notices_for(*, kind: str, due: datetime, now: datetime, renotify: timedelta
                ) -> tuple[str, datetime] | None:
    """The notice owed now for a limit that ended at `due`: its kind and due_at (the start
    of the current renotify period), or None when nothing is owed yet."""
    if now < due:
        return None
    period = int((now - due) / renotify)
    return (f"{kind}_late" if period == 0 else f"{kind}_escalation", due + period * renotify)


def _late(column: Any, states: tuple[State, ...], now: datetime, after: tuple[datetime, int] | None,
          batch: int) -> Select[Any]:
    query = select(WorkOrder).where(WorkOrder.status.in_(states), column <= now)
    if after is not None:  # keyset pagination: every late order is reached, none twice
        query = query.where(tuple_(column, WorkOrder.id) > after)
    return query.order_by(column, WorkOrder.id).limit(batch)


async def _insert_notices(session: AsyncSession, rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = Notification.__table__
    assert isinstance(table, Table)
    # One compiled statement run for many rows (executemany), not a new multi-VALUES
    # statement compiled per batch: the compile was most of a sweep's time.
    statement = (
        insert(table)
        .on_conflict_do_nothing(index_elements=["order_id", "kind", "due_at"])
        .returning(table.c.id)
    )
    connection = await session.connection()
    return len((await connection.execute(statement, rows)).all())


def _row_notices(order: WorkOrder, *, kind: str, due: datetime, now: datetime,
                 policy: SweepPolicy) -> list[dict[str, Any]]:
    if kind == "receipt" and order.dispatched_at is not None:
        due = max(due, order.dispatched_at + policy.receipt_grace)
    owed = notices_for(kind=kind, due=due, now=now, renotify=policy.renotify)
    if owed is None:
        return []
    base = {"order_id": order.id, "due_at": owed[1], "created_at": now,
            "agency_id": order.agency_id, "detail": {"number": order.number}}
    notices = [{**base, "kind": owed[0]}]
    if kind == "receipt" and chased(policy.chase, emergency=order.emergency):
        notices.extend(_chase_notice(policy.chase, base, start=due, now=now))
    return notices


def _chase_notice(chase: ReceiptChase, base: dict[str, Any], *, start: datetime, now: datetime
                  ) -> list[dict[str, Any]]:
    call = chase_step(chase, start=start, now=now)
    if call is None:
        return []
    detail = {**base["detail"], "contact": call.contact.value, "step": call.step}
    return [{**base, "kind": "voice_escalation", "due_at": call.due_at, "detail": detail}]


async def _sweep_kind(engine: OrderEngine, *, kind: str, now: datetime, policy: SweepPolicy,
                      report: SweepReport) -> None:
    column, states = _CHASED[kind]
    after: tuple[datetime, int] | None = None
    while True:
        async with engine.sessions.begin() as session:
            query = _late(column, states, now, after, policy.batch)
            if kind == "onsite":  # an arrival reported ends the chase
                query = query.where(WorkOrder.arrived_at.is_(None))
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            orders = list((await session.execute(query)).scalars())
            rows = [n for o in orders for n in _row_notices(
                o, kind=kind, due=getattr(o, column.key), now=now, policy=policy)]
            report.notified += await _insert_notices(session, rows)
        report.examined += len(orders)
        if len(orders) < policy.batch:
            return
        after = (getattr(orders[-1], column.key), orders[-1].id)


async def sweep_once(engine: OrderEngine, *, now: datetime,
                     policy: SweepPolicy | None = None) -> SweepReport:
    """One pass: late receipts, late resolutions, then the pushes due for (re)sending."""
    policy = policy or SweepPolicy()
    report = SweepReport()
    for kind in ("receipt", "resolve", "onsite"):
        await _sweep_kind(engine, kind=kind, now=now, policy=policy, report=report)
    report.pushes = len(await push_due(engine, now=now))
    return report


async def run_sweeper(engine: OrderEngine, *, interval_s: float,
                      policy: SweepPolicy | None = None) -> None:
    """Sweep every interval until cancelled; a failed pass is logged and the next one runs."""
    while True:
        try:
            report = await sweep_once(engine, now=datetime.now(UTC), policy=policy)
            if report.notified or report.pushes:
                log.info("sweep: %s", report)
        except asyncio.CancelledError:
            raise
        except Exception:  # a database blip must not end the sweeper; it runs again
            log.exception("sweep failed; retrying in %.0f s", interval_s)
        await asyncio.sleep(interval_s)
