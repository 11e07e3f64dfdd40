"""The staffing rules and the foreseeable peaks of L 3.1.2(5)② (pure; the YAML is
`routing/agents/staffing_peaks.yaml`, validated at load).

A peak is a factor on the calls expected in an interval: the first days of the heating season
(H 3.2.1 / H 3.2.2) raise the whole day, a planned outage raises the hours after its start.
Peaks add up: the factor of an interval is 1 + the sum of (factor - 1) of the peaks that apply,
so two outages of +50 % give +100 %, not +125 %.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from routing.enums import Utility
from routing.floor.announcements import Outage, OutageKind
from routing.orders.calendar import SHANGHAI

DEFAULT_PEAKS_PATH = Path(__file__).with_name("staffing_peaks.yaml")
Source = Literal["standard", "center_default"]
Clauses = list[str]


class StaffingPolicyError(ValueError):
    """The staffing YAML is not valid; the message names the file and the culprit."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ErlangRules(_Strict):
    service_level: float = Field(gt=0, lt=1)
    answer_seconds: float = Field(gt=0, le=120)
    shrinkage: float = Field(ge=0, lt=1)
    max_occupancy: float = Field(gt=0, le=1)
    default_aht_seconds: float = Field(gt=0, le=3600)
    source: Source
    clauses: Clauses = Field(min_length=1)


class ForecastRules(_Strict):
    same_kind_days: int = Field(ge=1, le=20)
    lookback_days: int = Field(ge=1, le=120)

    @model_validator(mode="after")
    def _enough_days(self) -> ForecastRules:
        if self.lookback_days < self.same_kind_days:
            raise ValueError("lookback_days must be at least same_kind_days")
        return self


class MonthDay(_Strict):
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)

    @model_validator(mode="after")
    def _real_date(self) -> MonthDay:
        date(2001, self.month, self.day)  # ValueError for 31 Nov (29 Feb is refused too)
        return self

    def in_year(self, year: int) -> date:
        return date(year, self.month, self.day)


class HeatingDay(_Strict):
    offset: int = Field(ge=-30, le=90)  # days from the season's start (0 = the first day)
    factor: float = Field(ge=1, le=10)
    note: str | None = None


class HeatingSeason(_Strict):
    start: MonthDay
    days: list[HeatingDay] = Field(min_length=1)
    source: Source
    clauses: Clauses = Field(min_length=1)

    @model_validator(mode="after")
    def _one_factor_a_day(self) -> HeatingSeason:
        offsets = [d.offset for d in self.days]
        if len(set(offsets)) != len(offsets):
            raise ValueError("heating_season.days: an offset appears twice")
        return self


class PlannedOutages(_Strict):
    hours_after_start: float = Field(gt=0, le=7 * 24)
    factors: dict[Utility, float]
    source: Source
    clauses: Clauses = Field(min_length=1)

    @model_validator(mode="after")
    def _factors_raise(self) -> PlannedOutages:
        bad = sorted(u.value for u, f in self.factors.items() if not 1 <= f <= 10)
        if bad:
            raise ValueError(f"planned_outages.factors: 1 to 10, not for {bad}")
        return self


class StaffingPolicy(_Strict):
    version: Literal[1]
    clauses: Clauses = Field(min_length=1)
    erlang: ErlangRules
    forecast: ForecastRules
    heating_season: HeatingSeason
    planned_outages: PlannedOutages


def parse_policy(raw: Any, origin: str = "staffing policy") -> StaffingPolicy:
    try:
        return StaffingPolicy.model_validate(raw)
    except ValidationError as exc:
        raise StaffingPolicyError(f"{origin}: {exc}") from exc


def load_policy(path: Path | None = None) -> StaffingPolicy:
    """The policy file, refused when a key is unknown or a value out of range."""
    path = path or DEFAULT_PEAKS_PATH
    try:
        raw = yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as exc:
        raise StaffingPolicyError(f"{path}: not YAML: {exc}") from exc
    return parse_policy(raw, str(path))


# -- peaks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Peak:
    """One foreseeable peak that applies to (part of) the target day."""

    kind: Literal["heating_season", "planned_outage"]
    factor: float
    starts_at: datetime
    ends_at: datetime
    clauses: tuple[str, ...]
    detail: dict[str, Any]

    def covers(self, start: datetime, end: datetime) -> bool:
        return self.starts_at < end and start < self.ends_at

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "factor": self.factor,
                "starts_at": self.starts_at.isoformat(), "ends_at": self.ends_at.isoformat(),
                "clauses": list(self.clauses), **self.detail}


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
    return start, start + timedelta(days=1)


def heating_peak(day: date, season: HeatingSeason) -> Peak | None:
    """The heating season's factor for the day, counted from this or last year's start."""
    by_offset = {d.offset: d for d in season.days}
    for year in (day.year, day.year - 1, day.year + 1):
        if not 1 <= year <= 9999:
            continue
        offset = (day - season.start.in_year(year)).days
        found = by_offset.get(offset)
        if found is not None:
            start, end = local_day_bounds(day)
            detail = {"day_offset": offset, "season_start": season.start.in_year(year)
                      .isoformat(), "note": found.note}
            return Peak("heating_season", found.factor, start, end, tuple(season.clauses),
                        detail)
    return None


def planned_on(outages: Iterable[Outage], day: date) -> list[Outage]:
    """Planned outages that start on the (Shanghai) day and were not cancelled before."""
    return [o for o in outages
            if o.kind is OutageKind.PLANNED and o.starts_at.astimezone(SHANGHAI).date() == day
            and (o.closed_at is None or o.closed_at > o.starts_at)]


def outage_peaks(outages: Iterable[Outage], day: date, rules: PlannedOutages) -> list[Peak]:
    span = timedelta(hours=rules.hours_after_start)
    return [
        Peak("planned_outage", rules.factors[o.utility], o.starts_at, o.starts_at + span,
             tuple(rules.clauses), {"incident_id": o.incident_id, "utility": o.utility.value})
        for o in sorted(planned_on(outages, day), key=lambda o: (o.starts_at, o.id))
        if o.utility in rules.factors
    ]


def day_peaks(day: date, outages: Iterable[Outage], policy: StaffingPolicy) -> list[Peak]:
    heating = heating_peak(day, policy.heating_season)
    return ([heating] if heating else []) + outage_peaks(outages, day, policy.planned_outages)


def factor_for(peaks: Sequence[Peak], start: datetime, end: datetime) -> float:
    """1 + the sum of (factor - 1) of the peaks that cover part of [start, end)."""
    return round(1 + sum(p.factor - 1 for p in peaks if p.covers(start, end)), 4)
