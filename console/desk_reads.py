"""The order desk's reads from the database: its lists with their counts, and everything an
order's page shows beside the order itself (its timeline, the caller's earlier orders, the
unit `route()` suggests). The rules of what goes where are `console.desk_rules`."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from console.desk_rules import CURRENT_DEADLINE, DUE_SOON, VIEW_STATES, View, urgency
from routing.admin.audit import ENTITY, is_read
from routing.agencies.directory import AgencyDirectory, RoutingError, route
from routing.orders.calendar import SHANGHAI
from routing.orders.order_store import default_policy
from routing.store.evidence_tables import OrderPhoto
from routing.store.models import AuditEvent, Base, CallSession, WorkOrder
from routing.store.order_tables import Notification


def _from_ivr() -> ColumnElement[bool]:
    """An order the IVR made (it has the caller's recording) and nobody has reviewed yet."""
    made_by_ivr = WorkOrder.recording_name.is_not(None)
    reviewed = getattr(WorkOrder, "reviewed_at", None)  # issue 11's review list, when there
    return and_(made_by_ivr, reviewed.is_(None)) if reviewed is not None else made_by_ivr


def _late(now: datetime) -> ColumnElement[bool]:
    soon = now + DUE_SOON
    return or_(*(
        and_(WorkOrder.status == state, getattr(WorkOrder, column) < soon)
        for state, column in CURRENT_DEADLINE.items()
    ))


def view_condition(view: View, now: datetime) -> ColumnElement[bool]:
    if view is View.ALL:
        return WorkOrder.id.is_not(None)
    if view is View.LATE:
        return _late(now)
    condition = WorkOrder.status.in_(VIEW_STATES[view])
    if view is View.REVIEW:
        return and_(condition, _from_ivr())
    if view is View.DISPATCH:
        return and_(condition, ~_from_ivr())
    return condition


def filter_conditions(query: dict[str, Any]) -> list[ColumnElement[bool]]:
    """The filters of the desk (already validated values)."""
    found: list[ColumnElement[bool]] = []
    if query.get("utility"):
        found.append(WorkOrder.utility == query["utility"])
    if query.get("district"):
        found.append(WorkOrder.district == query["district"])
    if query.get("agency"):
        found.append(WorkOrder.agency_id == query["agency"])
    if query.get("number"):
        found.append(WorkOrder.number.startswith(query["number"], autoescape=True))
    if query.get("caller"):
        found.append(WorkOrder.caller_number.contains(query["caller"], autoescape=True))
    if query.get("date") is not None:
        start = datetime.combine(query["date"], time(), SHANGHAI)
        found.append(and_(WorkOrder.created_at >= start,
                          WorkOrder.created_at < start + timedelta(days=1)))
    return found


async def counts(session: AsyncSession, filters: list[ColumnElement[bool]], now: datetime
                 ) -> dict[str, int]:
    result = {}
    for view in View:
        query = select(func.count()).select_from(WorkOrder).where(
            view_condition(view, now), *filters)
        result[view.value] = (await session.execute(query)).scalar_one()
    return result


async def listed(session: AsyncSession, view: View, filters: list[ColumnElement[bool]],
                 now: datetime, limit: int) -> list[WorkOrder]:
    """Most urgent first (emergencies, then the nearest deadline), newest first among equals."""
    due = case(*((WorkOrder.status == state, getattr(WorkOrder, column))
                 for state, column in CURRENT_DEADLINE.items()))
    order: list[ColumnElement[Any]] = [WorkOrder.emergency.desc(), WorkOrder.created_at.desc()]
    if view is View.LATE:
        order = [due.asc(), WorkOrder.emergency.desc(), WorkOrder.created_at.desc()]
    query = select(WorkOrder).where(view_condition(view, now), *filters).order_by(*order)
    return list((await session.execute(query.limit(limit))).scalars())


def current_due(row: WorkOrder) -> tuple[str | None, datetime | None]:
    column = CURRENT_DEADLINE.get(row.status)
    return (column, getattr(row, column)) if column else (None, None)


def summary_json(row: WorkOrder, now: datetime) -> dict[str, Any]:
    name, due = current_due(row)
    return {
        "number": row.number,
        "utility": row.utility.value if row.utility else None,
        "order_type": row.order_type.value,
        "status": row.status.value,
        "emergency": row.emergency,
        "district": row.district,
        "address": row.address,
        "agency_id": row.agency_id,
        "caller_number": row.caller_number,
        "created_at": row.created_at.isoformat(),
        "from_ivr": row.recording_name is not None,
        "due": {"name": name, "at": due.isoformat() if due else None,
                "urgency": urgency(due, now).value},
    }


async def timeline(session: AsyncSession, row: WorkOrder) -> list[dict[str, Any]]:
    """Every event of the order with who and when: its call, its changes (the audit trail,
    reads left out), the sweeper's notices and duty-line rings, the photos, oldest first."""
    items: list[dict[str, Any]] = []
    audit = select(AuditEvent).where(AuditEvent.entity == ENTITY,
                                     AuditEvent.entity_id == row.number)
    for event in (await session.execute(audit.order_by(AuditEvent.at))).scalars():
        if not is_read(event.action):
            items.append({"at": event.at.isoformat(), "kind": event.action,
                          "who": event.actor, "role": event.role, "detail": event.detail})
    if row.call_session_id is not None:
        call = await session.get(CallSession, row.call_session_id)
        if call is not None:
            items.append({"at": call.started_at.isoformat(), "kind": "call", "who": "ivr",
                          "role": None, "detail": {"outcome": call.outcome.value,
                                                   "path": call.path}})
    notices = select(Notification).where(Notification.order_id == row.id)
    for notice in (await session.execute(notices)).scalars():
        items.append({"at": notice.created_at.isoformat(), "kind": f"notice:{notice.kind}",
                      "who": "sweeper", "role": None,
                      "detail": {"result": notice.result, "agency": notice.agency_id,
                                 "due_at": notice.due_at.isoformat()}})
    items += await _surveys(session, row.id)
    return sorted(items, key=lambda item: item["at"])


async def _surveys(session: AsyncSession, order_id: int) -> list[dict[str, Any]]:
    """The callback survey calls (回访) of the order, where that table exists (issue 11)."""
    table = Base.metadata.tables.get("callback_surveys")
    if table is None or "order_id" not in table.c:
        return []
    found = await session.execute(select(table).where(table.c.order_id == order_id))
    items = []
    for survey in found.mappings():
        at = survey.get("finished_at") or survey.get("reached_at") or survey.get("reported_at")
        if at is None:
            continue
        items.append({"at": at.isoformat(), "kind": "survey", "who": "survey", "role": None,
                      "detail": {k: _plain(survey.get(k)) for k in _SURVEY_FIELDS}})
    return items


_SURVEY_FIELDS = ("status", "attempts", "last_result", "satisfaction")


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


async def photos(session: AsyncSession, order_id: int) -> list[dict[str, Any]]:
    query = select(OrderPhoto.id, OrderPhoto.uploaded_by, OrderPhoto.uploaded_at,
                   OrderPhoto.content_type, OrderPhoto.size).where(OrderPhoto.order_id == order_id)
    return [{"id": p.id, "by": p.uploaded_by, "at": p.uploaded_at.isoformat(),
             "content_type": p.content_type, "size": p.size}
            for p in (await session.execute(query.order_by(OrderPhoto.id)))]


async def earlier_orders(session: AsyncSession, row: WorkOrder, now: datetime
                         ) -> list[dict[str, Any]]:
    if not row.caller_number:
        return []
    query = (select(WorkOrder).where(WorkOrder.caller_number == row.caller_number,
                                     WorkOrder.id != row.id)
             .order_by(WorkOrder.created_at.desc()).limit(20))
    return [summary_json(o, now) for o in (await session.execute(query)).scalars()]


def suggestion(directory: AgencyDirectory, row: WorkOrder) -> dict[str, str] | None:
    """The unit `route()` names for the order as it is classified now, or None."""
    try:
        agency = route(directory, row.utility, row.district)
    except RoutingError:  # not classified yet, or a district the directory does not know
        return None
    return {"id": agency.id, "name": agency.name}


def cases(row: WorkOrder) -> list[str]:
    """The cases the SLA table has for the order's utility and type (what 定性 may choose)."""
    if row.utility is None:
        return []
    rows = default_policy().rows
    return sorted(c for (u, t, c) in rows if (u, t) == (row.utility, row.order_type))


def agencies(directory: AgencyDirectory) -> list[dict[str, Any]]:
    return [{"id": a.id, "name": a.name, "utilities": [u.value for u in a.utilities],
             "district": a.district} for a in directory.agencies.values()]

