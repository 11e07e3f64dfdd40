"""The supervision screen's reads (issue 12): the approval queue - extension requests for the
business section (L 3.1.5(5)a) and pending requests walking their chain (L 3.1.5(4)b), each
with whose step it is - and the late orders by unit. Decisions go through the lifecycle's
events (POST /api/orders/{number}/events), which check the role of each step."""

from __future__ import annotations

from collections import Counter
from typing import Any

from aiohttp import web
from sqlalchemy import select

from console.api import ENGINE, current_user, now
from console.desk_reads import current_due, summary_json, view_condition
from console.desk_rules import Urgency, View, urgency
from console.http import DISCLOSED, SESSIONS
from console.orders_http import SUPERVISORS
from routing.admin.audit import CENTER_FIELDS, Read, disclosure
from routing.orders.approvals import STEP_ROLE, Verdict
from routing.orders.order_store import to_order
from routing.orders.transitions import State
from routing.store.models import WorkOrder
from routing.store.order_tables import OrderExtension

routes = web.RouteTableDef()


@routes.get("/api/supervision/approvals")
async def approvals(request: web.Request) -> web.Response:
    """Open extension requests and open pending requests, oldest first."""
    user = await current_user(request, SUPERVISORS)
    at = now()
    extensions = (
        select(OrderExtension, WorkOrder)
        .join(WorkOrder, WorkOrder.id == OrderExtension.order_id)
        .where(OrderExtension.verdict == Verdict.OPEN.value, WorkOrder.status != State.CLOSED)
        .order_by(OrderExtension.requested_at)
    )
    pendings = select(WorkOrder).where(WorkOrder.status == State.PENDING).order_by(
        WorkOrder.created_at)
    async with request.app[SESSIONS]() as session:
        ext_rows = (await session.execute(extensions)).all()
        pending_rows = (await session.execute(pendings)).scalars().all()
    items = [_extension(ext, order, at) for ext, order in ext_rows]
    items += [p for p in (_pending(row, at) for row in pending_rows) if p is not None]
    for item in items:
        item["mine"] = item["decided_by_role"] == user.role.value
    numbers = [i["order"]["number"] for i in items]
    request[DISCLOSED] = disclosure(Read.ORDER_LIST, numbers, CENTER_FIELDS)
    return web.json_response({"now": at.isoformat(), "items": items})


def _extension(ext: OrderExtension, order: WorkOrder, at: Any) -> dict[str, Any]:
    return {
        "kind": "extension", "order": summary_json(order, at), "seq": ext.seq,
        "requested_by": ext.requested_by, "requested_at": ext.requested_at.isoformat(),
        "reason": ext.reason, "previous_due": ext.previous_due.isoformat(),
        "new_due": ext.new_due.isoformat(), "step": None,
        "decided_by_role": "business_section",  # L 3.1.5(5)a: 业务科审核
    }


def _pending(row: WorkOrder, at: Any) -> dict[str, Any] | None:
    request = to_order(row).pending
    step = request.next_step() if request is not None else None
    if request is None or step is None:
        return None
    return {
        "kind": "pending", "order": summary_json(row, at), "seq": len(request.decisions),
        "requested_by": request.requested_by, "requested_at": request.requested_at.isoformat(),
        "reason": request.reason, "document": request.document, "step": step.value,
        "decisions": [{"step": d.step.value, "actor": d.actor, "approve": d.approve,
                       "at": d.at.isoformat(), "comment": d.comment}
                      for d in request.decisions],
        "decided_by_role": STEP_ROLE[step].value,
    }


@routes.get("/api/supervision/late")
async def late_by_unit(request: web.Request) -> web.Response:
    """Open orders past (or near) their current deadline, counted by unit, and the list."""
    await current_user(request, SUPERVISORS)
    at = now()
    query = select(WorkOrder).where(view_condition(View.LATE, at)).order_by(
        WorkOrder.created_at).limit(500)
    async with request.app[SESSIONS]() as session:
        rows = (await session.execute(query)).scalars().all()
    late = [r for r in rows if urgency(current_due(r)[1], at) is Urgency.LATE]
    soon = [r for r in rows if urgency(current_due(r)[1], at) is Urgency.SOON]
    units = sorted(set(Counter(r.agency_id or "" for r in rows)))
    by_unit = [{"agency_id": u or None,
                "late": sum((r.agency_id or "") == u for r in late),
                "soon": sum((r.agency_id or "") == u for r in soon)} for u in units]
    by_unit.sort(key=lambda u: (-int(u["late"] or 0), -int(u["soon"] or 0)))
    request[DISCLOSED] = disclosure(Read.ORDER_LIST, (r.number for r in rows), CENTER_FIELDS)
    names = {a.id: a.name for a in request.app[ENGINE].directory.agencies.values()}
    return web.json_response({"now": at.isoformat(), "by_unit": by_unit, "agencies": names,
                              "orders": [summary_json(r, at) for r in late + soon]})
