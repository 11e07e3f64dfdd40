"""The agency portal (L 1.3(2)): an agency user sees only its own orders, callers' numbers
masked (L 3.1.4), and signs for them, reports results, asks for extensions or pending."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel
from sqlalchemy import select

from console.api import ENGINE, current_user, now, read_body, translated
from console.http import DISCLOSED, SESSIONS, _limit, _only, api_error, engine_json, order_number
from console.schemas import AgencyExtension, AgencyPending, AgencyResult, Empty
from routing.admin.audit import AGENCY_FIELDS, Read, disclosure
from routing.dispatch.webhook import mask_number
from routing.orders.lifecycle import Command, Event
from routing.orders.order_service import apply_event
from routing.orders.speech_doubt import unit_doubt
from routing.orders.transitions import Role, State
from routing.store.models import WorkOrder
from routing.store.order_tables import User

routes = web.RouteTableDef()


def agency_order_json(order: WorkOrder) -> dict[str, Any]:
    """What an agency sees: no recording, no IVR path, the caller's number masked."""
    return {
        "number": order.number,
        "utility": order.utility,
        "order_type": order.order_type,
        "status": order.status.value,
        "caller_number_masked": mask_number(order.caller_number),
        "created_at": order.created_at.isoformat(),
        **engine_json(order),
        # What the caller's words leave in doubt, and whether an agent reviewed it first.
        "speech_doubt": unit_doubt(keys_words_disagree=order.keys_words_disagree,
                                   speech=order.speech,
                                   auto_dispatch_rule=order.auto_dispatch_rule),
    }


@routes.get("/api/agency/orders")
async def my_orders(request: web.Request) -> web.Response:
    user = await current_user(request, {Role.AGENCY})
    _only(request, {"status", "limit"})
    query = select(WorkOrder).where(WorkOrder.agency_id == user.agency_id)
    if "status" in request.query:
        if request.query["status"] not in set(State):
            raise api_error(web.HTTPBadRequest, "bad-parameter", "status: unknown value")
        query = query.where(WorkOrder.status == State(request.query["status"]))
    limit = _limit(request.query.get("limit", "50"))
    async with request.app[SESSIONS]() as session:
        found = await session.execute(query.order_by(WorkOrder.id.desc()).limit(limit))
    shown = [agency_order_json(o) for o in found.scalars()]
    request[DISCLOSED] = disclosure(Read.AGENCY_LIST, (o["number"] for o in shown), AGENCY_FIELDS)
    return web.json_response({"orders": shown})


@routes.get("/api/agency/orders/{number}")
async def my_order(request: web.Request) -> web.Response:
    """One of the agency's own orders; another agency's is answered as not found, so the
    portal does not even tell which numbers exist."""
    user = await current_user(request, {Role.AGENCY})
    number = order_number(request)
    query = select(WorkOrder).where(
        WorkOrder.number == number, WorkOrder.agency_id == user.agency_id
    )
    async with request.app[SESSIONS]() as session:
        order = (await session.execute(query)).scalar_one_or_none()
    if order is None:
        raise api_error(web.HTTPNotFound, "order-not-found", f"no order {number} for you")
    request[DISCLOSED] = disclosure(Read.AGENCY_ORDER, [order.number], AGENCY_FIELDS)
    return web.json_response(agency_order_json(order))


async def _act(request: web.Request, model: type[BaseModel], event_of: Any) -> web.Response:
    user = await current_user(request, {Role.AGENCY})
    await require_own_order(request, user)
    body = await read_body(request, model)
    event, fields = event_of(body)
    command = _command(user, event, fields)
    row = await apply_event(
        request.app[ENGINE], number=order_number(request), command=command
    )
    return web.json_response(agency_order_json(row))


async def require_own_order(request: web.Request, user: User) -> None:
    """Another agency's order is not found, as for reads: a write must not tell that it
    exists, in which state, or with whom (the lifecycle's own refusals would)."""
    number = order_number(request)
    query = select(WorkOrder.id).where(WorkOrder.number == number,
                                       WorkOrder.agency_id == user.agency_id)
    async with request.app[SESSIONS]() as session:
        if (await session.execute(query)).first() is None:
            raise api_error(web.HTTPNotFound, "order-not-found", f"no order {number} for you")


def _command(user: User, event: Event, fields: dict[str, Any]) -> Command:
    return Command(
        event=event, actor=user.id, role=user.role, at=now(), actor_agency=user.agency_id, **fields
    )


@routes.post("/api/agency/orders/{number}/receipt")
@translated
async def receipt(request: web.Request) -> web.Response:
    return await _act(request, Empty, lambda _b: (Event.RECEIVE, {}))


@routes.post("/api/agency/orders/{number}/arrival")
@translated
async def arrival(request: web.Request) -> web.Response:
    """The unit's crew is on site: the moment the on-site limit (onsite_due) is held to."""
    return await _act(request, Empty, lambda _b: (Event.ARRIVE, {}))


@routes.post("/api/agency/orders/{number}/result")
@translated
async def result(request: web.Request) -> web.Response:
    def event_of(body: AgencyResult) -> tuple[Event, dict[str, Any]]:
        reason = body.reason + (f" [evidence: {', '.join(body.evidence)}]" if body.evidence else "")
        event = Event.REPORT_HANDLED if body.handled else Event.REPORT_NOT_HANDLED
        return event, {"reason": reason}

    return await _act(request, AgencyResult, event_of)


@routes.post("/api/agency/orders/{number}/extension")
@translated
async def extension(request: web.Request) -> web.Response:
    return await _act(
        request,
        AgencyExtension,
        lambda b: (Event.REQUEST_EXTENSION, {"reason": b.reason, "new_due": b.new_due}),
    )


@routes.post("/api/agency/orders/{number}/pending")
@translated
async def pending(request: web.Request) -> web.Response:
    return await _act(
        request,
        AgencyPending,
        lambda b: (Event.REQUEST_PENDING, {"reason": b.reason, "document": b.document}),
    )
