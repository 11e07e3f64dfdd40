"""The call-surge detector (L 3.1.2(5)): synthetic timelines, odd input, and the running
monitor on a real in-process LiveHub."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from console.surge_task import SURGE_TOPIC, SurgeMonitor, surge_monitor_running
from events.hub import LiveHub
from routing.floor.surge import (
    SeriesRules,
    SurgeAlert,
    SurgeDetector,
    SurgePolicy,
    extra_agents,
    load_surge_policy,
)

T0 = datetime(2024, 11, 15, 20, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def feed(detector: SurgeDetector, utility: str, start: datetime, minutes: int, per_minute: float,
         district: str | None = None) -> list[SurgeAlert]:
    """Calls at an even `per_minute` rate for `minutes`, evaluated every minute."""
    alerts: list[SurgeAlert] = []
    owed = 0.0
    for m in range(minutes):
        now = start + m * MINUTE
        owed += per_minute
        while owed >= 1:
            owed -= 1
            detector.observe(now, utility, district)
        alerts += detector.evaluate(now)
    return alerts


def watched_quiet_hour() -> SurgeDetector:
    """A detector that has watched a quiet hour before T0."""
    detector = SurgeDetector()
    detector.evaluate(T0 - 70 * MINUTE)
    return detector


def states(alerts: list[SurgeAlert]) -> list[str]:
    """The state sequence with repeated 'ongoing' collapsed."""
    out: list[str] = []
    for alert in alerts:
        if not (out and out[-1] == alert.state == "ongoing"):
            out.append(alert.state)
    return out


def test_the_shipped_policy_cites_the_clause_and_says_its_numbers_are_the_centers() -> None:
    policy = load_surge_policy()
    assert policy.clauses == ("L 3.1.2(5)",) and policy.source == "center_default"
    assert policy.end_factor < policy.start_factor


def test_a_policy_without_hysteresis_is_refused() -> None:
    with pytest.raises(ValidationError):
        SurgePolicy(start_factor=2.0, end_factor=2.0)


def test_steady_load_never_alerts() -> None:
    detector = SurgeDetector()
    assert feed(detector, "heating", T0, 300, per_minute=1.0) == []  # 60 an hour, all evening


def test_a_spike_starts_once_stays_on_and_ends_after_it_subsides() -> None:
    detector = SurgeDetector()
    usual = feed(detector, "gas", T0, 90, per_minute=0.1)  # 6 an hour
    spike = feed(detector, "gas", T0 + 90 * MINUTE, 30, per_minute=1.5)  # 90 an hour
    after = feed(detector, "gas", T0 + 120 * MINUTE, 30, per_minute=0.1)
    assert usual == []
    assert states(spike + after) == ["started", "ongoing", "ended"]
    started = next(a for a in spike if a.state == "started")
    assert (started.utility, started.district) == ("gas", None)
    assert started.recent >= 6 and started.factor >= 3
    assert started.baseline_per_hour == pytest.approx(6, abs=1)
    assert started.agents_needed > 0 and started.window_minutes == 10
    # The baseline is frozen while the surge lasts: 30 minutes of it do not become "usual".
    last_on = [a for a in spike if a.state == "ongoing"][-1]
    assert last_on.baseline_per_hour == started.baseline_per_hour and last_on.factor >= 10
    assert detector.active() == []


def test_a_surge_ends_when_calls_simply_stop() -> None:
    detector = watched_quiet_hour()
    feed(detector, "water", T0, 10, per_minute=1.0)
    assert detector.active() == [("water", None)]
    assert [a.state for a in detector.evaluate(T0 + 30 * MINUTE)] == ["ended"]


def test_between_the_end_and_start_bars_a_surge_stays_on_without_flapping() -> None:
    detector = SurgeDetector()
    feed(detector, "gas", T0, 70, per_minute=0.1)  # 6 an hour
    alerts = feed(detector, "gas", T0 + 70 * MINUTE, 15, per_minute=1.0)
    alerts += feed(detector, "gas", T0 + 85 * MINUTE, 40, per_minute=0.2)  # 2x: between bars
    assert states(alerts) == ["started", "ongoing"]
    alerts += feed(detector, "gas", T0 + 125 * MINUTE, 15, per_minute=0.05)
    assert states(alerts) == ["started", "ongoing", "ended"]


def test_a_quiet_baseline_is_floored_so_two_calls_are_not_a_surge() -> None:
    detector = watched_quiet_hour()
    detector.observe(T0, "river")
    detector.observe(T0 + MINUTE, "river")
    assert detector.evaluate(T0 + 2 * MINUTE) == []
    # Enough calls over a zero baseline: the factor is against the floor, not infinite.
    for n in range(6):
        detector.observe(T0 + (3 + n) * 10 * timedelta(seconds=1), "river")
    (alert,) = detector.evaluate(T0 + 2 * MINUTE)
    assert alert.baseline_per_hour == 0 and alert.factor == 48 / 6


def test_a_district_spike_alerts_for_the_district_without_swamping_the_city() -> None:
    detector = SurgeDetector()
    feed(detector, "water", T0, 90, per_minute=1.0)  # 60 an hour across the city
    alerts = feed(detector, "water", T0 + 90 * MINUTE, 8, per_minute=0.75, district="lixia")
    started = [a for a in alerts if a.state == "started"]
    assert [(a.utility, a.district) for a in started] == [("water", "lixia")]


def test_each_channel_is_counted_once() -> None:
    detector = watched_quiet_hour()
    assert detector.observe(T0, "gas", None, "chan-1")
    for _ in range(20):  # the same call's further progress updates
        assert not detector.observe(T0, "gas", None, "chan-1")
    assert detector.evaluate(T0) == []
    for n in range(5):
        detector.observe(T0, "gas", None, f"chan-{n + 2}")
    (alert,) = detector.evaluate(T0)
    assert alert.recent == 6


def test_after_a_restart_it_is_blind_until_enough_baseline_is_watched() -> None:
    fresh = SurgeDetector()
    assert feed(fresh, "gas", T0, 15, per_minute=1.5) == []  # no history: could be usual
    later = SurgeDetector()
    later.evaluate(T0)  # restarted at T0, then 25 quiet minutes
    alerts = feed(later, "gas", T0 + 25 * MINUTE, 15, per_minute=1.5)
    assert states(alerts)[:1] == ["started"]
    assert alerts[0].baseline_per_hour == 0


def test_a_call_without_utility_yet_is_counted_when_its_utility_is_known() -> None:
    detector = SurgeDetector()
    assert not detector.observe(T0, None, None, "chan-1")
    assert detector.observe(T0, "gas", None, "chan-1")


@pytest.mark.parametrize("at", [None, "yesterday", float("nan"), float("inf"), True, object()])
def test_unusable_times_are_ignored(at: object) -> None:
    detector = SurgeDetector()
    assert not detector.observe(at, "gas")
    assert detector.evaluate(at) == []


def test_extra_agents_grow_with_the_spike_and_never_fail() -> None:
    rules = SurgePolicy().staffing
    assert extra_agents(72, 6, rules) > extra_agents(36, 6, rules) > 0
    assert extra_agents(6, 72, rules) == 0
    assert extra_agents(0, 0, rules) == extra_agents(float("nan"), -1, rules) == 0


times = st.one_of(
    st.datetimes(timezones=st.none() | st.just(UTC)),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.none(), st.text(max_size=3),
)
labels = st.one_of(st.none(), st.sampled_from(["gas", "water", " ", "", "x" * 80]), st.integers())
events = st.tuples(times, labels, labels, st.none() | st.sampled_from(["a", "b", "c", ""]))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(events, st.booleans(), times), max_size=60))
def test_arbitrary_event_sequences_never_raise_and_alerts_are_well_formed(
    steps: list[tuple[tuple[object, object, object, object], bool, object]],
) -> None:
    detector = SurgeDetector(SurgePolicy(
        min_baseline_minutes=0,
        utility=SeriesRules(min_recent_calls=1, baseline_floor_per_hour=1),
        district=SeriesRules(min_recent_calls=1, baseline_floor_per_hour=1),
    ))
    active: set[tuple[str, str | None]] = set()
    for event, evaluate, now in steps:
        detector.observe(*event)
        if not evaluate:
            continue
        for alert in detector.evaluate(now):
            key = (alert.utility, alert.district)
            assert alert.state in ("started", "ongoing", "ended")
            assert (alert.state == "started") == (key not in active)
            assert alert.recent >= 0 and alert.factor >= 0 and alert.agents_needed >= 0
            assert alert.baseline_per_hour >= 0 and alert.utility.strip()
            (active.discard if alert.state == "ended" else active.add)(key)
        assert set(detector.active()) == active


# -- the running monitor on a real hub --------------------------------------------------------

FAST = SurgePolicy(utility=SeriesRules(min_recent_calls=3, baseline_floor_per_hour=6),
                   min_baseline_minutes=0, tick_seconds=0.05)


def progress(hub: LiveHub, channel: str, utility: str | None) -> None:
    hub.publish("call_progress", {
        "channel_id": channel, "caller_number": "13800000000", "node": "type_menu",
        "phase": "waiting", "path": ["main_menu:3"], "utility": utility, "order_type": None,
    })


async def next_surge(queue: asyncio.Queue[dict[str, Any]]) -> dict[str, Any]:
    while True:
        async with asyncio.timeout(2):
            update = await queue.get()
        if update["topic"] == SURGE_TOPIC:
            data: dict[str, Any] = update["data"]
            return data


@pytest.mark.timeout(10)
async def test_the_background_task_publishes_a_surge_and_stops_cleanly() -> None:
    hub = LiveHub()
    with hub.subscribe() as wallboard:
        async with surge_monitor_running(hub, FAST) as monitor:
            assert hub.subscribers == 2
            progress(hub, "chan-0", None)  # utility not chosen yet: not counted
            for n in range(3):
                progress(hub, f"chan-{n}", "gas")
                progress(hub, f"chan-{n}", "gas")  # further progress of the same call
            hub.publish("queue", {"waiting": [], "agents": []})  # other topics are ignored
            started = await next_surge(wallboard)
            assert started == {
                "state": "started", "utility": "gas", "district": None, "recent": 3,
                "baseline_per_hour": 0.0, "factor": 3.0, "agents_needed": started["agents_needed"],
                "window_minutes": 10.0,
            }
            assert (await next_surge(wallboard))["state"] == "ongoing"  # the tick re-announces
            assert isinstance(monitor, SurgeMonitor)
        assert hub.subscribers == 1


async def test_the_monitor_ends_a_surge_on_its_tick_when_calls_stop() -> None:
    hub = LiveHub()
    clock = [T0]
    monitor = SurgeMonitor(hub, SurgeDetector(FAST), clock=lambda: clock[0])
    with hub.subscribe() as wallboard:
        for n in range(4):
            monitor.handle({"topic": "call_ended", "at": "not a time",
                            "data": {"channel_id": f"c{n}", "utility": "heating"}})
        assert [u["data"]["state"] for u in drain(wallboard)] == ["started"]
        clock[0] = T0 + 20 * MINUTE
        assert [a.state for a in monitor.tick()] == ["ended"]
        assert [u["data"]["state"] for u in drain(wallboard)] == ["ended"]


def drain(queue: asyncio.Queue[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    while not queue.empty():
        update = queue.get_nowait()
        if update["topic"] == SURGE_TOPIC:
            out.append(update)
    return out
