"""The order desk's endpoints (issue 12): its lists with counts, an order's page, dispatch to
a chosen unit, and the correction of an order's classification and place.

Center staff only (L 3.1.4); what the lists and the page disclose is audited like every
other read of orders. The rules (lists, deadlines, actions) are `console.desk_rules`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import update

from console import desk_reads as reads
from console.api import CENTER, ENGINE, current_user, now, read_body, translated
from console.desk_rules import (
    CORRECTORS,
    DESK_EVENTS,
    FIELDS,
    CorrectionRefused,
    View,
    allowed_events,
    correction_route,
    urgency,
)
from console.http import DISCLOSED, SESSIONS, _limit, _only, api_error, order_json, order_number
from console.orders_http import dispatch_and_push
from routing.admin.audit import CENTER_FIELDS, Read, disclosure
from routing.agencies.directory import RoutingError
from routing.enums import OrderType, Utility
from routing.orders.lifecycle import Command, Event, as_json
from routing.orders.order_service import OrderChanged, apply_event, load_row
from routing.orders.order_store import fill_deadlines, to_order
from routing.orders.repository import audit
from routing.orders.transitions import State
from routing.store.models import WorkOrder
from routing.store.order_tables import User

routes = web.RouteTableDef()
_FILTERS = {"view", "utility", "district", "agency", "date", "number", "caller", "limit"}
_DEADLINES = ("dispatch_due", "receipt_due", "onsite_due", "resolve_due")
HEARERS = frozenset(CENTER)  # who may hear a caller's recording (L 3.1.4): the center


def _desk_query(request: web.Request) -> tuple[View, dict[str, Any]]:
    _only(request, _FILTERS)
    raw = dict(request.query)
    try:
        view = View(raw.pop("view", "all"))
        if raw.get("utility"):
            Utility(raw["utility"])
        day = date.fromisoformat(raw["date"]) if raw.get("date") else None
    except ValueError as exc:
        raise api_error(web.HTTPBadRequest, "bad-parameter", f"筛选条件有误：{exc}") from None
    if any(len(v) > 64 for v in raw.values()):
        raise api_error(web.HTTPBadRequest, "bad-parameter", "筛选条件过长")
    return view, {**raw, "date": day}


@routes.get("/api/desk/orders")
async def desk_orders(request: web.Request) -> web.Response:
    """One list of the desk, most urgent first, and the count of every list."""
    await current_user(request, CENTER)
    view, query = _desk_query(request)
    limit = _limit(query.pop("limit", None) or "100")
    filters, at = reads.filter_conditions(query), now()
    async with request.app[SESSIONS]() as session:
        counts = await reads.counts(session, filters, at)
        rows = await reads.listed(session, view, filters, at, limit)
    request[DISCLOSED] = disclosure(Read.ORDER_LIST, (r.number for r in rows), CENTER_FIELDS)
    names = {a.id: a.name for a in request.app[ENGINE].directory.agencies.values()}
    return web.json_response({"view": view.value, "now": at.isoformat(), "counts": counts,
                              "orders": [reads.summary_json(r, at) for r in rows],
                              "agencies": names})


@routes.get("/api/desk/orders/{number}")
@translated
async def desk_order(request: web.Request) -> web.Response:
    """An order's page: the order, its timeline, deadlines with what is left, the caller's
    earlier orders, the suggested unit, and what this user may do with it."""
    user = await current_user(request, CENTER)
    at, engine = now(), request.app[ENGINE]
    async with request.app[SESSIONS]() as session:
        row = await load_row(session, number=order_number(request))
        page = {
            "order": order_json(row) | {"lifecycle": row.lifecycle},
            "timeline": await reads.timeline(session, row),
            "earlier": await reads.earlier_orders(session, row, at),
            "photos": await reads.photos(session, row.id),
        }
    request[DISCLOSED] = disclosure(Read.ORDER, [row.number], CENTER_FIELDS)
    return web.json_response(page | {
        "now": at.isoformat(),
        "deadlines": [_deadline(row, name, at) for name in _DEADLINES],
        "suggested_agency": reads.suggestion(engine.directory, row),
        "cases": reads.cases(row),
        "agencies": reads.agencies(engine.directory),
        "actions": [e.value for e in allowed_events(
            state=row.status, role=user.role, order_type=row.order_type, offered=DESK_EVENTS)],
        "can_correct": _can_correct(row, user),
        "can_hear": user.role in HEARERS and row.recording_path is not None,
    })


def _deadline(row: WorkOrder, name: str, at: Any) -> dict[str, Any]:
    due = getattr(row, name)
    return {"name": name, "at": due.isoformat() if due else None,
            "urgency": urgency(due, at).value,
            "seconds_left": (due - at).total_seconds() if due else None}


def _can_correct(row: WorkOrder, user: User) -> bool:
    if row.status is State.CREATED:
        return user.role in CORRECTORS
    return bool(allowed_events(state=row.status, role=user.role, order_type=row.order_type,
                               offered=(Event.RECLASSIFY,)))


class DispatchBody(BaseModel):
    """派单: to the unit route() suggests, or to the one the dispatcher chose instead."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    agency: str | None = Field(default=None, min_length=1, max_length=64)


@routes.post("/api/desk/orders/{number}/dispatch")
@translated
async def desk_dispatch(request: web.Request) -> web.Response:
    user = await current_user(request, CENTER)
    body = await read_body(request, DispatchBody)
    if body.agency is not None and body.agency not in request.app[ENGINE].directory.agencies:
        raise api_error(web.HTTPUnprocessableEntity, "no-agency", f"没有单位 {body.agency}")
    command = Command(event=Event.DISPATCH, actor=user.id, role=user.role, at=now(),
                     agency=body.agency)
    return web.json_response(await dispatch_and_push(request.app, order_number(request), command))


class Correction(BaseModel):
    """The fields to correct (those given); why, for the audit trail."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    utility: Utility | None = None
    order_type: OrderType | None = None
    district: str | None = Field(default=None, max_length=32)
    address: str | None = Field(default=None, min_length=1, max_length=256)
    emergency: bool | None = None
    reason: str | None = Field(default=None, max_length=500)


@routes.post("/api/desk/orders/{number}/correction")
@translated
async def desk_correction(request: web.Request) -> web.Response:
    user = await current_user(request, CENTER)
    body = await read_body(request, Correction)
    number, engine = order_number(request), request.app[ENGINE]
    async with engine.sessions() as session:
        row = await load_row(session, number=number)
    wanted = {k: v for k, v in body.model_dump(include=set(FIELDS)).items() if v is not None}
    if "district" in wanted:
        wanted["district"] = _district_slug(request, wanted["district"])
    changed = {k for k, v in wanted.items() if getattr(row, k) != v}
    try:
        how = correction_route(state=row.status, role=user.role, changed=changed)
    except CorrectionRefused as exc:
        status = {403: web.HTTPForbidden, 422: web.HTTPUnprocessableEntity}.get(
            exc.status, web.HTTPConflict)
        raise api_error(status, exc.error_id, str(exc)) from None
    if how == "reclassify":
        command = Command(event=Event.RECLASSIFY, actor=user.id, role=user.role, at=now(),
                          order_type=wanted["order_type"], reason=body.reason)
        row = await apply_event(engine, number=number, command=command)
    else:
        row = await _edit(request, number, {k: wanted[k] for k in changed}, user, body.reason)
    return web.json_response(order_json(row))


def _district_slug(request: web.Request, text: str) -> str:
    try:
        return request.app[ENGINE].directory.district_slug(text)
    except RoutingError as exc:
        raise api_error(web.HTTPUnprocessableEntity, "unknown-district", str(exc)) from None


async def _edit(request: web.Request, number: str, values: dict[str, Any], user: User,
                reason: str | None) -> WorkOrder:
    """Correct an order not yet dispatched: the fields, its deadlines from the SLA table for
    the new classification, its lifecycle record; one versioned write, audited."""
    async with request.app[ENGINE].sessions.begin() as session:
        row = await load_row(session, number=number)
        if row.status is not State.CREATED:
            raise OrderChanged(f"order {number} was dispatched meanwhile; reload it")
        before = {k: _plain(getattr(row, k)) for k in values}
        row_id, version = row.id, row.version
        columns = _corrected(row, values)
        session.expunge(row)
        result = await session.execute(
            update(WorkOrder).where(WorkOrder.id == row_id, WorkOrder.version == version)
            .values(**columns, version=version + 1))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise OrderChanged(f"order {number} was changed by someone else; reload it")
        after = {k: _plain(v) for k, v in values.items()}
        await audit(session, actor=user.id, entity="work_order", entity_id=number,
                    action="corrected", detail={"before": before, "after": after,
                                                "reason": reason})
    async with request.app[ENGINE].sessions() as session:
        return await load_row(session, number=number)


def _corrected(row: WorkOrder, values: dict[str, Any]) -> dict[str, Any]:
    """The row's new column values: the corrected fields, the deadlines of its SLA row, the
    lifecycle record (kept in step with the columns)."""
    for name, value in values.items():
        setattr(row, name, value)
    if row.order_type is OrderType.EMERGENCY_REPAIR:
        row.emergency = True
    fill_deadlines(row)
    if row.lifecycle is not None:
        order = replace(to_order(row), utility=row.utility, order_type=row.order_type,
                        resolve_due=row.resolve_due)
        row.lifecycle = as_json(order)
    names = (*values, "emergency", "lifecycle", "deadline_clauses", *_DEADLINES)
    return {name: getattr(row, name) for name in names}


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Utility | OrderType) else value

