"""The wallboard's server side: GET /api/wallboard and the `wallboard` update on /api/live.

The queue lives in memory (ari_app/queue.py); the moments a service level needs - when a
caller entered the agents' line and when an agent answered - are written to the audit trail
as they are published on the live hub, so the figures survive a restart and are counted
from the database like everything else. The figures themselves are `routing.wallboard`'s.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import ColumnElement, Row, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from console.api import CENTER, current_user, now
from console.http import SESSIONS
from console.live import HUB, LiveHub, Update
from routing.enums import CallOutcome, Utility
from routing.models import AuditEvent, CallSession, WorkOrder
from routing.wallboard import (
    CallRecord,
    WallboardPolicy,
    call_part,
    load_policy,
    local_midnight,
    month_start,
    order_part,
    without_clock,
)
from routing.wallboard_orders import RUNNING, OrderDue

log = logging.getLogger(__name__)

TOPIC = "wallboard"
QUEUE_ENTERED, AGENT_ANSWERED = "queue_entered", "agent_answered"
# The utility an ended call had chosen: a call that left in the menus made no order to say it.
CLASSIFIED = "call_classified"
MOMENTS = (QUEUE_ENTERED, AGENT_ANSWERED, CLASSIFIED)
ORDER_CREATED = "order_created"
# Updates after which the figures may have moved; the rest only on the tick.
CHANGES = frozenset({"queue", "screen_pop", "call_started", "call_ended", ORDER_CREATED})
TICK_SECONDS = 5.0
# A burst of changes waits this long for the rest of the burst (the board's lag budget is 1 s).
SETTLE_SECONDS = 0.25
# The order panels (this month's orders) cost more: after a new order, recounted within this.
ORDER_SETTLE_SECONDS = 2.0
POLICY = web.AppKey("wallboard_policy", WallboardPolicy)
Sessions = async_sessionmaker[AsyncSession]
Clock = Callable[[], datetime]

routes = web.RouteTableDef()


# -- reading -------------------------------------------------------------------------------


async def call_records(session: AsyncSession, since: datetime) -> list[CallRecord]:
    # Rows of the columns the figures use, the order's utility joined in: this runs after
    # every change in the event loop the calls share, so no whole sessions (their flow
    # state is JSON) and no IN list of thousands of ids.
    calls = (await session.execute(
        select(CallSession.channel_id, CallSession.started_at, CallSession.ended_at,
               CallSession.outcome, WorkOrder.utility)
        .outerjoin(WorkOrder, WorkOrder.call_session_id == CallSession.id)
        .where(CallSession.started_at >= since)
    )).all()
    moments = await session.execute(
        select(AuditEvent.entity_id, AuditEvent.action, AuditEvent.at, AuditEvent.detail)
        .where(AuditEvent.entity == "call", AuditEvent.at >= since,
               AuditEvent.action.in_(MOMENTS))
    )
    seen: dict[tuple[str, str], Moment] = {}
    for call_id, action, at, detail in moments:
        seen.setdefault((call_id, action), Moment(at, detail or {}))
    records: dict[str, CallRecord] = {}
    for call in calls:  # a call with several orders comes once per order: keep one
        if call.channel_id not in records or call.utility is not None:
            order_utility = call.utility.value if call.utility is not None else None
            records[call.channel_id] = _call_record(call, seen, order_utility)
    return list(records.values())


@dataclass(frozen=True)
class Moment:
    at: datetime
    detail: dict[str, Any]


CallRow = Row[str, datetime, datetime | None, CallOutcome, Utility | None]


def _call_record(call: CallRow, seen: dict[tuple[str, str], Moment],
                 order_utility: str | None) -> CallRecord:
    entered = seen.get((call.channel_id, QUEUE_ENTERED))
    answered = seen.get((call.channel_id, AGENT_ANSWERED))
    utility = order_utility or next(
        (e.detail.get("utility") for e in (entered, seen.get((call.channel_id, CLASSIFIED)))
         if e is not None and e.detail.get("utility")), None)
    return CallRecord(
        call_id=call.channel_id, started_at=call.started_at, utility=utility,
        queued_at=entered.at if entered else None,
        agent_answered_at=answered.at if answered else None, ended_at=call.ended_at,
        callback=call.outcome == CallOutcome.CALLBACK,
    )


# The columns the order panels read: rows, not whole orders (no identity map, no JSON).
ORDER_DUE_COLUMNS = (
    WorkOrder.number, WorkOrder.status, WorkOrder.agency_id, WorkOrder.emergency,
    WorkOrder.utility, WorkOrder.dispatch_due, WorkOrder.receipt_due, WorkOrder.resolve_due,
    WorkOrder.dispatched_at, WorkOrder.received_at, WorkOrder.completed_at,
)


def _order_due(o: Any) -> OrderDue:
    return OrderDue(
        number=o.number, status=o.status.value, agency=o.agency_id, emergency=o.emergency,
        utility=o.utility.value if o.utility else None, dispatch_due=o.dispatch_due,
        receipt_due=o.receipt_due, resolve_due=o.resolve_due, dispatched_at=o.dispatched_at,
        received_at=o.received_at, completed_at=o.completed_at,
    )


def _running(now: datetime) -> ColumnElement[bool]:
    """SQL for "past a running deadline", from the same table as the pure next_deadline."""
    return or_(*(
        and_(WorkOrder.status.in_(states), getattr(WorkOrder, column) < now)
        for column, states in RUNNING.items()
    ))


async def order_rows(session: AsyncSession, now: datetime, top: int
                     ) -> tuple[list[OrderDue], list[OrderDue], dict[str, int]]:
    """What the order panels need, each read bounded however many orders are open: the
    `top` soonest of each running deadline (their union holds the panel's top), this month's
    dispatched orders, and the count of overdue open orders per agency."""
    candidates: dict[str, OrderDue] = {}
    for column, states in RUNNING.items():
        due = getattr(WorkOrder, column)
        found = await session.execute(select(*ORDER_DUE_COLUMNS).where(
            WorkOrder.status.in_(states), due.is_not(None)).order_by(due).limit(top))
        candidates.update((o.number, _order_due(o)) for o in found)
    month = await session.execute(
        select(*ORDER_DUE_COLUMNS).where(WorkOrder.dispatched_at >= month_start(now)))
    late = await session.execute(
        select(WorkOrder.agency_id, func.count()).where(
            WorkOrder.agency_id.is_not(None), _running(now)).group_by(WorkOrder.agency_id))
    overdue = {agency: n for agency, n in late.tuples() if agency is not None}
    return list(candidates.values()), [_order_due(o) for o in month], overdue


async def call_figures_now(sessions: Sessions, policy: WallboardPolicy, now: datetime
                           ) -> dict[str, Any]:
    longest = timedelta(minutes=max(policy.windows_minutes))
    async with sessions() as session:
        calls = await call_records(session, min(local_midnight(now), now - longest))
    return call_part(calls, now, policy)


async def order_figures_now(sessions: Sessions, policy: WallboardPolicy, now: datetime
                            ) -> dict[str, Any]:
    async with sessions() as session:
        candidates, dispatched, overdue = await order_rows(session, now, policy.deadlines.top)
    return order_part(candidates, dispatched, overdue, now, policy)


async def figures(sessions: Sessions, policy: WallboardPolicy, now: datetime) -> dict[str, Any]:
    return (await call_figures_now(sessions, policy, now)
            | await order_figures_now(sessions, policy, now))


@routes.get("/api/wallboard")
async def get_wallboard(request: web.Request) -> web.Response:
    """Service level and abandon rate (15 min, 60 min, today), calls per utility, orders near
    or past a deadline, the agency scorecard. Center staff only (order numbers, agencies)."""
    await current_user(request, CENTER)
    return web.json_response(
        await figures(request.app[SESSIONS], request.app[POLICY], now())
    )


# -- recording and pushing -----------------------------------------------------------------


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    with contextlib.suppress(ValueError):
        return datetime.fromisoformat(value)
    return None


def queue_moments(update: Update) -> list[tuple[str, str, datetime, dict[str, Any]]]:
    """(call id, action, when, detail) of the moments an update reports: a caller entering
    the line (every queue snapshot repeats it), an agent answering (not a call-back), the
    utility of an ended call."""
    data = update.get("data")
    if not isinstance(data, dict):
        return []
    if update.get("topic") == "queue":
        return [
            (w["call_id"], QUEUE_ENTERED, at, {"utility": w.get("utility"),
                                               "emergency": w.get("emergency")})
            for w in data.get("waiting", [])
            if not w.get("callback") and (at := _time(w.get("entered_at"))) is not None
        ]
    if update.get("topic") == "call_ended" and data.get("utility") and data.get("channel_id"):
        at = _time(update.get("at"))
        if at is not None:
            return [(data["channel_id"], CLASSIFIED, at, {"utility": data["utility"]})]
    if update.get("topic") == "screen_pop" and not data.get("callback"):
        at = _time(update.get("at"))
        if at is not None and data.get("call_id"):
            return [(data["call_id"], AGENT_ANSWERED, at, {"agent_id": data.get("agent_id")})]
    return []


class WallboardFeed:
    """Writes the queue moments it sees and publishes the figures when they change."""

    def __init__(self, hub: LiveHub, sessions: Sessions, policy: WallboardPolicy,
                 clock: Clock = now) -> None:
        self.hub, self.sessions, self.policy, self.clock = hub, sessions, policy, clock
        self.written: set[tuple[str, str]] = set()
        self.last: dict[str, Any] | None = None
        self.orders: dict[str, Any] | None = None  # the order panels, recounted less often

    async def record(self, update: Update) -> None:
        """Write the update's new moments (once each)."""
        fresh = [m for m in queue_moments(update) if (m[0], m[1]) not in self.written]
        if fresh:
            async with self.sessions.begin() as session:
                for call_id, action, at, detail in fresh:
                    if await _already(session, call_id, action):
                        continue  # written before a restart of ours
                    session.add(AuditEvent(at=at, actor="acd", entity="call",
                                           entity_id=call_id, action=action, detail=detail))
            self.written.update((m[0], m[1]) for m in fresh)
        if update.get("topic") == "call_ended":
            channel = (update.get("data") or {}).get("channel_id")
            self.written -= {(channel, action) for action in MOMENTS}

    async def publish_if_changed(self, orders_too: bool) -> bool:
        """Recount the calls (and the orders, on the tick or a new order: order events are
        not published on the hub) and publish when anything but the clock moved."""
        now = self.clock()
        current = await call_figures_now(self.sessions, self.policy, now)
        if orders_too or self.orders is None:
            self.orders = await order_figures_now(self.sessions, self.policy, now)
        current |= self.orders
        if self.last is not None and without_clock(current) == without_clock(self.last):
            return False
        self.last = current
        self.hub.publish(TOPIC, current, sticky=True)
        return True


async def _already(session: AsyncSession, call_id: str, action: str) -> bool:
    found = await session.execute(select(AuditEvent.id).where(
        AuditEvent.entity == "call", AuditEvent.entity_id == call_id, AuditEvent.action == action
    ).limit(1))
    return found.first() is not None


async def run_feed(feed: WallboardFeed, queue: asyncio.Queue[Update], tick: float,
                   settle: float = SETTLE_SECONDS) -> None:
    """Until cancelled: record each update; recount after a change, and on the tick (the
    windows slide and a waiting caller passes the 15 s bar with no update at all)."""
    loop = asyncio.get_running_loop()
    next_tick = loop.time()
    orders_due: float | None = None  # a new order's panels are recounted by then
    while True:
        topics = await _updates_until(feed, queue, next_tick, first_only=True)
        ticked = loop.time() >= next_tick
        if not ticked and topics & CHANGES:
            # Under a surge a change comes every few milliseconds: one recount per settle
            # period, not one per call, keeps the counting off the calls' event loop.
            topics |= await _updates_until(feed, queue, min(next_tick, loop.time() + settle))
            ticked = loop.time() >= next_tick
        if ORDER_CREATED in topics and orders_due is None:
            orders_due = loop.time() + ORDER_SETTLE_SECONDS
        orders_too = ticked or (orders_due is not None and loop.time() >= orders_due)
        if ticked or topics & CHANGES:
            await _step(feed.publish_if_changed, orders_too)
            orders_due = None if orders_too else orders_due
        if loop.time() >= next_tick:
            next_tick = loop.time() + tick


async def _updates_until(feed: WallboardFeed, queue: asyncio.Queue[Update], until: float,
                         first_only: bool = False) -> set[Any]:
    """Record the updates that come before `until` (with `first_only`: the first one and
    whatever is queued behind it); their topics. Only the wait is timed, never a write."""
    loop = asyncio.get_running_loop()
    topics: set[Any] = set()
    while until - loop.time() > 0:
        # Not asyncio.wait_for: on 3.11 it returns an update that lands with a cancel and
        # drops the cancel, so a stopping app waited for this feed forever.
        try:
            async with asyncio.timeout_at(until):
                update = await queue.get()
        except TimeoutError:
            break
        topics.add(await _recorded(feed, update))
        if first_only:
            while not queue.empty():
                topics.add(await _recorded(feed, queue.get_nowait()))
            break
    return topics


async def _recorded(feed: WallboardFeed, update: Update) -> Any:
    await _step(feed.record, update)
    return update.get("topic")


async def _step(step: Callable[..., Any], *args: Any) -> bool:
    # The feed must outlive a bad update or a database hiccup: log it and keep going.
    try:
        return bool(await step(*args))
    except Exception:
        log.exception("wallboard step failed")
        return False


async def wallboard_feed(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: the feed as a background task for the app's life (after the database)."""
    app[POLICY] = load_policy()
    hub = app[HUB]
    feed = WallboardFeed(hub, app[SESSIONS], app[POLICY])
    with hub.subscribe() as queue:
        task = asyncio.create_task(run_feed(feed, queue, TICK_SECONDS))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
