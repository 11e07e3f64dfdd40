"""The next-day staffing plan for the foreseeable peaks of L 3.1.2(5)② (pure, no I/O).

Per 30-minute interval of the target day: the calls expected are the mean of the same interval
over the last N days of the same kind (working day or rest day by China's official calendar,
`routing.orders.calendar`), times the interval's peak factor (`routing.agents.staffing_peaks`); the
handle
time is the average of the calls handled in that interval on those days (the policy's default
when none was); Erlang C turns them into agents. Days before the first observed call are not
history: they would read as days without calls. Known limits: a day with no history plans no
agents however large its peak factor, and a history day that was itself a peak is not
discounted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from routing.agents.staffing_peaks import Peak, StaffingPolicy, factor_for
from routing.agents.staffing_plan import (
    Load,
    ObservedCall,
    agents_needed,
    bucket,
    intervals,
    rules_json,
)


def history_days(target: date, is_working_day: Callable[[date], bool],
                 first_day: date | None, policy: StaffingPolicy) -> list[date]:
    """The last `same_kind_days` days before `target` of its kind, newest first, looking back
    at most `lookback_days` and never before the first day with an observed call."""
    if first_day is None:
        return []
    rules = policy.forecast
    kind = is_working_day(target)
    found: list[date] = []
    for back in range(1, rules.lookback_days + 1):
        day = target - timedelta(days=back)
        if day < first_day or len(found) == rules.same_kind_days:
            break
        if is_working_day(day) == kind:
            found.append(day)
    return found


@dataclass(frozen=True)
class PlanInterval:
    start: datetime
    end: datetime
    baseline_calls: float  # mean of the same interval on the history days
    factor: float  # the peaks that cover it
    aht_seconds: float
    aht_fallback: bool
    needed: int
    needed_rostered: int

    @property
    def forecast_calls(self) -> float:
        return round(self.baseline_calls * self.factor, 2)

    def as_json(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(),
                "baseline_calls": round(self.baseline_calls, 2), "factor": self.factor,
                "forecast_calls": self.forecast_calls,
                "aht_seconds": round(self.aht_seconds, 1), "aht_fallback": self.aht_fallback,
                "needed": self.needed, "needed_rostered": self.needed_rostered}


@dataclass(frozen=True)
class DayPlan:
    day: date
    working_day: bool
    history: tuple[date, ...]
    peaks: tuple[Peak, ...]
    policy: StaffingPolicy
    intervals: tuple[PlanInterval, ...]

    @property
    def peak_interval(self) -> PlanInterval | None:
        """The interval needing the most agents (then most calls, then the earliest)."""
        busy = [r for r in self.intervals if r.needed > 0]
        if not busy:
            return None
        return max(busy, key=lambda r: (r.needed_rostered, r.needed, r.forecast_calls,
                                        -r.start.timestamp()))

    def as_json(self) -> dict[str, Any]:
        peak = self.peak_interval
        rows = self.intervals
        return {
            "date": self.day.isoformat(), "timezone": "Asia/Shanghai",
            "day_kind": "working_day" if self.working_day else "rest_day",
            "history_days": [d.isoformat() for d in self.history],
            "rules": rules_json(self.policy.erlang) | {
                "same_kind_days": self.policy.forecast.same_kind_days,
                "lookback_days": self.policy.forecast.lookback_days,
                "clauses": list(self.policy.clauses)},
            "peaks": [p.as_json() for p in self.peaks],
            "totals": {"forecast_calls": round(sum(r.forecast_calls for r in rows), 2),
                       "max_needed": max((r.needed for r in rows), default=0),
                       "max_needed_rostered": max((r.needed_rostered for r in rows),
                                                  default=0)},
            "peak_interval": peak.as_json() if peak else None,
            "intervals": [r.as_json() for r in rows],
        }


def plan_day(target: date, *, working_day: bool,
             history: Mapping[date, Sequence[ObservedCall]], peaks: Sequence[Peak],
             policy: StaffingPolicy) -> DayPlan:
    """The plan of `target` from the calls of the history days (keys: those days)."""
    days = sorted(history, reverse=True)
    per_day = [bucket(history[d], d) for d in days]
    rows = []
    for index, (start, end) in enumerate(intervals(target)):
        pooled = sum((loads[index] for loads in per_day), Load())
        baseline = pooled.offered / len(days) if days else 0.0
        factor = factor_for(peaks, start, end)
        aht, fallback = pooled.aht(policy.erlang.default_aht_seconds)
        needed, rostered = agents_needed(round(baseline * factor, 2), aht, policy.erlang)
        rows.append(PlanInterval(start, end, baseline, factor, aht, fallback, needed, rostered))
    return DayPlan(target, working_day, tuple(days), tuple(peaks), policy, tuple(rows))
