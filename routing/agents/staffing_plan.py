"""Staffing from observed traffic, per 30-minute interval of a Shanghai day (pure, no I/O).

A call counts in the interval in which it entered the agents' line (offered); it is answered
when an agent picked it up, and its handle time is talk plus after-call work. Per interval the
average handle time is that of the calls handled in it, or the policy's default when none was;
Erlang C (`routing.agents.staffing.staffing_need`, 80 % within 15 s) turns offered calls and handle
time into agents on the phones and rostered (with shrinkage); no calls need no agents.

Agents present come from their state history: `logged_in` is the time-weighted mean number of
agents in any state but logged out, `paused` those of them paused (a break: logged in but not
taking calls). The shortfall is what Erlang C needs on the phones minus those taking calls:
max(0, needed - (logged_in - paused)).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from routing.agents.acd import AgentState
from routing.agents.staffing import INTERVAL_MINUTES, staffing_need
from routing.agents.staffing_peaks import ErlangRules, local_day_bounds
from routing.orders.calendar import SHANGHAI

INTERVAL = timedelta(minutes=INTERVAL_MINUTES)
PER_DAY = 24 * 60 // INTERVAL_MINUTES
# After-call work longer than this is an agent who forgot to become available, not handling
# (the longest wrap-up the settings allow, hotline12319/settings.py wrap_up_seconds).
MAX_WRAP_UP = timedelta(seconds=600)
_HANDLING = frozenset({AgentState.ON_CALL, AgentState.AFTER_CALL_WORK})
YEARS = (2000, 2999)  # outside these a date is a typo (and year 9999 has no tomorrow)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class ObservedCall:
    arrived_at: datetime  # entered the agents' line (aware)
    handle_seconds: float | None = None  # None: no agent answered it


@dataclass(frozen=True)
class StateChange:
    at: datetime  # aware
    state: AgentState  # the state the agent entered then


def parse_day(raw: str) -> date:
    """A YYYY-MM-DD date of a plausible year (the API's and the CLI's); ValueError if not."""
    if not _DATE.fullmatch(raw):
        raise ValueError("date must be YYYY-MM-DD")
    day = date.fromisoformat(raw)
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise ValueError(f"date: a year from {YEARS[0]} to {YEARS[1]}")
    return day


def intervals(day: date) -> list[tuple[datetime, datetime]]:
    """The day's 48 half hours in Asia/Shanghai (no daylight saving since 1991)."""
    start, _ = local_day_bounds(day)
    return [(start + i * INTERVAL, start + (i + 1) * INTERVAL) for i in range(PER_DAY)]


def interval_of(moment: datetime, day: date) -> int | None:
    """Which half hour of the Shanghai `day` the aware instant falls in; None: another day."""
    local = moment.astimezone(SHANGHAI)
    if local.date() != day:
        return None
    return (local.hour * 60 + local.minute) // INTERVAL_MINUTES


@dataclass(frozen=True)
class Load:
    """The calls of one interval (of one day, or summed over several)."""

    offered: int = 0
    answered: int = 0
    handle_total: float = 0.0

    def add(self, call: ObservedCall) -> Load:
        if call.handle_seconds is None:
            return Load(self.offered + 1, self.answered, self.handle_total)
        return Load(self.offered + 1, self.answered + 1, self.handle_total + call.handle_seconds)

    def __add__(self, other: Load) -> Load:
        return Load(self.offered + other.offered, self.answered + other.answered,
                    self.handle_total + other.handle_total)

    def aht(self, default_seconds: float) -> tuple[float, bool]:
        """(average handle seconds, True when it is the default: nothing handled)."""
        if self.answered == 0:
            return default_seconds, True
        return self.handle_total / self.answered, False


def bucket(calls: Iterable[ObservedCall], day: date) -> list[Load]:
    loads = [Load()] * PER_DAY
    for call in calls:
        index = interval_of(call.arrived_at, day)
        if index is not None:
            loads[index] = loads[index].add(call)
    return loads


def agents_needed(calls: float, aht_seconds: float, rules: ErlangRules) -> tuple[int, int]:
    """(on the phones, rostered) for `calls` in one half hour; no calls need no agents."""
    if calls <= 0:
        return 0, 0
    need = staffing_need(
        calls_per_hour=calls * 60 / INTERVAL_MINUTES, aht_seconds=max(aht_seconds, 1.0),
        service_level=rules.service_level, answer_seconds=rules.answer_seconds,
        shrinkage=rules.shrinkage, max_occupancy=rules.max_occupancy,
    )
    return need.agents_on_phones, need.agents_rostered


def handle_seconds(answered_at: datetime, changes: Sequence[StateChange],
                   ended_at: datetime | None, now: datetime) -> float:
    """Talk plus after-call work of a call an agent answered at `answered_at`: until the
    agent's first state after it that is neither on the call nor wrap-up (their history,
    sorted), else until the call ended; wrap-up beyond MAX_WRAP_UP is not counted."""
    end = next((c.at for c in changes if c.at >= answered_at and c.state not in _HANDLING),
               None)
    if end is None:
        end = ended_at
    elif ended_at is not None:
        end = min(end, ended_at + MAX_WRAP_UP)
    return max(0.0, ((end or now) - answered_at).total_seconds())


def presence(timelines: Mapping[str, Sequence[StateChange]], day: date, until: datetime
             ) -> list[tuple[float, float]]:
    """Per interval: (agents logged in, agents paused), time-weighted over the part of the
    interval before `until`. Each timeline is sorted; its first change may precede the day
    (the state the agent was in at midnight); before its first change an agent is out."""
    day_start, day_end = local_day_bounds(day)
    stop = min(until, day_end)
    seconds = [[0.0, 0.0] for _ in range(PER_DAY)]
    for changes in timelines.values():
        for i, change in enumerate(changes):
            if change.state is AgentState.LOGGED_OUT:
                continue
            seg_end = changes[i + 1].at if i + 1 < len(changes) else stop
            _spread(seconds, max(change.at, day_start), min(seg_end, stop), day_start,
                    change.state is AgentState.PAUSED)
    spans = [(max(0.0, (min(e, stop) - s).total_seconds())) for s, e in intervals(day)]
    return [(round(lo / span, 2), round(pa / span, 2)) if span else (0.0, 0.0)
            for (lo, pa), span in zip(seconds, spans, strict=True)]


def _spread(seconds: list[list[float]], start: datetime, end: datetime, day_start: datetime,
            paused: bool) -> None:
    """Add the seconds of [start, end) to the intervals it covers."""
    while start < end:
        index = int((start - day_start) / INTERVAL)
        piece = min(end, day_start + (index + 1) * INTERVAL) - start
        seconds[index][0] += piece.total_seconds()
        if paused:
            seconds[index][1] += piece.total_seconds()
        start += piece


@dataclass(frozen=True)
class ObservedInterval:
    start: datetime
    end: datetime
    offered: int
    answered: int
    aht_seconds: float
    aht_fallback: bool  # no call handled in it: the policy's default handle time
    needed: int  # agents on the phones (Erlang C)
    needed_rostered: int  # with shrinkage
    logged_in: float
    paused: float

    @property
    def shortfall(self) -> float:
        return round(max(0.0, self.needed - (self.logged_in - self.paused)), 2)

    def as_json(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(),
                "offered": self.offered, "answered": self.answered,
                "aht_seconds": round(self.aht_seconds, 1), "aht_fallback": self.aht_fallback,
                "needed": self.needed, "needed_rostered": self.needed_rostered,
                "logged_in": self.logged_in, "paused": self.paused,
                "shortfall": self.shortfall}


def rules_json(rules: ErlangRules) -> dict[str, Any]:
    return {"interval_minutes": INTERVAL_MINUTES, "service_level": rules.service_level,
            "answer_seconds": rules.answer_seconds, "shrinkage": rules.shrinkage,
            "max_occupancy": rules.max_occupancy,
            "default_aht_seconds": rules.default_aht_seconds, "clauses": list(rules.clauses)}


@dataclass(frozen=True)
class ObservedDay:
    day: date
    rules: ErlangRules
    intervals: tuple[ObservedInterval, ...]

    def as_json(self) -> dict[str, Any]:
        rows = self.intervals
        return {"date": self.day.isoformat(), "timezone": "Asia/Shanghai",
                "rules": rules_json(self.rules),
                "totals": {"offered": sum(r.offered for r in rows),
                           "answered": sum(r.answered for r in rows),
                           "max_needed": max((r.needed for r in rows), default=0),
                           "max_shortfall": max((r.shortfall for r in rows), default=0.0)},
                "intervals": [r.as_json() for r in rows]}


def observed_day(calls: Iterable[ObservedCall], timelines: Mapping[str, Sequence[StateChange]],
                 day: date, until: datetime, rules: ErlangRules) -> ObservedDay:
    """The day's intervals: load and Erlang C need against the agents present."""
    rows = []
    for (start, end), load, (logged_in, paused) in zip(
            intervals(day), bucket(calls, day), presence(timelines, day, until), strict=True):
        aht, fallback = load.aht(rules.default_aht_seconds)
        needed, rostered = agents_needed(load.offered, aht, rules)
        rows.append(ObservedInterval(start, end, load.offered, load.answered, aht, fallback,
                                     needed, rostered, logged_in, paused))
    return ObservedDay(day, rules, tuple(rows))
