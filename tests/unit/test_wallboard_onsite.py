"""The wallboard's agency scorecard shows on-site timeliness (issue 16): of each unit's orders
with an on-site limit, those whose crew arrived in time, counted once decided."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from routing.floor.wallboard_orders import OrderDue, agency_scorecard

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def leak(number: str, arrived_after: timedelta | None, due_in: timedelta) -> OrderDue:
    """A gas leak dispatched an hour ago; due on site `due_in` after dispatch."""
    sent = NOW - HOUR
    return OrderDue(number=number, status="received", utility="gas", agency="industry-gas",
                    emergency=True, dispatched_at=sent, onsite_due=sent + due_in,
                    arrived_at=None if arrived_after is None else sent + arrived_after)


def test_given_arrivals_then_the_scorecard_has_the_units_on_site_timeliness() -> None:
    orders = [
        leak("in-time", timedelta(minutes=20), timedelta(minutes=30)),
        leak("late", timedelta(minutes=40), timedelta(minutes=30)),
        leak("missed", None, timedelta(minutes=30)),  # past due with no arrival: late
        leak("running", None, 2 * HOUR),  # still inside its limit: not decided
        OrderDue(number="plain", status="received", utility="gas", agency="industry-gas",
                 emergency=False, dispatched_at=NOW - HOUR),  # no on-site limit
    ]
    (gas,) = agency_scorecard(orders, NOW, NOW - 24 * HOUR, {})
    assert (gas.onsite_on_time.numerator, gas.onsite_on_time.denominator) == (1, 3)
    assert gas.as_json()["onsite_on_time"] == 33.33 and gas.as_json()["onsite_decided"] == 3
