"""Web intake per Open311 GeoReport v2: services are utility × request type, requests are
work orders (`service_request_id` = order number).

The standard accepts web submissions within one working day (L 3.2.2): each new request is
answered with the working-day deadline by which it will be accepted. Posting needs a
client's `api_key` (`hotline12319 open311-key add`) and is rate-limited per key and per
address (429 with Retry-After). Reading is open, as GeoReport v2 publishes requests, but
personal information stays inside (L 3.1.4): only requests that came in through Open311 are
shown, their address coarsened to district and road, phone numbers, e-mail addresses and
names hidden in the description (`routing.orders.publication`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from sqlalchemy import select

from console.api import ENGINE
from console.http import SESSIONS, storable
from console.open311_catalog import CATALOG
from console.open311_format import answer, both_formats
from console.open311_intake import Person, intake, open311_error, person, read_fields
from routing.admin.access_policy import Open311Policy
from routing.admin.open311_keys import client_for_key
from routing.admin.rate_limit import SlidingWindow
from routing.orders.calendar import WorkingDayCalendar
from routing.orders.order_service import ServiceError, create_order
from routing.orders.policy import GENERAL
from routing.orders.publication import coarse_address, coarse_point, redact
from routing.orders.repository import utcnow
from routing.orders.transitions import State
from routing.store.access_tables import Open311Request
from routing.store.models import WorkOrder

routes = web.RouteTableDef()


@dataclass(frozen=True)
class Open311Limits:
    """Posting budgets of this process: per client key and per remote address."""

    per_key: SlidingWindow
    per_ip: SlidingWindow

    @classmethod
    def from_policy(cls, policy: Open311Policy) -> Open311Limits:
        return cls(SlidingWindow(policy.per_key, policy.window_seconds),
                   SlidingWindow(policy.per_ip, policy.window_seconds))


OPEN311_LIMITS = web.AppKey("open311_limits", Open311Limits)


@routes.post("/open311/v2/requests.json")
@routes.post("/open311/v2/requests.xml")
@both_formats
async def post_request(request: web.Request) -> web.Response:
    fields = await read_fields(request)
    order, who = intake(fields), person(fields)
    order = replace(order, case=_case(request, fields))
    client = await _client(request, fields.get("api_key", ""))
    now = utcnow()
    try:
        row = await create_order(request.app[ENGINE], intake=order, actor=f"open311:{client}",
                                 now=now)
    except ServiceError as exc:
        raise open311_error(web.HTTPBadRequest, str(exc)) from exc
    await _keep(request, row, client, who)
    accept_by = WorkingDayCalendar().working_day_end(now, 1)
    notice = f"已收到，将于{accept_by.strftime('%Y-%m-%d %H:%M')}前受理（L 3.2.2）"
    created = {"service_request_id": row.number, "service_notice": notice, "account_id": None,
               "expected_datetime": accept_by.isoformat()}
    return answer(request, "service_requests", [created], status=201)


def _case(request: web.Request, fields: dict[str, str]) -> str:
    """The service definition's `case` attribute (attribute[case]), one of its values."""
    chosen = fields.get("attribute[case]", GENERAL).strip() or GENERAL
    allowed = request.app[CATALOG].cases.get(fields.get("service_code", ""), {})
    if chosen != GENERAL and chosen not in allowed:
        raise open311_error(web.HTTPBadRequest, f"attribute[case]: not one of {sorted(allowed)}")
    return chosen


async def _client(request: web.Request, key: str) -> str:
    """The client whose live key this is (403 otherwise), within its and the address's
    budgets (429 with Retry-After otherwise). Every try counts for the address, so keys
    cannot be guessed at speed."""
    limits, clock = request.app[OPEN311_LIMITS], time.monotonic()
    _within(limits.per_ip.take(request.remote or "unknown", clock), "this address")
    client = None
    if key:
        async with request.app[SESSIONS]() as session:
            client = await client_for_key(session, key)
    if client is None:
        raise open311_error(web.HTTPForbidden, "a valid api_key is required")
    _within(limits.per_key.take(client, clock), "this api_key")
    return client


def _within(wait_s: int | None, who: str) -> None:
    if wait_s is not None:
        raise open311_error(web.HTTPTooManyRequests, f"too many requests from {who}",
                            headers={"Retry-After": str(wait_s)})


async def _keep(request: web.Request, row: WorkOrder, client: str, who: Person) -> None:
    """What the order row does not hold; the request is published (coarsened): a citizen
    who posts through a GeoReport client posts to a public list."""
    async with request.app[SESSIONS].begin() as session:
        session.add(Open311Request(order_id=row.id, client_id=client, published=True,
                                   lat=who.lat, long=who.long, address_id=who.address_id,
                                   first_name=who.first_name, last_name=who.last_name,
                                   email=who.email))


def request_json(order: WorkOrder, extra: Open311Request) -> dict[str, Any]:
    """The public face of a request: no number, name or e-mail, the place coarsened."""
    closed = order.status is State.CLOSED
    updated = order.closed_at or order.handled_at or order.received_at or order.dispatched_at
    names = (extra.first_name, extra.last_name)
    return {
        "service_request_id": order.number,
        "status": "closed" if closed else "open",
        "status_notes": order.status.value,
        "service_code": f"{order.utility.value if order.utility else 'unclassified'}"
        f".{order.order_type.value}",
        "description": redact(order.description or "", names),
        "agency_responsible": order.agency_id,
        "requested_datetime": order.created_at.isoformat(),
        "updated_datetime": (updated or order.created_at).isoformat(),
        "address": coarse_address(order.address),
        "address_id": None,
        "lat": coarse_point(extra.lat),
        "long": coarse_point(extra.long),
    }


def _published() -> Any:
    return (select(WorkOrder, Open311Request)
            .join(Open311Request, Open311Request.order_id == WorkOrder.id)
            .where(Open311Request.published.is_(True)))


@routes.get("/open311/v2/requests.json")
@routes.get("/open311/v2/requests.xml")
@both_formats
async def get_requests(request: web.Request) -> web.Response:
    query = _published().order_by(WorkOrder.id.desc()).limit(100)
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
        rows = (await session.execute(query)).all()
    return answer(request, "service_requests", [request_json(o, extra) for o, extra in rows])


@routes.get("/open311/v2/requests/{number}.json")
@routes.get("/open311/v2/requests/{number}.xml")
@both_formats
async def get_request(request: web.Request) -> web.Response:
    """One published request; any other order is not found (its existence is not told)."""
    number = request.match_info["number"]
    if not storable(number):
        raise open311_error(web.HTTPNotFound, f"no request {number!r}")
    async with request.app[SESSIONS]() as session:
        found = (await session.execute(_published().where(WorkOrder.number == number))).first()
    if found is None:
        raise open311_error(web.HTTPNotFound, f"no request {number}")
    return answer(request, "service_requests", [request_json(*found)])
