"""SLA deadlines of a work order, from the policy table `routing/orders/sla_policy.yaml`.

`parse_policy` validates an already-read table, `load_policy` is the only function touching
the file system, and `compute_deadlines` (pure) gives the dispatch, receipt, on-site and
resolve deadlines of an order. Every deadline number lives in the YAML beside its clause;
how a limit is counted lives in `routing.orders.calendar.limit_end`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, ValidationError, model_validator

from routing.enums import OrderType, Utility
from routing.orders.calendar import POINT_UNITS, Unit, WorkingDayCalendar, limit_end, local_date
from routing.rule_files import read_yaml

DEFAULT_POLICY_PATH = Path(__file__).with_name("sla_policy.yaml")
GENERAL = "general"
# A clause id is "<standard letter> <clause>", e.g. "L 3.2.4(3)", "W ch.4 4.2".
_CLAUSE = re.compile(r"^[LWGH] \S.*$")


class PolicyError(ValueError):
    """The policy table is malformed; the message names the offending row."""


class UnknownOrderError(ValueError):
    """No row of the table matches the order (bad utility, type or case)."""


class Source(StrEnum):
    STANDARD = "standard"
    CENTER_DEFAULT = "center_default"  # the center's own limit where the standards are silent


_DISPATCH_UNITS = frozenset({Unit.IMMEDIATE, Unit.SAME_DAY, Unit.MINUTES})
_DURATION_UNITS = frozenset({Unit.MINUTES, Unit.HOURS, Unit.CALENDAR_DAYS, Unit.WORKING_DAYS})
_E = TypeVar("_E", bound=StrEnum)


class Limit(BaseModel):
    """One time limit: `immediate`, `same_day` or {unit: N} in the YAML."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    unit: Unit
    value: PositiveInt | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"unit": data}
        if isinstance(data, Mapping) and "unit" not in data:
            if len(data) != 1:
                raise ValueError(f"a limit is one {{unit: N}} pair, got {dict(data)}")
            ((unit, value),) = data.items()
            return {"unit": unit, "value": value}
        return data

    @model_validator(mode="after")
    def _value_matches_unit(self) -> Limit:
        if (self.value is None) != (self.unit in POINT_UNITS):
            raise ValueError(f"unit {self.unit} {'takes no' if self.value else 'needs a'} number")
        return self

    def due(self, created_at: datetime, calendar: WorkingDayCalendar) -> datetime:
        """The instant this limit ends for an order accepted at created_at."""
        return limit_end(self.unit, self.value, created_at, calendar)


class Season(BaseModel):
    """A yearly period given as "MM-DD" bounds, start inclusive, end exclusive (at 00:00)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    start: str = Field(pattern=r"^\d\d-\d\d$")
    end: str = Field(pattern=r"^\d\d-\d\d$")
    clauses: list[str] = Field(min_length=1)

    def contains(self, day: date) -> bool:
        month_day = day.strftime("%m-%d")
        if self.start <= self.end:
            return self.start <= month_day < self.end
        return month_day >= self.start or month_day < self.end  # wraps over New Year


class Row(BaseModel):
    """One (utility, order type, case) row of the table."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    utility: Utility
    order_type: OrderType
    case: str = Field(default=GENERAL, pattern=r"^[a-z0-9_]+$")
    dispatch: Limit
    receipt_required: bool
    receipt: Limit | None = None
    onsite: Limit | None = None
    resolve: Limit | None = None
    complex: Limit | None = None
    season: str | None = None
    clauses: list[str] = Field(min_length=1)
    source: Source
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Row:
        if self.dispatch.unit not in _DISPATCH_UNITS:
            raise ValueError(f"dispatch cannot be counted in {self.dispatch.unit}")
        for name in ("onsite", "resolve", "complex"):
            limit = getattr(self, name)
            if limit is not None and limit.unit not in _DURATION_UNITS:
                raise ValueError(f"{name} must be a duration, not {limit.unit}")
        if self.receipt_required != (self.receipt is not None):
            raise ValueError("receipt_required and a receipt limit go together")
        if self.complex is not None and self.order_type is not OrderType.COMPLAINT:
            raise ValueError("only complaints have a complex variant")
        if bad := [c for c in self.clauses if not _CLAUSE.match(c)]:
            raise ValueError(f"clause ids must look like 'L 3.2.4(3)': {bad}")
        if self.source is Source.CENTER_DEFAULT and not self.note:
            raise ValueError("a center_default row needs a note saying what is defaulted")
        return self


class DispatchCap(BaseModel):
    """A dispatch limit applying on top of every row's own (L 3.2.4(1): same day)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    limit: Limit
    clauses: list[str] = Field(min_length=1)


@dataclass(frozen=True)
class SlaPolicy:
    """The validated table."""

    rows: Mapping[tuple[Utility, OrderType, str], Row]
    seasons: Mapping[str, Season]
    dispatch_cap: DispatchCap

    def row(self, utility: str, order_type: str, case: str = GENERAL) -> Row:
        """The row for an order, or UnknownOrderError saying what exists."""
        util, kind = _parse_enum(Utility, utility, "utility"), _parse_enum(OrderType, order_type)
        if (found := self.rows.get((util, kind, case))) is None:
            cases = sorted(c for (u, t, c) in self.rows if (u, t) == (util, kind))
            raise UnknownOrderError(f"no case {case!r} for {util}/{kind}; cases: {cases}")
        return found


def _parse_enum(enum: type[_E], value: str, what: str = "type") -> _E:
    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(member.value for member in enum)
        raise UnknownOrderError(f"unknown {what} {value!r}; one of: {choices}") from None


def parse_policy(data: Any) -> SlaPolicy:
    """Validate a table already read from YAML; PolicyError names the first bad row."""
    if not isinstance(data, Mapping) or not isinstance(data.get("rows"), list):
        raise PolicyError("the policy needs a top-level mapping with a 'rows' list")
    if unknown := set(data) - {"version", "dispatch_cap", "seasons", "presets", "rows"}:
        raise PolicyError(f"unknown top-level keys: {sorted(unknown)}")
    try:
        seasons = {k: Season.model_validate(v) for k, v in (data.get("seasons") or {}).items()}
        cap = DispatchCap.model_validate(data.get("dispatch_cap"))
    except ValidationError as exc:
        raise PolicyError(f"seasons/dispatch_cap: {_brief(exc)}") from None
    rows: dict[tuple[Utility, OrderType, str], Row] = {}
    for number, raw in enumerate(data["rows"], start=1):
        try:
            row = Row.model_validate(raw)
        except ValidationError as exc:
            raise PolicyError(f"{_label(number, raw)}: {_brief(exc)}") from None
        key = (row.utility, row.order_type, row.case)
        if key in rows:
            raise PolicyError(f"{_label(number, raw)}: duplicate of an earlier row")
        if row.season is not None and row.season not in seasons:
            raise PolicyError(f"{_label(number, raw)}: unknown season {row.season!r}")
        rows[key] = row
    _check_general_rows(rows)
    return SlaPolicy(rows=rows, seasons=seasons, dispatch_cap=cap)


def _label(number: int, raw: Any) -> str:
    """'row 7 (water/complaint/general)': how errors name a row."""
    if not isinstance(raw, Mapping):
        return f"row {number}"
    parts = (raw.get("utility", "?"), raw.get("order_type", "?"), raw.get("case", GENERAL))
    return f"row {number} ({'/'.join(str(p) for p in parts)})"


def _brief(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'row'}: {err['msg']}" for err in exc.errors()
    )


def _check_general_rows(rows: Mapping[tuple[Utility, OrderType, str], Row]) -> None:
    if missing := [f"{u}/{t}" for u in Utility for t in OrderType if (u, t, GENERAL) not in rows]:
        raise PolicyError(f"no 'general' row for: {', '.join(missing)}")


def load_policy(path: Path | None = None) -> SlaPolicy:
    """Read and validate the table (the packaged sla_policy.yaml unless a path is given)."""
    return parse_policy(read_yaml(path or DEFAULT_POLICY_PATH, PolicyError))


@dataclass(frozen=True)
class Deadlines:
    """The deadlines of one order, as aware UTC datetimes."""

    utility: Utility
    order_type: OrderType
    case: str
    complex: bool
    created_at: datetime
    dispatch_due: datetime
    receipt_due: datetime | None
    onsite_due: datetime | None
    resolve_due: datetime | None
    clauses: list[str]
    source: Source
    notes: list[str]

    def as_json(self) -> dict[str, Any]:
        """JSON-ready dict; instants are UTC ISO 8601 with an explicit +00:00 offset."""
        return {
            name: value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value
            for name, value in asdict(self).items()
        }


def compute_deadlines(  # `complex` is the domain's word; shadowing the builtin is harmless
    policy: SlaPolicy, calendar: WorkingDayCalendar, *, utility: str, order_type: str,
    created_at: datetime, complex: bool = False, case: str = GENERAL,
) -> Deadlines:
    """All deadlines of an order accepted at created_at (aware), per the policy table."""
    row = policy.row(utility, order_type, case)
    # limit_end refuses a naive created_at (ValueError) before anything is computed from it.
    clauses, notes = list(row.clauses), list[str]()
    dispatch_due = _dispatch_due(policy, row, created_at, calendar, clauses)
    onsite, resolve = row.onsite, _resolve_limit(row, complex, notes)
    if row.season is not None and not _in_season(policy, row.season, created_at, clauses):
        onsite = resolve = None
        notes.append(f"accepted outside the {row.season} season: its limits do not apply")
    return Deadlines(
        utility=row.utility, order_type=row.order_type, case=row.case, complex=complex,
        created_at=created_at.astimezone(UTC), dispatch_due=dispatch_due.astimezone(UTC),
        receipt_due=_due(row.receipt, created_at, calendar),
        onsite_due=_due(onsite, created_at, calendar),
        resolve_due=_due(resolve, created_at, calendar),
        clauses=clauses, source=row.source, notes=notes + ([row.note] if row.note else []),
    )


def _dispatch_due(
    policy: SlaPolicy, row: Row, created_at: datetime, cal: WorkingDayCalendar, clauses: list[str]
) -> datetime:
    """The row's dispatch limit, shortened by the table-wide cap when that ends earlier."""
    due, cap = row.dispatch.due(created_at, cal), policy.dispatch_cap
    if (capped := cap.limit.due(created_at, cal)) < due:
        # Both rules bind (L 3.2.4(1) and the type's own), so the earlier end governs.
        clauses.extend(c for c in cap.clauses if c not in clauses)
        return capped
    return due


def _in_season(policy: SlaPolicy, name: str, created_at: datetime, clauses: list[str]) -> bool:
    season = policy.seasons[name]
    clauses.extend(c for c in season.clauses if c not in clauses)
    return season.contains(local_date(created_at))


def _resolve_limit(row: Row, complex: bool, notes: list[str]) -> Limit | None:
    if not complex:
        return row.resolve
    if row.complex is None:
        notes.append("the standard has no complex variant here; the general limit applies")
        return row.resolve
    return row.complex


def _due(
    limit: Limit | None, created_at: datetime, calendar: WorkingDayCalendar
) -> datetime | None:
    return None if limit is None else limit.due(created_at, calendar).astimezone(UTC)
