"""KPIs of L 3.1.5, on hand-computed examples and against a naive recount.

The month is September 2026 (Asia/Shanghai); with the default statistics day 5, completions
before 5 Oct 2026 00:00 count.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routing.enums import OrderType, Utility
from routing.orders.calendar import SHANGHAI
from routing.orders.lifecycle import as_json
from routing.reports.kpi import (
    KpiConfigError,
    Metric,
    OrderRecord,
    Rate,
    cumulative_closure,
    kpi_report,
    load_config,
    month_window,
    monthly_closure,
    on_time_closure,
    parse_config,
    rate,
)

CONFIG = load_config()
SEPT = month_window(year=2026, month=9, statistics_day=5)


def sh(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=SHANGHAI)


def rec(
    order_id: str, dispatched: datetime | None, completed: datetime | None,
    due: datetime | None, *, pending: bool = False, utility: Utility = Utility.WATER,
    agency: str = "water-co", kind: OrderType = OrderType.COMPLAINT,
) -> OrderRecord:
    return OrderRecord(order_id, utility, agency, kind, dispatched, completed, due, pending)


# Hand-computed September 2026:
#   A  dispatched 3 Sep, done 4 Sep, due 5 Sep                 -> closed, on time
#   B  dispatched 28 Sep, done 3 Oct (before the 5th), due 1 Oct -> closed, late
#   C  dispatched 29 Sep, done 6 Oct (after the 5th)           -> not closed in time
#   D  dispatched 10 Sep, pending (待办), not done              -> out of the monthly rate only
#   E  dispatched 30 Aug, done 1 Sep                           -> August's; in the year's
#   F  dispatched 15 Sep, not done                             -> open
#   G  dispatched 2 Sep, due moved by an extension to 20 Sep, done 18 Sep -> on time
#   H  never dispatched (a consultation answered on the phone) -> counted nowhere
RECORDS = [
    rec("A", sh(9, 3), sh(9, 4), sh(9, 5)),
    rec("B", sh(9, 28), sh(10, 3), sh(10, 1)),
    rec("C", sh(9, 29), sh(10, 6), sh(10, 1)),
    rec("D", sh(9, 10), None, sh(9, 12), pending=True),
    rec("E", sh(8, 30), sh(9, 1), sh(9, 1)),
    rec("F", sh(9, 15), None, sh(9, 17)),
    rec("G", sh(9, 2), sh(9, 18), sh(9, 20)),
    rec("H", None, sh(9, 5), None, kind=OrderType.CONSULTATION),
]


def as_tuple(r: Rate) -> tuple[int, int, str | None]:
    return r.numerator, r.denominator, None if r.percent is None else str(r.percent)


def test_given_september_when_monthly_closure_then_pending_left_out() -> None:
    # A, B, C, F, G dispatched (D pending, E August, H never): A, B, G done before 5 Oct.
    assert as_tuple(monthly_closure(records=RECORDS, window=SEPT)) == (3, 5, "60.00")


def test_given_september_when_cumulative_closure_then_year_and_pending_counted() -> None:
    # A B C D E F G dispatched in 2026 up to 30 Sep; A B E G done before 5 Oct: 4/7.
    assert as_tuple(cumulative_closure(records=RECORDS, window=SEPT)) == (4, 7, "57.14")


def test_given_september_when_on_time_closure_then_extended_limit_counts() -> None:
    # A B C D F G dispatched in September; A and G (extended) on time: 2/6.
    assert as_tuple(on_time_closure(records=RECORDS, window=SEPT)) == (2, 6, "33.33")


def test_given_statistics_day_1_when_monthly_closure_then_only_completions_in_month() -> None:
    first = month_window(year=2026, month=9, statistics_day=1)
    assert first.cutoff == first.end == datetime(2026, 10, 1, tzinfo=SHANGHAI)
    assert as_tuple(monthly_closure(records=RECORDS, window=first)) == (2, 5, "40.00")


def test_given_december_when_window_built_then_statistics_day_is_in_january() -> None:
    window = month_window(year=2026, month=12, statistics_day=5)
    assert window.start == datetime(2026, 12, 1, tzinfo=SHANGHAI)
    assert window.cutoff == datetime(2027, 1, 5, tzinfo=SHANGHAI)


def test_given_completion_at_cutoff_instant_when_counted_then_too_late() -> None:
    cutoff_utc = SEPT.cutoff.astimezone(UTC)  # 4 Oct 16:00 UTC: UTC-stored data agrees
    on_the_dot = rec("X", sh(9, 30), cutoff_utc, None)
    just_before = replace(on_the_dot, completed_at=cutoff_utc - timedelta(seconds=1))
    assert as_tuple(monthly_closure(records=[on_the_dot, just_before], window=SEPT)) == (
        1, 2, "50.00")


@pytest.mark.parametrize(
    ("numerator", "denominator", "percent"),
    [(2, 3, "66.67"), (1, 3, "33.33"), (1, 8, "12.50"), (1, 200, "0.50"), (7, 7, "100.00")],
)
def test_given_counts_when_rate_then_percent_rounded_half_up(
    numerator: int, denominator: int, percent: str
) -> None:
    assert rate(numerator=numerator, denominator=denominator).percent == Decimal(percent)


def test_given_nothing_dispatched_when_rate_then_none() -> None:
    assert rate(numerator=0, denominator=0) == Rate(0, 0, None)
    with pytest.raises(ValueError):
        rate(numerator=3, denominator=2)


def test_given_mixed_orders_when_report_then_grouped_by_utility_agency_and_type() -> None:
    gas = rec("Q", sh(9, 4), sh(9, 4, 13), sh(9, 4, 14), utility=Utility.GAS, agency="gas-co",
              kind=OrderType.EMERGENCY_REPAIR)
    report = kpi_report(records=[*RECORDS, gas], year=2026, month=9, config=CONFIG)
    assert as_tuple(report.overall.monthly_closure) == (4, 6, "66.67")
    assert as_tuple(report.by_utility["gas"].on_time) == (1, 1, "100.00")
    assert as_tuple(report.by_agency["water-co"].monthly_closure) == (3, 5, "60.00")
    assert set(report.by_type) == {"complaint", "emergency_repair", "consultation"}
    assert report.by_type["consultation"].on_time.percent is None  # never dispatched


def test_given_report_when_serialised_then_percentages_are_json_numbers() -> None:
    data = json.loads(json.dumps(as_json(kpi_report(records=RECORDS, year=2026, month=9,
                                                     config=CONFIG))))
    assert data["overall"]["monthly_closure"] == {
        "numerator": 3, "denominator": 5, "percent": 60.0}
    assert data["window"]["cutoff"] == "2026-10-05T00:00:00+08:00"


def test_given_report_when_targets_checked_then_each_cites_its_clause() -> None:
    report = kpi_report(records=RECORDS, year=2026, month=9, config=CONFIG)
    water_complaints = [t for t in report.targets if t.utility is Utility.WATER
                        and t.order_types == (OrderType.COMPLAINT,)]
    assert {t.metric for t in water_complaints} == {
        Metric.MONTHLY_CLOSURE, Metric.CUMULATIVE_CLOSURE}
    assert all(t.target == 100 and t.met is False for t in water_complaints)
    water_on_time = next(t for t in report.targets
                         if t.utility is Utility.WATER and t.metric is Metric.ON_TIME)
    assert water_on_time.target == Decimal(94) and water_on_time.met is False
    assert water_on_time.clauses == ("L 3.1.5(7)a②",)
    gas_checks = [t for t in report.targets if t.utility is Utility.GAS]
    assert gas_checks and all(t.met is None for t in gas_checks)  # no gas orders: no verdict


def test_given_packaged_config_then_statistics_day_is_the_documented_default() -> None:
    assert (CONFIG.statistics_day.day, CONFIG.statistics_day.source) == (5, "center_default")
    on_time = {t.utility: t.percent for t in CONFIG.targets if t.metric == "on_time"}
    assert on_time == {Utility.WATER: 94, Utility.HEATING: 94, Utility.GAS: 94}


@pytest.mark.parametrize("day", [0, 29])
def test_given_statistics_day_not_in_every_month_when_parsed_then_refused(day: int) -> None:
    data = CONFIG.model_dump(mode="json")
    data["statistics_day"]["day"] = day
    with pytest.raises(KpiConfigError):
        parse_config(data)


# ------------------------------------------------------------------ properties

_moments = st.datetimes(
    min_value=datetime(2025, 12, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)
_records = st.lists(st.builds(
    OrderRecord, order_id=st.just("r"), utility=st.sampled_from(Utility),
    agency=st.sampled_from(["a", "b"]), order_type=st.sampled_from(OrderType),
    dispatched_at=st.none() | _moments, completed_at=st.none() | _moments,
    resolve_due=st.none() | _moments, pending=st.booleans(),
), max_size=40)


def _naive(
    records: list[OrderRecord], year: int, month: int, day: int
) -> dict[str, tuple[int, int]]:
    """The three counts again, by calendar fields in Shanghai rather than by instants."""
    next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    counts = {"monthly": [0, 0], "cumulative": [0, 0], "on_time": [0, 0]}
    for r in records:
        if r.dispatched_at is None:
            continue
        d = r.dispatched_at.astimezone(SHANGHAI)
        done_local = r.completed_at.astimezone(SHANGHAI) if r.completed_at else None
        in_time = done_local is not None and (done_local.year, done_local.month, done_local.day) < (
            next_year, next_month, day)
        in_month = (d.year, d.month) == (year, month)
        if in_month and not r.pending:
            counts["monthly"][1] += 1
            counts["monthly"][0] += in_time
        if d.year == year and d.month <= month:
            counts["cumulative"][1] += 1
            counts["cumulative"][0] += in_time
        if in_month:
            counts["on_time"][1] += 1
            late = r.resolve_due is not None and r.completed_at is not None and (
                r.completed_at > r.resolve_due)
            counts["on_time"][0] += in_time and not late
    return {k: (v[0], v[1]) for k, v in counts.items()}


@settings(max_examples=300, deadline=None)
@given(records=_records, month=st.integers(1, 12), day=st.integers(1, 28))
def test_given_any_records_when_rates_computed_then_within_0_100_and_match_recount(
    records: list[OrderRecord], month: int, day: int
) -> None:
    window = month_window(year=2026, month=month, statistics_day=day)
    got = {
        "monthly": monthly_closure(records=records, window=window),
        "cumulative": cumulative_closure(records=records, window=window),
        "on_time": on_time_closure(records=records, window=window),
    }
    expected = _naive(records, 2026, month, day)
    for name, result in got.items():
        assert (result.numerator, result.denominator) == expected[name]
        if result.denominator == 0:
            assert result.percent is None
        else:
            assert result.percent is not None and Decimal(0) <= result.percent <= Decimal(100)
            exact = Decimal(result.numerator) * 100 / result.denominator
            assert abs(result.percent - exact) <= Decimal("0.005")
