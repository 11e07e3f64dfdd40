"""The running surge detector: a background task on the live hub (L 3.1.2(5)).

It reads the calls' own updates, feeds `routing.floor.surge.SurgeDetector` one event per call (the
first update that names the call's utility), and publishes `surge` updates for the wallboard:
transitions (started / ended) at once, and every active surge again on each tick, so a surge
ends when calls stop coming and a wallboard opened later learns of it within a tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

from events.hub import LiveHub, Update
from routing.floor.surge import SurgeAlert, SurgeDetector, SurgePolicy

log = logging.getLogger(__name__)

SURGE_TOPIC = "surge"
# Both carry the call's public state; call_ended catches a call whose utility was only known
# at its end. The detector counts each channel once.
CALL_TOPICS = frozenset({"call_progress", "call_ended"})
Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def event_of(update: Update) -> tuple[datetime | None, Any, Any, Any] | None:
    """(time, utility, district, channel id) of a call update, or None for other topics."""
    if not isinstance(update, dict) or update.get("topic") not in CALL_TOPICS:
        return None
    data = update.get("data")
    if not isinstance(data, dict) or not data.get("utility"):
        return None
    return _parse_time(update.get("at")), data["utility"], data.get("district"), data.get(
        "channel_id"
    )


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


class SurgeMonitor:
    """Feeds the detector from hub updates and publishes its alerts back on the hub."""

    def __init__(self, hub: LiveHub, detector: SurgeDetector, clock: Clock = _utcnow) -> None:
        self.hub, self.detector, self.clock = hub, detector, clock

    def handle(self, update: Update) -> list[SurgeAlert]:
        """Count a call update; publish and return any surge that started or ended."""
        event = event_of(update)
        if event is None:
            return []
        at, utility, district, channel = event
        if not self.detector.observe(at or self.clock(), utility, district, channel):
            return []
        alerts = self.detector.evaluate(self.clock())
        # Between ticks only changes are news; ongoing counts are refreshed by the tick.
        return self._publish([a for a in alerts if a.state != "ongoing"])

    def tick(self) -> list[SurgeAlert]:
        """Re-evaluate without new calls; publish every alert (ongoing ones too)."""
        return self._publish(self.detector.evaluate(self.clock()))

    def _publish(self, alerts: list[SurgeAlert]) -> list[SurgeAlert]:
        for alert in alerts:
            if alert.state == "started":
                log.warning("call surge: %s", alert)  # the log is the record for the handover
            self.hub.publish(SURGE_TOPIC, alert.as_json())
        return alerts


async def run_surge_monitor(
    monitor: SurgeMonitor, queue: asyncio.Queue[Update], tick_seconds: float
) -> None:
    """Run until cancelled: updates from `queue` as they come, a tick every `tick_seconds`."""
    loop = asyncio.get_running_loop()
    next_tick = loop.time() + tick_seconds
    while True:
        # asyncio.timeout_at, not wait_for: 3.11's wait_for can swallow a cancellation.
        try:
            async with asyncio.timeout_at(next_tick):
                update = await queue.get()
        except TimeoutError:
            update = None
        if update is not None:
            _safely(monitor.handle, update)
        if loop.time() >= next_tick:
            _safely(monitor.tick)
            next_tick = loop.time() + tick_seconds


def _safely(step: Callable[..., object], *args: object) -> None:
    # A monitor must outlive a bad update: log it and keep watching the calls.
    try:
        step(*args)
    except Exception:
        log.exception("surge detector step failed")


@contextlib.asynccontextmanager
async def surge_monitor_running(
    hub: LiveHub, policy: SurgePolicy, clock: Clock = _utcnow
) -> AsyncIterator[SurgeMonitor]:
    """The monitor as a background task for the life of the block (cancelled on exit)."""
    monitor = SurgeMonitor(hub, SurgeDetector(policy), clock)
    # Subscribed before the task starts, so no call published meanwhile is missed.
    with hub.subscribe() as queue:
        task = asyncio.create_task(run_surge_monitor(monitor, queue, policy.tick_seconds))
        try:
            yield monitor
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
