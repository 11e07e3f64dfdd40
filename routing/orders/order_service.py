"""Carrying out order commands against the database: intake and events (dispatch, which also
queues the push to the unit, is `routing.dispatch.assignment`'s).

Each command is ONE transaction: load the row, apply the pure lifecycle
(`routing.orders.lifecycle`),
write the new state with `UPDATE ... WHERE version = <the version read>` (optimistic
locking: of two writers that read the same version, one wins and the other gets
`OrderChanged`, nothing written), then the projection and audit rows. A refused command
(`OrderError`, `ServiceError`) rolls the whole transaction back. The webhook push of a
dispatch happens after its transaction commits (`routing.dispatch.dispatcher`): no network wait
holds a database lock.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

import aiohttp
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from routing.agencies.directory import AgencyDirectory, RoutingError
from routing.enums import OrderType, Utility, WebhookScheme
from routing.followup.survey_trigger import schedule_survey
from routing.orders.lifecycle import Command, Event, Order, apply, as_json
from routing.orders.order_intake import NewOrder, Source
from routing.orders.order_store import (
    check_case,
    project,
    to_order,
    write_back,
)
from routing.orders.policy import UnknownOrderError
from routing.orders.repository import audit, insert_order
from routing.store.models import CallSession, WorkOrder


class ServiceError(Exception):
    """A refused request outside the lifecycle's own rules; nothing was written."""

    error_id: ClassVar[str] = "service-error"
    status: ClassVar[int] = 409


class OrderNotFound(ServiceError):
    error_id, status = "order-not-found", 404


class OrderChanged(ServiceError):
    error_id = "order-changed"  # another writer applied an event first: reload and retry


class CallNotFound(ServiceError):
    error_id, status = "call-not-found", 422


class CallHasOrder(ServiceError):
    error_id = "call-has-order"


class NoAgency(ServiceError):
    error_id, status = "no-agency", 422


class UnknownCase(ServiceError):
    error_id, status = "unknown-case", 422  # no row of the SLA table for it


AlsoInTransaction = Callable[[AsyncSession, WorkOrder], Awaitable[None]]


@dataclass(frozen=True)
class OrderEngine:
    """What the service needs: sessions, the agency directory, an HTTP client for pushes."""

    sessions: async_sessionmaker[AsyncSession]
    directory: AgencyDirectory
    http: aiohttp.ClientSession | None = None
    environ: Mapping[str, str] = field(default_factory=dict)  # webhook secrets live here
    webhook_timeout_s: float = 10.0
    webhook_scheme: WebhookScheme = WebhookScheme.STANDARD  # how pushes are signed


@dataclass(frozen=True)
class Intake:
    """An order taken by an agent (or the web); district is a slug or a Chinese name."""

    utility: Utility | None
    order_type: OrderType
    description: str
    caller_number: str | None
    district: str | None = None
    address: str | None = None
    call_id: str | None = None
    emergency: bool = False
    parent_order_id: int | None = None
    source: Source = Source.AGENT
    case: str = "general"  # the SLA table's row keys (routing/orders/sla_policy.yaml)
    complex: bool = False


async def load_row(session: AsyncSession, *, number: str, lock: bool = False) -> WorkOrder:
    """The order row by number, or OrderNotFound."""
    query = select(WorkOrder).where(WorkOrder.number == number)
    row = (await session.execute(query.with_for_update() if lock else query)).scalar_one_or_none()
    if row is None:
        raise OrderNotFound(f"no order {number}")
    return row


async def create_order(engine: OrderEngine, *, intake: Intake, actor: str, now: datetime
                       ) -> WorkOrder:
    """A new order in state `created`, with its deadlines, linked to its call if named."""
    district = _district(engine.directory, intake.district)
    _check_case(intake.utility, intake.order_type, intake.case)
    async with engine.sessions.begin() as session:
        call_id = await _call_session_id(session, intake.call_id)
        new = NewOrder(
            source=intake.source, utility=intake.utility, order_type=intake.order_type,
            caller_number=intake.caller_number, description=intake.description,
            district=district, address=intake.address, emergency=intake.emergency,
            call_session_id=call_id, parent_order_id=intake.parent_order_id,
            case=intake.case, complex=intake.complex,
        )
        row = await insert_order(session, new=new, actor=actor, now=now,
                                 detail={"call_id": intake.call_id, "case": intake.case,
                                         "complex": intake.complex})
    return row


def _check_case(utility: Utility | None, order_type: OrderType, case: str) -> None:
    try:
        check_case(utility, order_type, case)
    except UnknownOrderError as exc:
        raise UnknownCase(str(exc)) from None


def _district(directory: AgencyDirectory, text: str | None) -> str | None:
    try:
        return None if text is None else directory.district_slug(text)
    except RoutingError as exc:
        raise NoAgency(str(exc)) from None


async def _call_session_id(session: AsyncSession, channel_id: str | None) -> int | None:
    if channel_id is None:
        return None
    found = await session.execute(select(CallSession).where(CallSession.channel_id == channel_id))
    call = found.scalar_one_or_none()
    if call is None:
        raise CallNotFound(f"no call session {channel_id}")
    taken = await session.execute(select(WorkOrder.id).where(WorkOrder.call_session_id == call.id))
    if taken.first() is not None:
        raise CallHasOrder(f"call {channel_id} already has an order")
    return call.id


async def apply_event(engine: OrderEngine, *, number: str, command: Command) -> WorkOrder:
    """Apply one lifecycle command and persist it, or raise and write nothing."""
    async with engine.sessions.begin() as session:
        row = await load_row(session, number=number)
        return await commit_event(session, row=row, command=command)


async def commit_event(session: AsyncSession, *, row: WorkOrder, command: Command
                        ) -> WorkOrder:
    before: Order = to_order(row)
    outcome = apply(order=before, command=command)  # pure: raises before anything is written
    try:
        values = write_back(row, outcome.order)  # recomputes the deadlines on a new case
    except UnknownOrderError as exc:
        raise UnknownCase(str(exc)) from None
    if command.event is Event.RECEIVE:
        values["received_at"] = command.at
    result = await session.execute(
        update(WorkOrder).where(WorkOrder.id == row.id, WorkOrder.version == row.version)
        .values(**values, version=row.version + 1)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise OrderChanged(f"order {row.number} was changed by someone else; reload it")
    await project(session, row_id=row.id, before=before, after=outcome.order)
    await audit(session, actor=command.actor, entity="work_order", entity_id=row.number,
                action=command.event.value, detail=as_json(outcome.audit))
    await schedule_survey(session, row=row, event=command.event, at=command.at)  # 回访
    await session.refresh(row)
    return row
