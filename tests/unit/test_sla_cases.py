"""The rows issue 16 added to the SLA table and the target it added to the KPIs: bottled gas
delivered within 3 h (G 3.2.4), media-exposed complaints verified within 2 working days
(W 9.1, G 3.5.5, H 3.7.5), water-quality orders on time 94 % (L 3.1.5(7)a②)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from routing.enums import OrderType, Utility
from routing.orders.calendar import SHANGHAI, WorkingDayCalendar
from routing.orders.policy import compute_deadlines, load_policy
from routing.reports.kpi import OrderRecord, check_targets, load_config, month_window

POLICY, CALENDAR = load_policy(), WorkingDayCalendar()
FRIDAY = datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI)  # the 2nd working day: Tue 8 Dec


def test_bottled_gas_delivery_is_due_in_3_hours() -> None:
    due = compute_deadlines(POLICY, CALENDAR, utility="gas", order_type="maintenance",
                            case="lpg_delivery", created_at=FRIDAY)
    assert due.resolve_due == FRIDAY + timedelta(hours=3)
    assert due.clauses == ["L 3.2.4(3)", "G 3.2.4"]


def test_a_media_exposed_complaint_is_verified_within_2_working_days() -> None:
    end = datetime.combine(datetime(2026, 12, 8).date(), time(23, 59, 59), tzinfo=SHANGHAI)
    for utility, clause in (("water", "W 9.1"), ("gas", "G 3.5.5"), ("heating", "H 3.7.5")):
        due = compute_deadlines(POLICY, CALENDAR, utility=utility, order_type="complaint",
                                case="media_exposed", created_at=FRIDAY)
        assert due.onsite_due == end, utility
        assert clause in due.clauses
    heating = compute_deadlines(POLICY, CALENDAR, utility="heating", order_type="complaint",
                                case="media_exposed", created_at=FRIDAY)
    assert heating.resolve_due == FRIDAY + timedelta(days=7)  # H 3.7.5: closed in 7 days


def test_water_quality_orders_have_their_own_94_percent_on_time_target() -> None:
    window = month_window(year=2026, month=12, statistics_day=5)
    day = datetime(2026, 12, 10, 9, 0, tzinfo=SHANGHAI)

    def complaint(case: str, late: bool) -> OrderRecord:
        done = day + timedelta(days=3 if late else 1)
        return OrderRecord("o", Utility.WATER, "water-co", OrderType.COMPLAINT, day, done,
                           day + timedelta(days=2), False, case=case)

    records = [complaint("water_quality", late=True), complaint("general", late=False)]
    checks = [c for c in check_targets(records=records, window=window, config=load_config())
              if c.utility is Utility.WATER and c.metric == "on_time"]
    by_cases = {c.cases: c for c in checks}
    assert by_cases[("water_quality",)].actual.numerator == 0
    assert by_cases[("water_quality",)].target == Decimal(94)
    assert by_cases[("water_quality",)].met is False
    assert (by_cases[None].actual.numerator, by_cases[None].actual.denominator) == (1, 2)
