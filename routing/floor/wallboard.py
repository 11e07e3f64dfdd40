"""The supervisor wallboard's figures, computed from call and order records (pure, no I/O).

Service level (L 3.2.2(3)①, three rings ≈ 15 s): of the calls that entered the agents' line
in a window, the share an agent answered within `answer_seconds` of entering it. A caller
still waiting past that bar is already a miss, so the figure falls while they wait; a caller
who chose a call-back left the line by choice and counts in neither term. Abandon rate: the
callers who hung up while waiting, of those whose wait ended (answered or hung up).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from routing.floor.wallboard_orders import (
    OrderDue,
    agency_scorecard,
    deadline_panel,
    overdue_by_agency,
)
from routing.floor.wallboard_orders import percent as _percent
from routing.orders.calendar import SHANGHAI
from routing.reports.kpi import Rate, rate

DEFAULT_POLICY_PATH = Path(__file__).with_name("wallboard.yaml")
NO_UTILITY = "none"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServiceLevelRule(_Strict):
    answer_seconds: int = Field(gt=0, le=120)
    target_percent: int = Field(ge=1, le=100)
    source: Literal["standard", "center_default"]
    clauses: list[str] = Field(min_length=1)


class DeadlineRule(_Strict):
    near_minutes: int = Field(gt=0, le=7 * 24 * 60)
    top: int = Field(gt=0, le=100)
    source: Literal["standard", "center_default"]
    clauses: list[str] = Field(min_length=1)


class WallboardPolicy(_Strict):
    version: Literal[1]
    service_level: ServiceLevelRule
    windows_minutes: list[int] = Field(min_length=1)
    deadlines: DeadlineRule


def load_policy(path: Path | None = None) -> WallboardPolicy:
    """The policy file, refused at start-up when a key is unknown or a value out of range."""
    raw = yaml.safe_load((path or DEFAULT_POLICY_PATH).read_text("utf-8"))
    return WallboardPolicy.model_validate(raw)


# -- calls ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallRecord:
    """What the wallboard needs of one citizen call (times aware, UTC)."""

    call_id: str
    started_at: datetime
    utility: str | None
    queued_at: datetime | None = None  # entered the agents' line
    agent_answered_at: datetime | None = None
    ended_at: datetime | None = None
    callback: bool = False  # left the line to be called back, keeping the place


@dataclass(frozen=True)
class WindowFigures:
    window: str  # "15m", "60m", "today"
    since: datetime
    calls: int
    per_utility: dict[str, int]
    answered: int
    answered_within: int
    abandoned: int
    waiting_late: int
    callbacks: int
    service_level: Rate
    abandon_rate: Rate

    def as_json(self) -> dict[str, Any]:
        return {
            "window": self.window, "since": self.since.isoformat(), "calls": self.calls,
            "per_utility": self.per_utility, "answered": self.answered,
            "answered_within": self.answered_within, "abandoned": self.abandoned,
            "waiting_late": self.waiting_late, "callbacks": self.callbacks,
            "service_level": _percent(self.service_level),
            "abandon_rate": _percent(self.abandon_rate),
        }


def local_midnight(now: datetime) -> datetime:
    """00:00 Asia/Shanghai of the day `now` falls on: the start of "today"."""
    local = now.astimezone(SHANGHAI)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass
class Tally:
    """A window's sums over the parts of calls that can no longer change (routing.
    wallboard_sums): kept between recounts, they spare each recount a walk over every call in
    the window (issue 6: under 200 calls that walk was the largest cost in serve's loop)."""

    calls: int = 0
    per_utility: Counter[str] = field(default_factory=Counter)
    answered: int = 0
    answered_within: int = 0
    abandoned: int = 0
    callbacks: int = 0

    def count_start(self, utility: str | None, sign: int = 1) -> None:
        self.calls += sign
        self.per_utility[utility or NO_UTILITY] += sign

    def count_wait(self, kind: str, within: bool, sign: int = 1) -> None:
        """An ended wait in the line: answered (within the bar or not), abandoned, callback."""
        self.answered += sign * (kind == "answered")
        self.answered_within += sign * (kind == "answered" and within)
        self.abandoned += sign * (kind == "abandoned")
        self.callbacks += sign * (kind == "callback")


def ended_wait(record: CallRecord, answer_seconds: int) -> tuple[str, bool]:
    """How an ended call's wait in the line ended, and whether within the bar."""
    assert record.ended_at is not None and record.queued_at is not None
    kind, wait = _wait(record, record.ended_at)
    return kind, wait <= timedelta(seconds=answer_seconds)


def window_figures(
    records: Iterable[CallRecord], *, name: str, since: datetime, now: datetime,
    answer_seconds: int, base: Tally | None = None,
) -> WindowFigures:
    """The figures of calls started (and queued calls that entered the line) in [since, now],
    plus `base`: calls summed before, none of them among `records`."""
    records = list(records)
    base = base or Tally()
    started = [r for r in records if since <= r.started_at <= now]
    bar = timedelta(seconds=answer_seconds)
    waits = [_wait(r, now) for r in records if r.queued_at is not None
             and since <= r.queued_at <= now]
    answered = [w for kind, w in waits if kind == "answered"]
    within = sum(w <= bar for w in answered) + base.answered_within
    abandoned = sum(kind == "abandoned" for kind, _ in waits) + base.abandoned
    late = sum(kind == "waiting" and w > bar for kind, w in waits)
    answered_count = len(answered) + base.answered
    per_utility = Counter(r.utility or NO_UTILITY for r in started) + base.per_utility
    return WindowFigures(
        window=name, since=since, calls=len(started) + base.calls,
        per_utility=dict(per_utility),
        answered=answered_count, answered_within=within, abandoned=abandoned,
        waiting_late=late,
        callbacks=sum(kind == "callback" for kind, _ in waits) + base.callbacks,
        service_level=rate(numerator=within, denominator=answered_count + abandoned + late),
        abandon_rate=rate(numerator=abandoned, denominator=answered_count + abandoned),
    )


def _wait(record: CallRecord, now: datetime) -> tuple[str, timedelta]:
    """How a queued call's wait ended (answered, callback, abandoned, or still waiting) and
    how long it was (so far)."""
    assert record.queued_at is not None
    if record.agent_answered_at is not None:
        return "answered", record.agent_answered_at - record.queued_at
    if record.callback:
        return "callback", timedelta(0)
    if record.ended_at is not None:
        return "abandoned", record.ended_at - record.queued_at
    return "waiting", now - record.queued_at


def call_figures(
    records: Iterable[CallRecord], now: datetime, policy: WallboardPolicy,
    bases: Mapping[str, Tally] | None = None,
) -> list[WindowFigures]:
    """The sliding windows of the policy, then today; each with its sums from `bases` (by
    window name) added, of calls not among `records`."""
    records = list(records)
    bases = bases or {}
    seconds = policy.service_level.answer_seconds
    windows = [(f"{m}m", now - timedelta(minutes=m)) for m in policy.windows_minutes]
    windows.append(("today", local_midnight(now)))
    return [
        window_figures(records, name=name, since=since, now=now, answer_seconds=seconds,
                       base=bases.get(name))
        for name, since in windows
    ]


def month_start(now: datetime) -> datetime:
    return local_midnight(now).replace(day=1)


def call_part(calls: Iterable[CallRecord], now: datetime, policy: WallboardPolicy,
              bases: Mapping[str, Tally] | None = None) -> dict[str, Any]:
    rule = policy.service_level
    return {
        "at": now.isoformat(),
        "service_level_rule": {
            "answer_seconds": rule.answer_seconds, "target_percent": rule.target_percent,
            "clauses": rule.clauses,
        },
        "windows": [w.as_json() for w in call_figures(calls, now, policy, bases)],
    }


def order_part(
    candidates: Iterable[OrderDue], dispatched: Iterable[OrderDue],
    overdue: Mapping[str, int], now: datetime, policy: WallboardPolicy,
) -> dict[str, Any]:
    """The deadlines panel from `candidates` (any superset of the orders it lists) and the
    scorecard from this month's `dispatched` orders and the `overdue` counts."""
    near = timedelta(minutes=policy.deadlines.near_minutes)
    panel = deadline_panel(candidates, now, near=near, top=policy.deadlines.top)
    since = month_start(now)
    return {
        "deadlines": [d.as_json() for d in panel],
        "scorecard": {
            "since": since.isoformat(),
            "agencies": [s.as_json() for s in agency_scorecard(dispatched, now, since, overdue)],
        },
    }


def wallboard(
    calls: Iterable[CallRecord], orders: Iterable[OrderDue], now: datetime,
    policy: WallboardPolicy,
) -> dict[str, Any]:
    """Everything the wallboard shows that the server computes, as JSON, from all rows."""
    orders = list(orders)
    return call_part(calls, now, policy) | order_part(
        orders, orders, overdue_by_agency(orders, now), now, policy
    )


def without_clock(figures: dict[str, Any]) -> dict[str, Any]:
    """The figures minus what changes every second, to tell whether anything changed."""
    rest = {k: v for k, v in figures.items() if k not in ("at", "deadlines", "windows")}
    rest["windows"] = [{k: v for k, v in w.items() if k != "since"} for w in figures["windows"]]
    rest["deadlines"] = [
        {k: v for k, v in d.items() if k != "seconds_left"} for d in figures["deadlines"]
    ]
    return rest

