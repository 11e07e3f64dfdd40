"""The bridge between `work_orders` rows and the pure lifecycle `Order`.

`to_order` rebuilds the lifecycle record of a row (from its stored record, or from its
columns for an order no event has touched yet); `write_back` copies an order's new state onto
the row's queryable columns; `project` writes the extension and pending-step rows an event
added. `fill_deadlines` stamps a new order's deadlines from the SLA policy table, for the
row's own (utility, type, case, complex); `write_back` recomputes them whenever an event
changed any of those keys, and `classify_row` does so for a writer outside the lifecycle
(`take_heard_case`: the case the caller's words name).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import replace
from datetime import UTC
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from routing.orders.approvals import PendingRequest, Verdict
from routing.orders.calendar import WorkingDayCalendar
from routing.orders.lifecycle import Order, as_json
from routing.orders.policy import (
    GENERAL,
    Deadlines,
    SlaPolicy,
    UnknownOrderError,
    compute_deadlines,
    load_policy,
)
from routing.orders.transitions import Role, State
from routing.store.models import WorkOrder
from routing.store.order_tables import OrderExtension, PendingStep

log = logging.getLogger(__name__)
_ORDER = TypeAdapter(Order)


@functools.cache
def default_policy() -> SlaPolicy:
    """The packaged SLA table, read once per process (it is validated data, not state)."""
    return load_policy()


@functools.cache
def default_calendar() -> WorkingDayCalendar:
    return WorkingDayCalendar()


def check_case(utility: str | None, order_type: str, case: str) -> None:
    """UnknownOrderError unless the SLA table has the row (utility, type, case)."""
    if utility is None:
        if case != GENERAL:
            raise UnknownOrderError(f"case {case!r} needs the order's utility first")
        return
    default_policy().row(utility, order_type, case)


def deadlines_for(row: WorkOrder) -> Deadlines | None:
    """The policy's deadlines for the row's (utility, type, case, complex) at its creation;
    None when the order is not classified yet or the table has no row for it (logged)."""
    if row.utility is None:
        return None
    try:
        return compute_deadlines(
            default_policy(), default_calendar(), utility=row.utility,
            order_type=row.order_type, created_at=row.created_at,
            case=row.case or GENERAL, complex=bool(row.complex),
        )
    except UnknownOrderError as exc:
        log.warning("no SLA row for order %s: %s", row.number, exc)
        return None


def _due_columns(deadlines: Deadlines) -> dict[str, Any]:
    return {
        "dispatch_due": deadlines.dispatch_due, "receipt_due": deadlines.receipt_due,
        "onsite_due": deadlines.onsite_due, "resolve_due": deadlines.resolve_due,
        "deadline_clauses": list(deadlines.clauses),
    }


def fill_deadlines(row: WorkOrder) -> Deadlines | None:
    """Stamp the row's deadlines (dispatch, receipt, on-site, resolution and their clauses)."""
    deadlines = deadlines_for(row)
    if deadlines is not None:
        for name, value in _due_columns(deadlines).items():
            setattr(row, name, value)
    elif row.utility is None:
        _same_day_dispatch(row)
    return deadlines


def _same_day_dispatch(row: WorkOrder) -> None:
    """An order with no utility yet (a message left at key 0) has no row of the table, but
    whatever is accepted today is dispatched today (L 3.2.4(1)): the table-wide cap, so it
    is on the review list's clock and chased like any other."""
    cap = default_policy().dispatch_cap
    row.dispatch_due = cap.limit.due(row.created_at, default_calendar()).astimezone(UTC)
    row.deadline_clauses = list(cap.clauses)


def _recomputed(row: WorkOrder, order: Order) -> tuple[Order, dict[str, Any]]:
    """The order and due columns after its (type, case, complex) changed: the new row's
    limits from the acceptance instant. Approved extension time still counts as within the
    limit (L 3.1.5(3)): a later approved due stays. UnknownOrderError if there is no row."""
    if order.utility is None:
        return order, {}
    deadlines = compute_deadlines(
        default_policy(), default_calendar(), utility=order.utility,
        order_type=order.order_type, created_at=row.created_at, case=order.case,
        complex=order.complex,
    )
    resolve_due = deadlines.resolve_due
    approved = [e.new_due for e in order.extensions if e.verdict is Verdict.APPROVED]
    if approved and (resolve_due is None or approved[-1] > resolve_due):
        resolve_due = approved[-1]
    order = replace(order, resolve_due=resolve_due, onsite_due=deadlines.onsite_due)
    return order, {**_due_columns(deadlines), "resolve_due": resolve_due}


def classify_row(row: WorkOrder, *, case: str, complex: bool = False) -> Deadlines | None:
    """Give an order a case (and complexity) outside the lifecycle's events, e.g. what the
    caller's words suggest: the columns, the lifecycle record and the deadlines follow.
    UnknownOrderError when the table has no such row for the order."""
    check_case(row.utility, row.order_type, case)
    before = to_order(row)
    order, dues = _recomputed(row, replace(before, case=case, complex=complex))
    row.case, row.complex = case, complex
    for name, value in dues.items():
        setattr(row, name, value)
    if row.lifecycle is not None:
        row.lifecycle = as_json(order)
    return deadlines_for(row)


def to_order(row: WorkOrder) -> Order:
    """The lifecycle record of a row."""
    # The SLA keys, the on-site limit and the arrival: the columns hold them (a record
    # written before they existed has none of them).
    if row.lifecycle is not None:
        order = _ORDER.validate_python(row.lifecycle)
    else:
        order = Order(
            order_id=row.number, order_type=row.order_type, utility=row.utility,
            created_at=row.created_at, state=row.status, agency=row.agency_id,
            resolve_due=row.resolve_due, dispatched_at=row.dispatched_at, linked_order_id=None,
        )
    return replace(order, case=row.case or GENERAL, complex=bool(row.complex),
                   onsite_due=row.onsite_due, arrived_at=row.arrived_at)


def write_back(row: WorkOrder, order: Order) -> dict[str, Any]:
    """The column values of the row after `order` (for a versioned UPDATE); when the event
    changed the type, case or complexity, the deadlines are recomputed from the table
    (UnknownOrderError if it has no such row)."""
    dues: dict[str, Any] = {}
    if (order.order_type, order.case, order.complex) != (row.order_type, row.case, row.complex):
        order, dues = _recomputed(row, order)
    return dues | {
        "case": order.case, "complex": order.complex, "arrived_at": order.arrived_at,
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


def take_heard_case(row: WorkOrder, heard: list[str]) -> str | None:
    """The first case the caller's words named that the SLA table has for this order, given
    to the order (deadlines recomputed, version bumped) unless a case was set already or the
    order is closed; None when nothing was taken."""
    if (row.case or GENERAL) != GENERAL or row.status is State.CLOSED:
        return None
    for case in heard:
        try:
            classify_row(row, case=case, complex=bool(row.complex))
        except UnknownOrderError:
            continue
        row.version += 1  # a lifecycle writer holding the old version must reload
        return case
    return None
