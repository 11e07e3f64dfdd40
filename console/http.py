"""The first cut of the REST API: read calls and orders (the console grows from here).

These reads are still open (no login): the live-call tests use them. Order writes and the
agency portal are in console/orders_http.py and console/agency_http.py, with roles."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from enum import StrEnum
from typing import Any

from aiohttp import web
from sqlalchemy import case, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from routing.admin.audit import CENTER_FIELDS, Disclosure, Read, disclosure
from routing.dispatch.auto_dispatch import decision_for
from routing.dispatch.dispatch_policy import DispatchPolicy
from routing.enums import Utility
from routing.orders.transitions import State
from routing.store.models import CallSession, WorkOrder

SESSIONS = web.AppKey("sessions", async_sessionmaker[AsyncSession])
HEALTH = web.AppKey("health", dict[str, Any])
DISPATCH_POLICY = web.AppKey("dispatch_policy", DispatchPolicy)
DISCLOSED = web.RequestKey("disclosed_orders", Disclosure)  # what a read showed: audit_http.py
READY_TIMEOUT_S = 2.0  # a probe's answer comes well within its own timeout

routes = web.RouteTableDef()


def api_error(status: type[web.HTTPException], error: str, message: str) -> web.HTTPException:
    return status(
        text=web.json_response({"error": error, "message": message}).text,
        content_type="application/json",
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(value: Any) -> bool:
    """Text PostgreSQL can hold: no NUL, nothing UTF-8 cannot encode (a lone surrogate),
    through JSON lists and objects too. Anything else is the client's error, not a 500."""
    if isinstance(value, str):
        return "\x00" not in value and _SURROGATE.search(value) is None
    if isinstance(value, dict):
        return all(storable(k) and storable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(storable(v) for v in value)
    return True


def require_storable(value: Any) -> None:
    if not storable(value):
        raise api_error(web.HTTPBadRequest, "bad-text", "text with NUL or a lone surrogate")


def order_number(request: web.Request) -> str:
    """The {number} of the path; one no order can have is not found without a query."""
    number = request.match_info["number"]
    if not storable(number):
        raise api_error(web.HTTPNotFound, "order-not-found", f"no order {number!r}")
    return number


def path_row_id(request: web.Request, name: str) -> int:
    """The numeric {name} of the path as a row id: past PostgreSQL's integer no row has it
    (not found, as the handlers say it: no-such-announcement, no-such-handover)."""
    row = int(request.match_info[name])
    if row > 2**31 - 1:
        thing = name.removesuffix("_id")
        raise api_error(web.HTTPNotFound, f"no-such-{thing}", f"no such {thing}")
    return row


def order_json(order: WorkOrder) -> dict[str, Any]:
    return {
        "number": order.number,
        "utility": order.utility.value if order.utility else None,
        "order_type": order.order_type.value,
        "status": order.status.value,
        "needs_agent": order.needs_agent,
        "caller_number": order.caller_number,
        "ivr_path": order.ivr_path,
        "recording": {
            "name": order.recording_name,
            "stored": order.recording_path is not None,
            "bytes": order.recording_bytes,
            "seconds": order.recording_seconds,
        },
        "created_at": order.created_at.isoformat(),
        **engine_json(order),
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def engine_json(order: WorkOrder) -> dict[str, Any]:
    """The order engine's fields: where the order is, with whom, and its deadlines."""
    return {
        "version": order.version,
        "agency_id": order.agency_id,
        "district": order.district,
        "address": order.address,
        "description": order.description,
        "emergency": order.emergency,
        "case": order.case,
        "complex": order.complex,
        "extension_count": order.extension_count,
        "transcript": order.transcript,
        "speech": order.speech,
        "keys_words_disagree": order.keys_words_disagree,
        "pending_approved": order.pending_approved,
        "supervision": order.supervision,
        "satisfaction": order.satisfaction.value if order.satisfaction else None,  # 回访
        "callback_declined": order.callback_declined,
        "auto_dispatch_rule": order.auto_dispatch_rule,  # None: dispatched by a person
        "unit_reply": unit_reply(order),
        "deadlines": {name: _iso(getattr(order, name)) for name in _DEADLINES}
        | {"clauses": order.deadline_clauses},
        **{name: _iso(getattr(order, name)) for name in _MOMENTS},
    }


def unit_reply(order: WorkOrder) -> dict[str, Any] | None:
    """The unit's report on the order (L 3.2.3(2): what was done, or why not), for the agent
    who phones the citizen back; None until a unit has reported (or after a reopen)."""
    record = order.lifecycle or {}
    if record.get("outcome_by") is None or record.get("outcome_reason") is None:
        return None
    return {"agency_id": record["outcome_by"], "handled": record.get("handled_at") is not None,
            "text": record["outcome_reason"]}


_DEADLINES = ("dispatch_due", "receipt_due", "onsite_due", "resolve_due")
_MOMENTS = ("dispatched_at", "received_at", "arrived_at", "handled_at", "completed_at",
            "closed_at")


def call_json(call: CallSession) -> dict[str, Any]:
    def iso(value: Any) -> str | None:
        return value.isoformat() if value else None

    return {
        "channel_id": call.channel_id,
        "caller_number": call.caller_number,
        "caller_name": call.caller_name,
        "started_at": iso(call.started_at),
        "answered_at": iso(call.answered_at),
        "ended_at": iso(call.ended_at),
        "outcome": call.outcome.value,
        "path": call.path,
        "metrics": call.metrics,
        "order": order_json(call.order) if call.order else None,
    }


@routes.get("/health")
async def health(request: web.Request) -> web.Response:
    """Liveness: the process answers (with what it knows of ARI); never the database."""
    return web.json_response(request.app[HEALTH])


@routes.get("/ready")
async def ready(request: web.Request) -> web.Response:
    """Readiness: 503 unless the database answers and ARI is connected; what probes and a
    load balancer ask before sending calls or requests here."""
    checks = {"database": await _database_answers(request.app[SESSIONS]),
              "ari": bool(request.app[HEALTH].get("ari_connected"))}
    ok = all(checks.values())
    return web.json_response({"ready": ok, **checks}, status=200 if ok else 503)


async def _database_answers(sessions: async_sessionmaker[AsyncSession]) -> bool:
    try:
        async with asyncio.timeout(READY_TIMEOUT_S), sessions() as session:
            await session.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError, TimeoutError):
        return False
    return True


@routes.get("/api/orders/{number}")
async def get_order(request: web.Request) -> web.Response:
    number = order_number(request)
    async with request.app[SESSIONS]() as session:
        found = await session.execute(select(WorkOrder).where(WorkOrder.number == number))
        order = found.scalar_one_or_none()
    if order is None:
        raise api_error(web.HTTPNotFound, "order-not-found", f"no order {number}")
    request[DISCLOSED] = disclosure(Read.ORDER, [order.number], CENTER_FIELDS)
    return web.json_response(order_json(order))


@routes.get("/api/orders")
async def find_orders(request: web.Request) -> web.Response:
    _only(request, {"caller_number", "status", "utility", "agency", "review", "limit"})
    query = select(WorkOrder)
    review = _review(request)
    if review:  # the agents' review list: not dispatched yet, the nearest limit first
        query = query.where(WorkOrder.status == State.CREATED)
    if "caller_number" in request.query:
        query = query.where(WorkOrder.caller_number == request.query["caller_number"])
    for name, column, kind in _FILTERS:
        if name in request.query:
            query = query.where(column == _member(kind, name, request.query[name]))
    if "agency" in request.query:
        query = query.where(WorkOrder.agency_id == request.query["agency"])
    limit = _limit(request.query.get("limit", "50"))
    async with request.app[SESSIONS]() as session:
        # A message with no utility yet is classified first: no unit can be chosen without it.
        unclassified_first = case((WorkOrder.utility.is_(None), 0), else_=1)
        order = (unclassified_first, WorkOrder.dispatch_due.asc().nulls_last(),
                 WorkOrder.id) if review else (WorkOrder.id.desc(),)
        orders = (await session.execute(query.order_by(*order).limit(limit))).scalars()
    shown = [_with_policy(request, o) if review else order_json(o) for o in orders]
    request[DISCLOSED] = disclosure(Read.ORDER_LIST, (o["number"] for o in shown), CENTER_FIELDS)
    return web.json_response({"orders": shown})


@routes.get("/api/calls")
async def find_calls(request: web.Request) -> web.Response:
    _only(request, {"caller_name", "caller_number", "limit"})
    query = select(CallSession).options(selectinload(CallSession.order))
    for name in ("caller_name", "caller_number"):
        if name in request.query:
            query = query.where(getattr(CallSession, name) == request.query[name])
    limit = _limit(request.query.get("limit", "50"))
    query = query.order_by(CallSession.id.desc()).limit(limit)
    async with request.app[SESSIONS]() as session:
        calls = (await session.execute(query)).scalars().all()
    numbers = (c.order.number if c.order else None for c in calls)
    request[DISCLOSED] = disclosure(Read.CALL_LIST, numbers, CENTER_FIELDS)
    return web.json_response({"calls": [call_json(c) for c in calls]})


def _review(request: web.Request) -> bool:
    raw = request.query.get("review", "0")
    if raw not in ("0", "1"):
        raise api_error(web.HTTPBadRequest, "bad-parameter", "review: 0 or 1")
    return raw == "1"


def _with_policy(request: web.Request, order: WorkOrder) -> dict[str, Any]:
    """An order of the review list, with what the dispatch policy will do if nobody acts."""
    decision = decision_for(request.app[DISPATCH_POLICY], order)
    auto_at = decision.auto_at.isoformat() if decision.auto_at else None
    return {**order_json(order), "dispatch_policy": {
        "rule": decision.rule, "clauses": list(decision.clauses), "auto_dispatch_at": auto_at}}


def _only(request: web.Request, allowed: set[str]) -> None:
    unknown = set(request.query) - allowed
    if unknown:
        raise api_error(web.HTTPBadRequest, "unknown-parameter", f"unknown: {sorted(unknown)}")
    require_storable(list(request.query.values()))


def _limit(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 500:  # not "²"
        raise api_error(web.HTTPBadRequest, "bad-limit", "limit must be 1..500")
    return int(raw)


_FILTERS: tuple[tuple[str, Any, type[StrEnum]], ...] = (
    ("status", WorkOrder.status, State),
    ("utility", WorkOrder.utility, Utility),
)


def _member(kind: type[StrEnum], name: str, raw: str) -> StrEnum:
    try:
        return kind(raw)
    except ValueError:
        raise api_error(web.HTTPBadRequest, "bad-parameter", f"{name}: unknown value") from None
