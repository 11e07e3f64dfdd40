"""Order intake and lifecycle events for the center (roles checked on every endpoint).

`POST /api/orders` takes an order from an agent; `POST /api/orders/{number}/events` moves it
through the lifecycle (`routing.orders.lifecycle`) as the logged-in user's role. A dispatch answers
once it is committed; its webhook push runs after that, in a task the app tracks.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from sqlalchemy import select

from console.api import CENTER, ENGINE, current_user, now, read_body, translated
from console.http import DISCLOSED, api_error, order_json, order_number
from console.schemas import EventBody, OrderCreate
from events.hub import HUB
from routing.admin.audit import CENTER_FIELDS, Read, disclosure
from routing.dispatch.assignment import dispatch
from routing.dispatch.dispatcher import push
from routing.orders.lifecycle import Command, Event
from routing.orders.order_service import Intake, apply_event, create_order
from routing.orders.repeat_calls import record_repeat_call
from routing.orders.transitions import Role, State
from routing.store.models import WorkOrder
from routing.store.order_tables import User

PUSH_TASKS = web.AppKey("push_tasks", set[asyncio.Task[Any]])
routes = web.RouteTableDef()
SUPERVISORS = {Role.SUPERVISION_SECTION, Role.BUSINESS_SECTION, Role.DUTY_SUPERVISOR, Role.LEADER}

# The API's event names → the lifecycle's; decisions pick approve/reject from the body.
EVENTS: dict[str, Event] = {
    "answer": Event.ANSWER,
    "dispatch": Event.DISPATCH,
    "receive": Event.RECEIVE,
    "return": Event.RETURN,
    "handled": Event.REPORT_HANDLED,
    "not_handled": Event.REPORT_NOT_HANDLED,
    "pending_request": Event.REQUEST_PENDING,
    "extension_request": Event.REQUEST_EXTENSION,
    "callback": Event.START_CALLBACK,
    "close": Event.CLOSE,
    "reopen": Event.REOPEN,
    "reclassify": Event.RECLASSIFY,
    "classify": Event.CLASSIFY,  # the case / complexity: the deadlines are recomputed
    "arrived": Event.ARRIVE,  # the unit phoned in that its crew is on site
}
DECISIONS: dict[str, tuple[Event, Event]] = {
    "pending_decision": (Event.APPROVE_PENDING_STEP, Event.REJECT_PENDING_STEP),
    "extension_decision": (Event.APPROVE_EXTENSION, Event.REJECT_EXTENSION),
}


@routes.post("/api/orders")
@translated
async def create(request: web.Request) -> web.Response:
    user = await current_user(request, {Role.CENTER_STAFF, Role.BUSINESS_SECTION})
    body = await read_body(request, OrderCreate)
    intake = Intake(**body.model_dump())
    row = await create_order(request.app[ENGINE], intake=intake, actor=user.id, now=now())
    request.app[HUB].publish(
        "order_created",
        {
            "number": row.number,
            "utility": row.utility.value if row.utility else None,
            "order_type": row.order_type.value,
            "needs_agent": False,
            "by": user.id,
        },
    )
    return web.json_response(order_json(row), status=201)


def command_of(body: EventBody, user: User) -> Command:
    """The lifecycle command an event body stands for, sent as the user's role."""
    if body.event in DECISIONS:
        if body.approve is None:
            raise api_error(
                web.HTTPUnprocessableEntity,
                "invalid-body",
                f"{body.event} needs approve: true or false",
            )
        event = DECISIONS[body.event][0 if body.approve else 1]
    else:
        event = EVENTS[body.event]
    return Command(
        event=event,
        actor=user.id,
        role=user.role,
        at=now(),
        actor_agency=user.agency_id,
        reason=body.reason,
        new_due=body.new_due,
        step=body.step,
        document=body.document,
        order_type=body.order_type,
        case=body.case,
        complex=body.complex,
    )


@routes.post("/api/orders/{number}/events")
@translated
async def post_event(request: web.Request) -> web.Response:
    user = await current_user(request, CENTER)
    body = await read_body(request, EventBody)
    command = command_of(body, user)
    number = order_number(request)
    if command.event is Event.DISPATCH:
        return web.json_response(await dispatch_and_push(request.app, number, command))
    row = await apply_event(request.app[ENGINE], number=number, command=command)
    return web.json_response(order_json(row))


async def dispatch_and_push(app: web.Application, number: str, command: Command) -> dict[str, Any]:
    """Dispatch in one transaction; push the webhook afterwards in a tracked task."""
    engine = app[ENGINE]
    row, attempt = await dispatch(
        engine, number=number, actor=command.actor, role=command.role, at=command.at,
        agency_id=command.agency,
    )
    # The agency portal rings for a new order of its own (console/portal_http.py).
    app[HUB].publish("order_dispatched", {"number": row.number, "agency_id": row.agency_id})
    if attempt.next_attempt_at is not None:  # the agency has a webhook
        task = asyncio.create_task(push(engine, attempt_id=attempt.id, now=now()))
        app[PUSH_TASKS].add(task)
        task.add_done_callback(app[PUSH_TASKS].discard)
    return {
        **order_json(row),
        "dispatch": {"idempotency_key": attempt.idempotency_key, "push": attempt.status.value},
    }


@routes.post("/api/orders/{number}/repeat-call")
@translated
async def repeat_call(request: web.Request) -> web.Response:
    """The citizen called again about this order (L 3.2.1(1)): a linked complaint if the
    unit missed its committed standard on an emergency-repair or maintenance order, else a
    note on the order."""
    user = await current_user(request, CENTER)
    outcome = await record_repeat_call(request.app[ENGINE], number=order_number(request),
                                       actor=user.id, now=now())
    verdict, complaint = outcome.verdict, outcome.complaint
    return web.json_response(
        {
            "action": verdict.action.value,
            "reason": verdict.reason,
            "complaint": order_json(complaint) if complaint else None,
        }
    )


@routes.get("/api/supervision/orders")
@translated
async def supervision_orders(request: web.Request) -> web.Response:
    """The supervision section's queue (督办, L 3.1.1): orders referred because they were
    handled unsatisfactorily twice or passed between units, oldest first."""
    await current_user(request, SUPERVISORS)
    async with request.app[ENGINE].sessions() as session:
        query = (
            select(WorkOrder)
            .where(WorkOrder.supervision.is_(True), WorkOrder.status != State.CLOSED)
            .order_by(WorkOrder.created_at)
            .limit(200)
        )
        rows = (await session.execute(query)).scalars().all()
    request[DISCLOSED] = disclosure(Read.ORDER_LIST, (row.number for row in rows), CENTER_FIELDS)
    return web.json_response({"orders": [order_json(row) for row in rows]})
