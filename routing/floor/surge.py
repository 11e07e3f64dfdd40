"""Call-surge detection (L 3.1.2(5)): tell the supervisor when calls about one utility spike.

Pure and clock-free: `SurgeDetector.observe` is fed one event per call (time, utility,
district or None) and `evaluate(now)` compares each series' recent rate with its baseline,
returning `SurgeAlert`s (started / ongoing / ended). Thresholds come from
`routing/floor/surge_policy.yaml`; `load_surge_policy` is the only function touching the file
system.
Nothing here raises on odd input: a malformed event is ignored and `observe` says so.
"""

from __future__ import annotations

import bisect
import math
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PositiveFloat, PositiveInt, model_validator

from routing.agents.staffing import staffing_need

DEFAULT_SURGE_POLICY_PATH = Path(__file__).with_name("surge_policy.yaml")
State = Literal["started", "ongoing", "ended"]
Key = tuple[str, str | None]  # (utility, district); district None = the whole city
_MAX_LABEL = 64  # utility/district values are short slugs; longer strings are not ours
_MAX_EVENTS = 20_000  # per series: bounds memory even if the clock misbehaves
_MAX_CHANNELS = 10_000  # channels remembered for the once-per-call rule


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SeriesRules(_Frozen):
    """The bars for one kind of series (per utility, or per utility × district)."""

    min_recent_calls: PositiveInt
    baseline_floor_per_hour: PositiveFloat


class StaffingRules(_Frozen):
    """What the extra-agents suggestion assumes (Erlang C, routing/agents/staffing.py)."""

    aht_seconds: PositiveFloat = 240.0
    service_level: float = Field(default=0.8, gt=0, lt=1)
    answer_seconds: PositiveFloat = 15.0


class SurgePolicy(_Frozen):
    """The thresholds of `surge_policy.yaml` (center defaults; see the file's comments)."""

    version: Literal[1] = 1
    clauses: tuple[str, ...] = ("L 3.1.2(5)",)
    source: Literal["center_default", "standard"] = "center_default"
    recent_minutes: PositiveFloat = 10.0
    baseline_minutes: PositiveFloat = 60.0
    min_baseline_minutes: float = Field(default=20.0, ge=0)
    start_factor: float = Field(default=3.0, gt=1)
    end_factor: float = Field(default=1.5, gt=0)
    utility: SeriesRules = SeriesRules(min_recent_calls=6, baseline_floor_per_hour=6)
    district: SeriesRules = SeriesRules(min_recent_calls=4, baseline_floor_per_hour=2)
    staffing: StaffingRules = StaffingRules()
    tick_seconds: PositiveFloat = 30.0

    @model_validator(mode="after")
    def _consistent(self) -> SurgePolicy:
        # Ending at or above the starting bar would let one call switch the alert on and off.
        if self.end_factor >= self.start_factor:
            raise ValueError("end_factor must be below start_factor (hysteresis)")
        if self.min_baseline_minutes > self.baseline_minutes:
            raise ValueError("min_baseline_minutes cannot exceed baseline_minutes")
        return self


def load_surge_policy(path: Path = DEFAULT_SURGE_POLICY_PATH) -> SurgePolicy:
    """Read and validate the policy file (pydantic's ValidationError names a bad field)."""
    with path.open(encoding="utf-8") as fh:
        return SurgePolicy.model_validate(yaml.safe_load(fh))


@dataclass(frozen=True)
class SurgeAlert:
    """One series' surge state after an evaluation.

    `baseline_per_hour` is the usual rate as observed (what the supervisor recognises);
    `factor` is the recent rate over that baseline raised to the policy's floor.
    """

    state: State
    utility: str
    district: str | None
    recent: int
    baseline_per_hour: float
    factor: float
    agents_needed: int
    window_minutes: float

    def as_json(self) -> dict[str, Any]:
        """The `surge` update's data on the live hub."""
        return asdict(self)


@dataclass(frozen=True)
class _Active:
    baseline_per_hour: float  # observed when the surge started
    reference_per_hour: float  # the same with the floor: the factor's denominator


@dataclass
class _Series:
    times: list[float] = field(default_factory=list)  # seconds since the epoch, sorted
    active: _Active | None = None

    def count(self, after: float, upto: float) -> int:
        """Events in (after, upto]."""
        return bisect.bisect_right(self.times, upto) - bisect.bisect_right(self.times, after)


def _seconds(at: object) -> float | None:
    """Seconds since the epoch of a datetime (naive = UTC) or a number; None if unusable."""
    if isinstance(at, datetime):
        moment = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
        try:
            value = moment.timestamp()
        except (OverflowError, OSError, ValueError):
            return None
    elif isinstance(at, int | float) and not isinstance(at, bool):
        value = float(at)
    else:
        return None
    return value if math.isfinite(value) else None


def _label(value: object) -> str | None:
    """A usable utility/district slug, or None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text if 0 < len(text) <= _MAX_LABEL else None


def extra_agents(recent_per_hour: float, usual_per_hour: float, rules: StaffingRules) -> int:
    """Agents needed on the phones for the recent rate beyond those for the usual rate."""
    return max(0, _on_phones(recent_per_hour, rules) - _on_phones(usual_per_hour, rules))


def _on_phones(calls_per_hour: float, rules: StaffingRules) -> int:
    if not calls_per_hour > 0 or not math.isfinite(calls_per_hour):
        return 0
    try:
        return staffing_need(
            calls_per_hour=calls_per_hour, aht_seconds=rules.aht_seconds,
            service_level=rules.service_level, answer_seconds=rules.answer_seconds,
        ).agents_on_phones
    except (ValueError, ArithmeticError):  # pyworkforce found no solution: suggest nothing
        return 0


class SurgeDetector:
    """Sliding windows per utility and per utility × district, with hysteresis."""

    def __init__(self, policy: SurgePolicy | None = None) -> None:
        self.policy = policy or SurgePolicy()
        self._series: dict[Key, _Series] = {}
        self._channels: OrderedDict[str, None] = OrderedDict()
        self._recent_s = self.policy.recent_minutes * 60
        self._horizon_s = self._recent_s + self.policy.baseline_minutes * 60
        self._origin: float | None = None  # when watching began: the baseline starts here

    def observe(
        self, at: object, utility: object, district: object = None, channel_id: object = None
    ) -> bool:
        """Count one call; False if it is malformed or its channel was counted already."""
        moment, slug = _seconds(at), _label(utility)
        if moment is None or slug is None or self._seen(channel_id):
            return False
        self._watching_from(moment)
        area = _label(district)
        keys: list[Key] = [(slug, None)] if area is None else [(slug, None), (slug, area)]
        for key in keys:
            times = self._series.setdefault(key, _Series()).times
            bisect.insort(times, moment)  # events may arrive slightly out of order
            if len(times) > _MAX_EVENTS:
                del times[: len(times) - _MAX_EVENTS]
        return True

    def _seen(self, channel_id: object) -> bool:
        """Remember the channel; True if it was counted before (one event per call)."""
        if not isinstance(channel_id, str) or not channel_id:
            return False  # no id: cannot dedupe, count it
        if channel_id in self._channels:
            return True
        self._channels[channel_id] = None
        if len(self._channels) > _MAX_CHANNELS:
            self._channels.popitem(last=False)
        return False

    def evaluate(self, now: object) -> list[SurgeAlert]:
        """Alerts for every series that is, or just stopped, surging at `now`."""
        moment = _seconds(now)
        if moment is None:
            return []
        self._watching_from(moment)
        alerts = []
        for key in sorted(self._series, key=lambda k: (k[0], k[1] or "")):
            series = self._series[key]
            del series.times[: bisect.bisect_right(series.times, moment - self._horizon_s)]
            alert = self._step(key, series, moment)
            if alert is not None:
                alerts.append(alert)
            if not series.times and series.active is None:
                del self._series[key]  # forget quiet series: keys never pile up
        return alerts

    def _watching_from(self, moment: float) -> None:
        if self._origin is None or moment < self._origin:
            self._origin = moment

    def _baseline_per_hour(self, series: _Series, moment: float) -> float | None:
        """Calls per hour before the recent window, over the part of it watched; None while
        too little was watched (just after a restart every series would look like a surge)."""
        start = moment - self._horizon_s
        if self._origin is not None:
            start = max(start, self._origin)
        covered = max(0.0, moment - self._recent_s - start)
        if covered < self.policy.min_baseline_minutes * 60:
            return None
        if covered <= 0:  # min_baseline_minutes 0: nothing watched yet counts as quiet
            return 0.0
        return series.count(start, moment - self._recent_s) * 3600 / covered

    def active(self) -> list[Key]:
        """The series surging after the last evaluation."""
        return [key for key, series in self._series.items() if series.active is not None]

    def _step(self, key: Key, series: _Series, moment: float) -> SurgeAlert | None:
        policy = self.policy
        rules = policy.utility if key[1] is None else policy.district
        recent = series.count(moment - self._recent_s, moment)
        recent_per_hour = recent * 60 / policy.recent_minutes
        active = series.active
        state: State
        if active is None:
            observed = self._baseline_per_hour(series, moment)
            if observed is None:
                return None
            reference = max(observed, rules.baseline_floor_per_hour)
            if recent < rules.min_recent_calls or recent_per_hour < policy.start_factor * reference:
                return None
            active = series.active = _Active(observed, reference)  # frozen while it lasts
            state = "started"
        elif recent_per_hour < policy.end_factor * active.reference_per_hour:
            series.active, state = None, "ended"
        else:
            state = "ongoing"
        return self._alert(key, active, state, recent, recent_per_hour)

    def _alert(
        self, key: Key, active: _Active, state: State, recent: int, recent_per_hour: float
    ) -> SurgeAlert:
        needed = 0 if state == "ended" else extra_agents(
            recent_per_hour, active.baseline_per_hour, self.policy.staffing
        )
        return SurgeAlert(
            state=state, utility=key[0], district=key[1], recent=recent,
            baseline_per_hour=round(active.baseline_per_hour, 2),
            factor=round(recent_per_hour / active.reference_per_hour, 2),
            agents_needed=needed, window_minutes=self.policy.recent_minutes,
        )
