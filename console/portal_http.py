"""The agency portal's own endpoints beside its orders (issue 12): its scorecard and a live
feed that rings when an order is dispatched to it. An agency user sees only its own unit's
numbers and orders (L 1.3(2), L 3.1.4)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from console.agency_http import agency_order_json, require_own_order
from console.api import ENGINE, current_user, now, read_body, translated
from console.desk_reads import current_due
from console.desk_rules import Urgency, urgency
from console.http import SESSIONS, order_number
from console.live_socket import relay_until_closed
from events.hub import HUB, Update
from routing.orders.calendar import SHANGHAI
from routing.orders.lifecycle import Command, Event
from routing.orders.order_service import apply_event
from routing.orders.order_store import to_order
from routing.orders.transitions import Role, State
from routing.reports.kpi import load_config, month_window, rates, rates_json, record_of
from routing.store.models import WorkOrder

routes = web.RouteTableDef()


class ReturnBody(BaseModel):
    """退回: the order is not this unit's to handle, and why (L 3.1.1)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    reason: str = Field(min_length=1, max_length=4000)
LIVE_TOPICS = frozenset({"order_dispatched"})  # what an agency hears of the center's hub


@routes.get("/api/agency/scorecard")
async def scorecard(request: web.Request) -> web.Response:
    """This month's closure rates of the unit (L 3.1.5), its open orders by state and how
    many are late now."""
    user = await current_user(request, {Role.AGENCY})
    at = now()
    local = at.astimezone(SHANGHAI)
    window = month_window(year=local.year, month=local.month,
                          statistics_day=load_config().statistics_day.day)
    since = datetime(local.year - 1, 12, 1, tzinfo=UTC)  # the year's orders and a margin
    query = select(WorkOrder).where(WorkOrder.agency_id == user.agency_id,
                                    WorkOrder.dispatched_at >= since)
    async with request.app[SESSIONS]() as session:
        rows = (await session.execute(query)).scalars().all()
    return web.json_response({
        "agency_id": user.agency_id,
        "month": f"{local:%Y-%m}",
        "rates": rates_json(rates(records=[record_of(to_order(r)) for r in rows],
                                  window=window)),
        **_open_figures(rows, at),
    })


def _open_figures(rows: Sequence[WorkOrder], at: datetime) -> dict[str, Any]:
    open_rows = [r for r in rows if r.status is not State.CLOSED]
    late = sum(urgency(current_due(r)[1], at) is Urgency.LATE for r in open_rows)
    return {"open_by_state": dict(Counter(r.status.value for r in open_rows)),
            "late_now": late, "dispatched_this_year": len(rows)}


@routes.get("/api/agency/live")
async def agency_live(request: web.Request) -> web.WebSocketResponse:
    """Dispatches to this unit as they happen ({"topic": "order_dispatched", "data":
    {"number"}}); the page then fetches its list (numbers masked) as usual. The handler ends
    when the page goes, not at the next update (a quiet unit would hold shutdown up)."""
    user = await current_user(request, {Role.AGENCY})
    ws = web.WebSocketResponse(heartbeat=20)
    await ws.prepare(request)
    with request.app[HUB].subscribe() as updates:
        await ws.send_json({"topic": "hello", "data": {"agency_id": user.agency_id}})
        await relay_until_closed(ws, updates, partial(_for_unit, user.agency_id))
    return ws


def _for_unit(agency: str | None, update: Update) -> Update | None:
    data = update.get("data") or {}
    if update["topic"] in LIVE_TOPICS and data.get("agency_id") == agency:
        return {"topic": update["topic"], "at": update["at"],
                "data": {"number": data.get("number")}}
    return None


@routes.post("/api/agency/orders/{number}/return")
@translated
async def return_order(request: web.Request) -> web.Response:
    """Send the order back to the center as not the unit's (the lifecycle counts returns:
    passing an order around is what brings the supervision section in, L 3.1.1)."""
    user = await current_user(request, {Role.AGENCY})
    await require_own_order(request, user)  # another unit's order: not found
    body = await read_body(request, ReturnBody)
    command = Command(event=Event.RETURN, actor=user.id, role=user.role, at=now(),
                      actor_agency=user.agency_id, reason=body.reason)
    row = await apply_event(request.app[ENGINE], number=order_number(request), command=command)
    return web.json_response(agency_order_json(row))
