"""KPIs as L 3.1.5 counts them (issue 16): completion at the unit's report, orders with only
an on-site limit judged on it, and on-site timeliness per utility and unit. September 2026,
statistics day 5."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from routing.enums import OrderType, Utility
from routing.orders.calendar import SHANGHAI
from routing.orders.lifecycle import Order, State
from routing.reports.kpi import OrderRecord, month_window, on_time_closure, record_of
from routing.reports.kpi_onsite import onsite_report, onsite_timeliness

SEPT = month_window(year=2026, month=9, statistics_day=5)
DISPATCHED = datetime(2026, 9, 10, 9, 0, tzinfo=SHANGHAI)


def leak(order_id: str, arrived_after_min: int | None, *, agency: str = "gas-co",
         utility: Utility = Utility.GAS, done: bool = True) -> OrderRecord:
    """A gas leak: on site within 30 min is its only limit (G 3.1.4.4)."""
    arrived = None if arrived_after_min is None else DISPATCHED + timedelta(
        minutes=arrived_after_min)
    return OrderRecord(
        order_id, utility, agency, OrderType.EMERGENCY_REPAIR, DISPATCHED,
        DISPATCHED + timedelta(hours=3) if done else None, None, False,
        onsite_due=DISPATCHED + timedelta(minutes=30), arrived_at=arrived,
    )


def test_given_an_order_handled_and_waiting_for_its_callback_then_it_counts_as_completed_at_the_report() -> None:  # noqa: E501
    handled = DISPATCHED + timedelta(hours=20)
    order = Order(order_id="1", order_type=OrderType.MAINTENANCE, utility=Utility.WATER,
                  created_at=DISPATCHED, state=State.CALLBACK, agency="water-co",
                  resolve_due=DISPATCHED + timedelta(hours=24), dispatched_at=DISPATCHED,
                  handled_at=handled)
    record = record_of(order)
    assert record.completed_at == handled
    assert on_time_closure(records=[record], window=SEPT).numerator == 1
    # Closed later (after the statistics day, even): still completed at the unit's report.
    closed = replace(order, state=State.CLOSED, completed_at=handled,
                     closed_at=datetime(2026, 10, 20, tzinfo=SHANGHAI))
    assert record_of(closed).completed_at == handled


def test_given_orders_with_only_an_on_site_limit_then_they_are_on_time_only_if_on_site_in_time(
) -> None:
    records = [leak("in-time", 25), leak("late", 45), leak("never-reported", None)]
    result = on_time_closure(records=records, window=SEPT)
    assert (result.numerator, result.denominator) == (1, 3)


def test_given_on_site_limits_then_timeliness_per_utility_and_unit() -> None:
    records = [
        leak("g1", 20), leak("g2", 31), leak("g3", None, done=False),
        leak("w1", 29, agency="water-co", utility=Utility.WATER),
        # A consultation owes no arrival: not in the figure at all.
        OrderRecord("c", Utility.WATER, "water-co", OrderType.CONSULTATION, DISPATCHED,
                    DISPATCHED, None, False),
        # Arrived in time but reported after the statistics day: not counted.
        replace(leak("w2", 10, agency="water-co", utility=Utility.WATER),
                arrived_at=datetime(2026, 10, 6, tzinfo=SHANGHAI)),
    ]
    report = onsite_report(records=records, window=SEPT)
    assert (report.overall.numerator, report.overall.denominator) == (2, 5)
    assert {k: (v.numerator, v.denominator) for k, v in report.by_utility.items()} == {
        "gas": (1, 3), "water": (1, 2)}
    assert {k: (v.numerator, v.denominator) for k, v in report.by_agency.items()} == {
        "gas-co": (1, 3), "water-co": (1, 2)}
    assert report.by_utility["gas"].percent is not None
    assert float(report.by_utility["gas"].percent) == 33.33


def test_given_no_order_with_an_on_site_limit_then_no_rate() -> None:
    none = onsite_timeliness(records=[], window=SEPT)
    assert (none.denominator, none.percent) == (0, None)


def test_given_a_month_reported_when_its_order_is_reopened_later_then_the_month_stays() -> None:
    from routing.orders.lifecycle import Command, Event, Role, apply

    def at(month: int, day: int) -> datetime:
        return datetime(2026, month, day, 10, 0, tzinfo=SHANGHAI)

    order = Order(order_id="1", order_type=OrderType.MAINTENANCE, utility=Utility.WATER,
                  created_at=at(9, 27), state=State.RECEIVED, agency="water-co",
                  resolve_due=at(9, 29), dispatched_at=at(9, 27))
    unit, center = Role.AGENCY, Role.CENTER_STAFF
    steps = [
        (Event.REPORT_HANDLED, at(9, 28), unit), (Event.START_CALLBACK, at(9, 28), center),
        (Event.REOPEN, at(10, 10), center), (Event.RECEIVE, at(10, 10), unit),
        (Event.REPORT_HANDLED, at(10, 12), unit),
    ]
    before = None
    for event, when, role in steps:
        command = Command(event=event, actor="u", role=role, at=when, reason="r",
                          actor_agency="water-co" if role is Role.AGENCY else None)
        order = apply(order=order, command=command).order
        if event is Event.START_CALLBACK:
            before = on_time_closure(records=[record_of(order)], window=SEPT)
    after = on_time_closure(records=[record_of(order)], window=SEPT)
    assert before is not None and (before.numerator, before.denominator) == (1, 1)
    assert after == before  # September as reported on 5 October
    assert record_of(order).completed_at == at(9, 28)
