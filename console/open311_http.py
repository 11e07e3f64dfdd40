"""Web intake per Open311 GeoReport v2: services are utility × request type, requests are
work orders (`service_request_id` = order number).

The standard accepts web submissions within one working day (L 3.2.2): each new request is
answered with the working-day deadline by which it will be accepted. Errors use the
GeoReport shape, `[{"code": 400, "description": "..."}]`, which Open311 clients expect.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from sqlalchemy import select

from console.api import ENGINE
from console.http import SESSIONS, storable
from routing.calendar import WorkingDayCalendar
from routing.enums import UTILITY_NAMES_ZH, OrderType, Utility
from routing.models import WorkOrder
from routing.order_service import Intake, ServiceError, create_order
from routing.repository import utcnow
from routing.transitions import State

routes = web.RouteTableDef()

UTILITY_NAMES = UTILITY_NAMES_ZH
# Emergencies are for the phone: a web form is no way to report a gas leak.
WEB_TYPES = {
    OrderType.MAINTENANCE: "设施维护",
    OrderType.COMPLAINT: "投诉",
    OrderType.HELP: "求助",
    OrderType.CONSULTATION: "咨询",
    OrderType.SUGGESTION: "建议",
}
PHONE = re.compile(r"^\+?[0-9]{5,20}$")


def open311_error(status: type[web.HTTPException], description: str) -> web.HTTPException:
    code = status.status_code
    body = web.json_response([{"code": code, "description": description}]).text
    return status(text=body, content_type="application/json")


@routes.get("/open311/v2/services.json")
async def services(_request: web.Request) -> web.Response:
    return web.json_response(
        [
            {
                "service_code": f"{utility.value}.{kind.value}",
                "service_name": f"{UTILITY_NAMES[utility.value]}{name}",
                "group": utility.value,
                "description": f"{UTILITY_NAMES[utility.value]}{name}（12319热线）",
                "metadata": False,
                "type": "realtime",
                "keywords": f"{utility.value},{kind.value}",
            }
            for utility in Utility
            for kind, name in WEB_TYPES.items()
        ]
    )


async def _fields(request: web.Request) -> dict[str, str]:
    if request.content_type == "application/json":
        try:
            data = await request.json()
        except (ValueError, LookupError) as exc:  # LookupError: an unknown charset
            raise open311_error(web.HTTPBadRequest, f"malformed JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise open311_error(web.HTTPBadRequest, "a JSON object is expected")
        fields = {str(k): str(v) for k, v in data.items()}
    else:
        try:
            fields = {k: str(v) for k, v in (await request.post()).items()}
        except (ValueError, LookupError) as exc:  # no multipart boundary, unknown charset
            raise open311_error(web.HTTPBadRequest, f"unreadable form: {exc}") from exc
    if not storable(fields):
        raise open311_error(web.HTTPBadRequest, "text with NUL or a lone surrogate")
    return fields


def _intake(fields: dict[str, str]) -> Intake:
    code = fields.get("service_code", "")
    utility, _, kind = code.partition(".")
    if utility not in UTILITY_NAMES or kind not in {t.value for t in WEB_TYPES}:
        raise open311_error(web.HTTPBadRequest, f"unknown service_code {code!r}")
    description = fields.get("description", "").strip()
    if not 1 <= len(description) <= 4000:
        raise open311_error(web.HTTPBadRequest, "description is required (up to 4000 chars)")
    phone = fields.get("phone") or None
    address = fields.get("address_string") or None
    if address is not None and len(address) > 256:  # the order's address column
        raise open311_error(web.HTTPBadRequest, "address_string: up to 256 characters")
    if phone is not None and not PHONE.match(phone):
        raise open311_error(web.HTTPBadRequest, "phone must be digits")
    return Intake(
        utility=Utility(utility),
        order_type=OrderType(kind),
        description=description,
        caller_number=phone,
        address=address,
    )


@routes.post("/open311/v2/requests.json")
async def post_request(request: web.Request) -> web.Response:
    intake = _intake(await _fields(request))
    now = utcnow()
    try:
        row = await create_order(request.app[ENGINE], intake=intake, actor="open311", now=now)
    except ServiceError as exc:
        raise open311_error(web.HTTPBadRequest, str(exc)) from exc
    accept_by = WorkingDayCalendar().working_day_end(now, 1)
    notice = f"已收到，将于{accept_by.strftime('%Y-%m-%d %H:%M')}前受理（L 3.2.2）"
    return web.json_response(
        [
            {
                "service_request_id": row.number,
                "service_notice": notice,
                "account_id": None,
                "expected_datetime": accept_by.isoformat(),
            }
        ],
        status=201,
    )


def request_json(order: WorkOrder) -> dict[str, Any]:
    closed = order.status is State.CLOSED
    updated = order.closed_at or order.handled_at or order.received_at or order.dispatched_at
    return {
        "service_request_id": order.number,
        "status": "closed" if closed else "open",
        "status_notes": order.status.value,
        "service_code": f"{order.utility.value if order.utility else 'unclassified'}"
        f".{order.order_type.value}",
        "description": order.description,
        "agency_responsible": order.agency_id,
        "requested_datetime": order.created_at.isoformat(),
        "updated_datetime": (updated or order.created_at).isoformat(),
        "address": order.address,
        "lat": None,
        "long": None,
    }


@routes.get("/open311/v2/requests.json")
async def get_requests(request: web.Request) -> web.Response:
    query = select(WorkOrder).order_by(WorkOrder.id.desc()).limit(100)
    ids = request.query.get("service_request_id")
    if not storable(list(request.query.values())):
        raise open311_error(web.HTTPBadRequest, "text with NUL or a lone surrogate")
    if ids:
        query = query.where(WorkOrder.number.in_(ids.split(",")[:100]))
    start = request.query.get("start_date")
    if start:
        try:
            since = datetime.fromisoformat(start)
            since = (since if since.tzinfo else since.replace(tzinfo=UTC)).astimezone(UTC)
            query = query.where(WorkOrder.created_at >= since)
        except (ValueError, OverflowError) as exc:  # OverflowError: before year 1 in UTC
            raise open311_error(web.HTTPBadRequest, "start_date must be ISO 8601") from exc
    async with request.app[SESSIONS]() as session:
        rows = (await session.execute(query)).scalars().all()
    return web.json_response([request_json(row) for row in rows])


@routes.get("/open311/v2/requests/{number}.json")
async def get_request(request: web.Request) -> web.Response:
    number = request.match_info["number"]
    if not storable(number):
        raise open311_error(web.HTTPNotFound, f"no request {number!r}")
    async with request.app[SESSIONS]() as session:
        found = await session.execute(select(WorkOrder).where(WorkOrder.number == number))
        row = found.scalar_one_or_none()
    if row is None:
        raise open311_error(web.HTTPNotFound, f"no request {number}")
    return web.json_response([request_json(row)])
