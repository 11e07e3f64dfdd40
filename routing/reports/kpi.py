"""The hotline's KPIs, by the formulas of L 3.1.5(1)-(3), and their targets (L 3.1.5(7)).

- monthly closure rate (月处结率, L 3.1.5(1)): orders dispatched in the month and completed
  before next month's statistics day ÷ orders dispatched in the month; orders with extensions
  count, pending orders (待办) do not, in either term.
- cumulative closure rate (累计处结率, L 3.1.5(2)): orders dispatched this year (to the end of
  the month) and completed ÷ orders dispatched this year; pending orders count
  (L 3.1.5(4)a: "计入年累计处结率").
- on-time closure rate (处结及时率, L 3.1.5(3)): orders dispatched in the month and completed
  within their limit, approved extensions included ÷ orders dispatched in the month. The
  clause excludes nothing, so pending orders count here too.

All three are taken on the statistics day (统计日): only completions before it count, so a
report does not change when computed again later. The standard does not fix that day; it is
`statistics_day` in kpi_targets.yaml (center default 5). Months are Asia/Shanghai months.
Rates are percentages as Decimal rounded half-up to 0.01, with numerator and denominator;
no dispatched order gives rate None. `load_config` is the only function touching a file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from routing.enums import OrderType, Utility
from routing.orders.calendar import SHANGHAI
from routing.orders.lifecycle import Order
from routing.rule_files import read_yaml

DEFAULT_CONFIG_PATH = Path(__file__).with_name("kpi_targets.yaml")
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class OrderRecord:
    """What the KPIs need of one order; resolve_due is the limit after approved extensions."""

    order_id: str
    utility: Utility | None
    agency: str | None
    order_type: OrderType
    dispatched_at: datetime | None
    completed_at: datetime | None
    resolve_due: datetime | None
    pending: bool  # approved as a pending order (待办工单, L 3.1.5(4)a)
    onsite_due: datetime | None = None  # the on-site limit, if the order's row has one
    case: str = "general"  # the SLA row's case (a target may count only some cases)
    arrived_at: datetime | None = None  # the unit reported its crew on site


def record_of(order: Order) -> OrderRecord:
    """The KPI record of a lifecycle order. Completed (处结) is the unit's first report that
    it was handled (工作站完成), not the callback's close: the callback is the center's step
    and its delay must not make the unit late, and a later reopen (重办) does not rewrite a
    month already reported."""
    return OrderRecord(
        order_id=order.order_id, utility=order.utility, agency=order.agency,
        order_type=order.order_type, dispatched_at=order.dispatched_at,
        completed_at=order.first_handled_at or order.completed_at or order.handled_at,
        resolve_due=order.resolve_due,
        pending=order.pending_approved, onsite_due=order.onsite_due,
        arrived_at=order.arrived_at, case=order.case,
    )


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int
    percent: Decimal | None  # 0.00-100.00; None when the denominator is 0


def rate(*, numerator: int, denominator: int) -> Rate:
    """numerator ÷ denominator × 100 %, rounded half-up to 0.01."""
    if not 0 <= numerator <= denominator:
        raise ValueError(f"a rate needs 0 <= {numerator} <= {denominator}")
    if denominator == 0:
        return Rate(0, 0, None)
    percent = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(_CENT, ROUND_HALF_UP)
    return Rate(numerator, denominator, percent)


@dataclass(frozen=True)
class Window:
    """Dispatched in [start, end) and counted as completed if before `cutoff`."""

    start: datetime
    end: datetime
    cutoff: datetime


def _local_midnight(year: int, month: int, day: int = 1) -> datetime:
    if month == 13:
        year, month = year + 1, 1
    return datetime.combine(datetime(year, month, day).date(), time(0), tzinfo=SHANGHAI)


def month_window(*, year: int, month: int, statistics_day: int) -> Window:
    """The month (Asia/Shanghai) and its statistics day in the next month."""
    if not 1 <= statistics_day <= 28:
        raise ValueError(f"statistics_day must be 1-28 (every month has it), got {statistics_day}")
    end = _local_midnight(year, month + 1)
    return Window(_local_midnight(year, month), end, _local_midnight(end.year, end.month,
                                                                      statistics_day))


def _dispatched(records: Iterable[OrderRecord], start: datetime, end: datetime
                ) -> list[OrderRecord]:
    return [r for r in records if r.dispatched_at is not None and start <= r.dispatched_at < end]


def _completed(record: OrderRecord, cutoff: datetime) -> bool:
    return record.completed_at is not None and record.completed_at < cutoff


def arrived_in_time(record: OrderRecord, cutoff: datetime) -> bool:
    """On site within the on-site limit, as reported before the statistics day."""
    arrived, due = record.arrived_at, record.onsite_due
    return arrived is not None and arrived < cutoff and due is not None and arrived <= due


def _on_time(record: OrderRecord, cutoff: datetime) -> bool:
    # An order whose only limit is on site (a gas leak: crew there in 30 min) is judged on
    # it; one with no limit at all cannot be late once completed. An approved extension has
    # already moved resolve_due (L 3.1.5(3)).
    done = record.completed_at
    if done is None or done >= cutoff:
        return False
    if record.resolve_due is None:
        return record.onsite_due is None or arrived_in_time(record, cutoff)
    return done <= record.resolve_due


def monthly_closure(*, records: Iterable[OrderRecord], window: Window) -> Rate:
    """L 3.1.5(1): pending orders are left out of both terms; extended ones stay in."""
    counted = [r for r in _dispatched(records, window.start, window.end) if not r.pending]
    done = sum(_completed(r, window.cutoff) for r in counted)
    return rate(numerator=done, denominator=len(counted))


def cumulative_closure(*, records: Iterable[OrderRecord], window: Window) -> Rate:
    """L 3.1.5(2): from 1 January of the window's year to the window's end, pending included."""
    year_start = _local_midnight(window.start.year, 1)
    counted = _dispatched(records, year_start, window.end)
    done = sum(_completed(r, window.cutoff) for r in counted)
    return rate(numerator=done, denominator=len(counted))


def on_time_closure(*, records: Iterable[OrderRecord], window: Window) -> Rate:
    """L 3.1.5(3): completed within the (extended) limit ÷ dispatched."""
    counted = _dispatched(records, window.start, window.end)
    done = sum(_on_time(r, window.cutoff) for r in counted)
    return rate(numerator=done, denominator=len(counted))


class Metric(StrEnum):
    MONTHLY_CLOSURE = "monthly_closure"
    CUMULATIVE_CLOSURE = "cumulative_closure"
    ON_TIME = "on_time"


_FORMULAS: Mapping[Metric, Callable[..., Rate]] = {
    Metric.MONTHLY_CLOSURE: monthly_closure,
    Metric.CUMULATIVE_CLOSURE: cumulative_closure,
    Metric.ON_TIME: on_time_closure,
}
# A target's "closure" (处结率) is held against both closure rates; see kpi_targets.yaml.
_TARGET_METRICS = {
    "closure": (Metric.MONTHLY_CLOSURE, Metric.CUMULATIVE_CLOSURE), "on_time": (Metric.ON_TIME,)
}


class Target(BaseModel):
    """One target row of kpi_targets.yaml."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    utility: Utility
    metric: Literal["closure", "on_time"]
    order_types: tuple[OrderType, ...] | None = None  # None: every type
    cases: tuple[str, ...] | None = None  # None: every SLA case (routing/orders/sla_policy.yaml)
    percent: Decimal = Field(ge=0, le=100)
    clauses: tuple[str, ...] = Field(min_length=1)


class StatisticsDay(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    day: int = Field(ge=1, le=28)
    source: str
    clauses: tuple[str, ...] = Field(min_length=1)


class KpiConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    version: int
    statistics_day: StatisticsDay
    targets: tuple[Target, ...]
    not_modelled: tuple[str, ...] = ()


class KpiConfigError(ValueError):
    """kpi_targets.yaml is malformed; the message says where."""


def parse_config(data: Any) -> KpiConfig:
    """Validate a configuration already read from YAML."""
    try:
        return KpiConfig.model_validate(data)
    except ValidationError as exc:
        raise KpiConfigError(str(exc)) from None


def load_config(path: Path | None = None) -> KpiConfig:
    """Read and validate kpi_targets.yaml (the packaged one unless a path is given)."""
    return parse_config(read_yaml(path or DEFAULT_CONFIG_PATH, KpiConfigError))


@dataclass(frozen=True)
class Rates:
    monthly_closure: Rate
    cumulative_closure: Rate
    on_time: Rate


@dataclass(frozen=True)
class TargetCheck:
    utility: Utility
    metric: Metric
    order_types: tuple[OrderType, ...] | None
    target: Decimal
    actual: Rate
    met: bool | None  # None when nothing was dispatched: no rate to hold against the target
    clauses: tuple[str, ...]
    cases: tuple[str, ...] | None = None


@dataclass(frozen=True)
class KpiReport:
    window: Window
    overall: Rates
    by_utility: Mapping[str, Rates]
    by_agency: Mapping[str, Rates]
    by_type: Mapping[str, Rates]
    targets: tuple[TargetCheck, ...]


def rates(*, records: Iterable[OrderRecord], window: Window) -> Rates:
    """The three rates of one group of orders."""
    rows = list(records)
    return Rates(
        monthly_closure=monthly_closure(records=rows, window=window),
        cumulative_closure=cumulative_closure(records=rows, window=window),
        on_time=on_time_closure(records=rows, window=window),
    )


def _by(records: list[OrderRecord], key: Callable[[OrderRecord], str], window: Window
        ) -> dict[str, Rates]:
    groups: dict[str, list[OrderRecord]] = {}
    for record in records:
        groups.setdefault(key(record), []).append(record)
    return {name: rates(records=rows, window=window) for name, rows in sorted(groups.items())}


def check_targets(*, records: Iterable[OrderRecord], window: Window, config: KpiConfig
                  ) -> tuple[TargetCheck, ...]:
    """Every target of the configuration against the rate it names."""
    rows, checks = list(records), []
    for target in config.targets:
        selected = [r for r in rows if r.utility is target.utility
                    and (target.order_types is None or r.order_type in target.order_types)
                    and (target.cases is None or r.case in target.cases)]
        for metric in _TARGET_METRICS[target.metric]:
            actual = _FORMULAS[metric](records=selected, window=window)
            met = None if actual.percent is None else actual.percent >= target.percent
            checks.append(TargetCheck(target.utility, metric, target.order_types,
                                      target.percent, actual, met, target.clauses,
                                      target.cases))
    return tuple(checks)


def kpi_report(*, records: Iterable[OrderRecord], year: int, month: int, config: KpiConfig
               ) -> KpiReport:
    """All rates of a month: overall, per utility, per agency, per type, and the targets."""
    rows = list(records)
    window = month_window(year=year, month=month, statistics_day=config.statistics_day.day)
    return KpiReport(
        window=window,
        overall=rates(records=rows, window=window),
        by_utility=_by(rows, lambda r: r.utility or "unclassified", window),
        by_agency=_by(rows, lambda r: r.agency or "unassigned", window),
        by_type=_by(rows, lambda r: r.order_type, window),
        targets=check_targets(records=rows, window=window, config=config),
    )


def rate_json(value: Rate) -> dict[str, Any]:
    return {
        "numerator": value.numerator,
        "denominator": value.denominator,
        "percent": None if value.percent is None else float(value.percent),
    }


def rates_json(value: Rates) -> dict[str, Any]:
    return {
        "monthly_closure": rate_json(value.monthly_closure),
        "cumulative_closure": rate_json(value.cumulative_closure),
        "on_time": rate_json(value.on_time),
    }
