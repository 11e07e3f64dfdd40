"""The wallboard's server side: GET /api/wallboard and the `wallboard` update on /api/live.

The moments a service level needs - a caller entering the agents' line, an agent answering,
an ended call's utility - are written to the audit trail by the adapters that see them
(ari_app/queue_moments.py), so the figures survive a restart and are counted from the
database like everything else. This feed only recounts when the live hub says something
moved, and publishes. The figures themselves are `routing.floor.wallboard`'s.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from console.api import CENTER, current_user, now
from console.http import SESSIONS
from events.hub import HUB, LiveHub, Update
from events.hub import QUEUE_MOMENTS_TOPIC as WRITTEN_TOPIC
from routing.floor.wallboard import (
    WallboardPolicy,
    call_part,
    load_policy,
    local_midnight,
    order_part,
    without_clock,
)
from routing.floor.wallboard_repository import (
    DayCalls,
    order_rows,
)

log = logging.getLogger(__name__)

TOPIC = "wallboard"
ORDER_CREATED = "order_created"
# Updates after which the figures may have moved; the rest only on the tick.
CHANGES = frozenset({"queue", "screen_pop", "call_started", "call_ended", ORDER_CREATED,
                     WRITTEN_TOPIC})
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


async def call_figures_now(sessions: Sessions, policy: WallboardPolicy, now: datetime,
                           day: DayCalls | None = None) -> dict[str, Any]:
    """The call figures; with `day`, from the calls kept since its last read."""
    longest = timedelta(minutes=max(policy.windows_minutes))
    since = min(local_midnight(now), now - longest)
    day = day or DayCalls()
    async with sessions() as session:
        calls = await day.records(session, since, now)
    # Reading and counting each hold the calls' event loop for milliseconds under a surge:
    # the calls' events that came meanwhile go between the two, not after both.
    await asyncio.sleep(0)
    return call_part(calls, now, policy, day.bases())


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


# -- pushing -----------------------------------------------------------------------------


class WallboardFeed:
    """Publishes the figures when they change."""

    def __init__(self, hub: LiveHub, sessions: Sessions, policy: WallboardPolicy,
                 clock: Clock = now) -> None:
        self.hub, self.sessions, self.policy, self.clock = hub, sessions, policy, clock
        self.last: dict[str, Any] | None = None
        self.orders: dict[str, Any] | None = None  # the order panels, recounted less often
        self.day = DayCalls(policy)

    async def publish_if_changed(self, orders_too: bool) -> bool:
        """Recount the calls (and the orders, on the tick or a new order: order events are
        not published on the hub) and publish when anything but the clock moved."""
        now = self.clock()
        current = await call_figures_now(self.sessions, self.policy, now, self.day)
        if orders_too or self.orders is None:
            self.orders = await order_figures_now(self.sessions, self.policy, now)
        current |= self.orders
        if self.last is not None and without_clock(current) == without_clock(self.last):
            return False
        self.last = current
        self.hub.publish(TOPIC, current, sticky=True)
        return True


# The running feed: its last figures are what /metrics reports (console/metrics_http.py).
FEED = web.AppKey("wallboard_feed", WallboardFeed)


async def run_feed(feed: WallboardFeed, queue: asyncio.Queue[Update], tick: float,
                   settle: float = SETTLE_SECONDS) -> None:
    """Until cancelled: recount after a change, and on the tick (the windows slide and a
    waiting caller passes the 15 s bar with no update at all)."""
    loop = asyncio.get_running_loop()
    next_tick = loop.time()
    orders_due: float | None = None  # a new order's panels are recounted by then
    while True:
        topics = await _updates_until(queue, next_tick, first_only=True)
        ticked = loop.time() >= next_tick
        if not ticked and topics & CHANGES:
            # Under a surge a change comes every few milliseconds: one recount per settle
            # period, not one per call, keeps the counting off the calls' event loop.
            topics |= await _updates_until(queue, min(next_tick, loop.time() + settle))
            ticked = loop.time() >= next_tick
        if ORDER_CREATED in topics and orders_due is None:
            orders_due = loop.time() + ORDER_SETTLE_SECONDS
        orders_too = ticked or (orders_due is not None and loop.time() >= orders_due)
        if ticked or topics & CHANGES:
            await _step(feed.publish_if_changed, orders_too)
            orders_due = None if orders_too else orders_due
        if loop.time() >= next_tick:
            next_tick = loop.time() + tick


async def _updates_until(queue: asyncio.Queue[Update], until: float,
                         first_only: bool = False) -> set[Any]:
    """The topics of the updates that come before `until` (with `first_only`: the first one
    and whatever is queued behind it)."""
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
        topics.add(update.get("topic"))
        if first_only:
            while not queue.empty():
                topics.add(queue.get_nowait().get("topic"))
            break
    return topics


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
    feed = app[FEED] = WallboardFeed(hub, app[SESSIONS], app[POLICY])
    with hub.subscribe() as queue:
        task = asyncio.create_task(run_feed(feed, queue, TICK_SECONDS))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
