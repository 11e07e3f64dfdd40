"""The audit trail over HTTP: every order a read disclosed is written after the answer is
made (one bulk insert per request), and `GET /api/audit?order=N` tells the supervision
section and the leadership who read or changed order N (L 3.1.4: logs are checked)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aiohttp import web
from sqlalchemy import insert, select

from console.api import COOKIE, USER, Handler, current_user, now
from console.http import DISCLOSED, SESSIONS, _limit, _only, api_error
from routing.admin.audit import ENTITY, Disclosure, Reader, is_read, reads_to_audit
from routing.admin.users import session_user
from routing.orders.transitions import Role
from routing.store.models import AuditEvent
from routing.store.order_tables import User

routes = web.RouteTableDef()
# Reading the trail is checking the logs: the supervision side and the leadership, not the
# agents whose reads it records, nor the agencies.
AUDITORS = frozenset({Role.SUPERVISION_SECTION, Role.DUTY_SUPERVISOR, Role.LEADER})


@web.middleware
async def audit_reads(request: web.Request, handler: Handler) -> web.StreamResponse:
    """After a successful read that disclosed orders, record who saw them."""
    response = await handler(request)
    if DISCLOSED in request and response.status < 300:
        await _record(request, request[DISCLOSED])
    return response


async def _record(request: web.Request, shown: Disclosure) -> None:
    user = await _reader(request)
    reader = Reader(
        user_id=user.id if user else None,
        role=str(user.role) if user else None,
        ip=request.remote,
    )
    records = reads_to_audit(shown, reader, at=now())
    if records:
        async with request.app[SESSIONS].begin() as session:
            await session.execute(insert(AuditEvent), [asdict(r) for r in records])


async def _reader(request: web.Request) -> User | None:
    """The user the role check found; in the open sandbox, whoever the cookie names."""
    if USER in request:
        return request[USER]
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    async with request.app[SESSIONS]() as session:
        return await session_user(session, token=token, now=now())


@routes.get("/api/audit")
async def order_audit(request: web.Request) -> web.Response:
    """Who read or changed one order, oldest first."""
    await current_user(request, AUDITORS)
    _only(request, {"order", "limit"})
    number = request.query.get("order", "")
    if not number.isdigit() or len(number) > 20:
        raise api_error(web.HTTPBadRequest, "bad-parameter", "order: an order number")
    limit = _limit(request.query.get("limit", "500"))
    query = (
        select(AuditEvent)
        .where(AuditEvent.entity == ENTITY, AuditEvent.entity_id == number)
        .order_by(AuditEvent.at, AuditEvent.id)
        .limit(limit)
    )
    async with request.app[SESSIONS]() as session:
        rows = (await session.execute(query)).scalars().all()
    return web.json_response({"order": number, "events": [_event_json(row) for row in rows]})


def _event_json(row: AuditEvent) -> dict[str, Any]:
    return {
        "at": row.at.isoformat(),
        "actor": row.actor,
        "role": row.role,
        "ip": row.ip,
        "action": row.action,
        "kind": "read" if is_read(row.action) else "change",
        "detail": row.detail,
    }
