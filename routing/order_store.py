"""The bridge between `work_orders` rows and the pure lifecycle `Order`.

`to_order` rebuilds the lifecycle record of a row (from its stored record, or from its
columns for an order no event has touched yet); `write_back` copies an order's new state onto
the row's queryable columns; `project` writes the extension and pending-step rows an event
added. `fill_deadlines` stamps a new order's deadlines from the SLA policy table.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from routing.approvals import PendingRequest
from routing.calendar import WorkingDayCalendar
from routing.lifecycle import Order, as_json
from routing.models import WorkOrder
from routing.order_tables import OrderExtension, PendingStep
from routing.policy import Deadlines, SlaPolicy, UnknownOrderError, compute_deadlines, load_policy
from routing.transitions import Role

log = logging.getLogger(__name__)
_ORDER = TypeAdapter(Order)


@functools.cache
def default_policy() -> SlaPolicy:
    """The packaged SLA table, read once per process (it is validated data, not state)."""
    return load_policy()


@functools.cache
def default_calendar() -> WorkingDayCalendar:
    return WorkingDayCalendar()


def deadlines_for(row: WorkOrder) -> Deadlines | None:
    """The policy's deadlines for the row's (utility, type) at its creation; None when the
    order is not classified yet or the table has no row for it (logged, never guessed)."""
    if row.utility is None:
        return None
    try:
        return compute_deadlines(
            default_policy(), default_calendar(), utility=row.utility,
            order_type=row.order_type, created_at=row.created_at,
        )
    except UnknownOrderError as exc:
        log.warning("no SLA row for order %s: %s", row.number, exc)
        return None


def fill_deadlines(row: WorkOrder) -> Deadlines | None:
    """Stamp the row's deadlines (dispatch, receipt, on-site, resolution and their clauses)."""
    deadlines = deadlines_for(row)
    if deadlines is not None:
        row.dispatch_due, row.receipt_due = deadlines.dispatch_due, deadlines.receipt_due
        row.onsite_due, row.resolve_due = deadlines.onsite_due, deadlines.resolve_due
        row.deadline_clauses = list(deadlines.clauses)
    return deadlines


def to_order(row: WorkOrder) -> Order:
    """The lifecycle record of a row."""
    if row.lifecycle is not None:
        return _ORDER.validate_python(row.lifecycle)
    return Order(
        order_id=row.number, order_type=row.order_type, utility=row.utility,
        created_at=row.created_at, state=row.status, agency=row.agency_id,
        resolve_due=row.resolve_due, dispatched_at=row.dispatched_at,
        linked_order_id=None,
    )


def write_back(row: WorkOrder, order: Order) -> dict[str, Any]:
    """The column values of the row after `order` (for a versioned UPDATE)."""
    return {
        "status": order.state, "agency_id": order.agency, "order_type": order.order_type,
        "resolve_due": order.resolve_due, "dispatched_at": order.dispatched_at,
        "handled_at": order.handled_at, "completed_at": order.completed_at,
        "closed_at": order.closed_at, "extension_count": len(order.extensions),
        "pending_approved": order.pending_approved, "supervision": order.supervision,
        "lifecycle": as_json(order),
    }


async def project(session: AsyncSession, *, row_id: int, before: Order, after: Order) -> None:
    """Write the extension and pending-chain rows that the transition before → after made."""
    for seq, ext in enumerate(after.extensions, start=1):
        if seq > len(before.extensions):
            session.add(OrderExtension(
                order_id=row_id, seq=seq, requested_by=ext.requested_by,
                requested_at=ext.requested_at, reason=ext.reason,
                previous_due=ext.previous_due, new_due=ext.new_due, verdict=ext.verdict,
            ))
        elif before.extensions[seq - 1] != ext:  # decided by this event
            await session.execute(
                update(OrderExtension)
                .where(OrderExtension.order_id == row_id, OrderExtension.seq == seq)
                .values(verdict=ext.verdict, decided_by=ext.decided_by,
                        decided_at=ext.decided_at, comment=ext.comment)
            )
    _project_pending(session, row_id, before.pending, after.pending)


def _project_pending(
    session: AsyncSession, row_id: int, before: PendingRequest | None,
    after: PendingRequest | None,
) -> None:
    if after is None:
        return
    fresh = before is None or before.requested_at != after.requested_at
    if fresh:
        session.add(PendingStep(
            order_id=row_id, step="request", actor=after.requested_by, role=Role.AGENCY,
            approve=True, at=after.requested_at, comment=after.document,
        ))
    known = 0 if fresh or before is None else len(before.decisions)
    for decision in after.decisions[known:]:
        session.add(PendingStep(
            order_id=row_id, step=decision.step, actor=decision.actor, role=decision.role,
            approve=decision.approve, at=decision.at, comment=decision.comment,
        ))
