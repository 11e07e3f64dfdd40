"""Dispatch (派单): route an order to its unit, move it to `dispatched` and queue the signed push,
in one transaction on top of the order engine's (`routing.orders.order_service.commit_event`).

Here, not among the orders, because the push row is the dispatcher's: orders stand below
dispatch and import nothing of it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from routing.agencies.directory import (
    Agency,
    AgencyDirectory,
    NeedsTriageError,
    RoutingError,
    route,
)
from routing.dispatch.webhook import idempotency_key, is_urgent
from routing.orders.lifecycle import Command, Event, Role
from routing.orders.order_service import (
    AlsoInTransaction,
    NoAgency,
    OrderEngine,
    commit_event,
    load_row,
)
from routing.orders.order_store import fill_deadlines
from routing.store.models import WorkOrder
from routing.store.order_tables import DispatchAttempt, PushStatus

# A push is claimed for this long by whoever sends it; after that the sweeper may retry it
# (the sender died). Longer than any webhook timeout.
PUSH_LEASE_S = 60


async def dispatch(engine: OrderEngine, *, number: str, actor: str, role: Role, at: datetime,
                   agency_id: str | None = None, also: AlsoInTransaction | None = None,
                   ) -> tuple[WorkOrder, DispatchAttempt]:
    """Route the order to its agency, move it to `dispatched` and queue the signed push.

    The push row is claimed for PUSH_LEASE_S by this caller, who sends it after the commit
    (`routing.dispatch.dispatcher.push`); if the caller dies, the sweeper sends it when the lease
    ends.
    `agency_id` is a unit the dispatcher chose instead of the one `route()` names. `also`
    writes more in the same transaction (the automatic dispatcher's mark and duty call).
    """
    async with engine.sessions.begin() as session:
        row = await load_row(session, number=number)
        directory = engine.directory
        agency = _chosen(directory, agency_id) if agency_id else _route(directory, row)
        if row.resolve_due is None:
            fill_deadlines(row)
        command = Command(event=Event.DISPATCH, actor=actor, role=role, at=at, agency=agency.id)
        row = await commit_event(session, row=row, command=command)
        if also is not None:
            await also(session, row)
        count = await session.execute(
            select(func.count()).select_from(DispatchAttempt)
            .where(DispatchAttempt.order_id == row.id)
        )
        attempt = DispatchAttempt(
            order_id=row.id, agency_id=agency.id, urgent=is_urgent(row.order_type) or row.emergency,
            idempotency_key=idempotency_key(row.number, count.scalar_one() + 1), attempts=0,
            status=PushStatus.QUEUED if agency.webhook_url else PushStatus.NO_WEBHOOK,
            next_attempt_at=_lease(at) if agency.webhook_url else None, created_at=at,
        )
        session.add(attempt)
    return row, attempt


def _route(directory: AgencyDirectory, row: WorkOrder) -> Agency:
    try:
        return route(directory, row.utility, row.district)
    except NeedsTriageError as exc:
        raise NoAgency(f"needs-triage: {exc}") from None
    except RoutingError as exc:
        raise NoAgency(str(exc)) from None


def _chosen(directory: AgencyDirectory, agency_id: str) -> Agency:
    if agency_id not in directory.agencies:
        raise NoAgency(f"no agency {agency_id!r} in the directory")
    return directory.agencies[agency_id]


def _lease(at: datetime) -> datetime:
    return at + timedelta(seconds=PUSH_LEASE_S)
