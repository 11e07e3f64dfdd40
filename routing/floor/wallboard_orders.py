"""The wallboard's order panels (pure): orders near or past a deadline, the agency scorecard.

The deadlines are the engine's due columns (routing/orders/sla_policy.yaml); a deadline is running
in the same states the sweeper chases it (routing/store/models.py RECEIPT_CHASE, RESOLVE_CHASE).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from routing.reports.kpi import Rate, rate


def percent(value: Rate) -> float | None:
    return None if value.percent is None else float(value.percent)


@dataclass(frozen=True)
class OrderDue:
    """What the deadlines panel and the scorecard need of one order (the engine's columns)."""

    number: str
    status: str
    utility: str | None
    agency: str | None
    emergency: bool
    dispatch_due: datetime | None = None
    receipt_due: datetime | None = None
    resolve_due: datetime | None = None
    dispatched_at: datetime | None = None
    received_at: datetime | None = None
    completed_at: datetime | None = None
    satisfaction: str | None = None  # the citizen's word at the callback survey (回访)
    onsite_due: datetime | None = None  # the crew owed on site (issue 16)
    arrived_at: datetime | None = None


# Which deadline is still running in which state; the same states the sweeper chases
# (routing/store/models.py RECEIPT_CHASE, RESOLVE_CHASE).
RUNNING: dict[str, tuple[str, ...]] = {
    "dispatch_due": ("created",),
    "receipt_due": ("dispatched",),
    "resolve_due": ("dispatched", "received", "not_handled"),
}


def next_deadline(order: OrderDue) -> tuple[str, datetime] | None:
    """The soonest deadline the order still has to meet: (column name, due), or None."""
    running = [
        (getattr(order, column), column)
        for column, states in RUNNING.items()
        if order.status in states and getattr(order, column) is not None
    ]
    if not running:
        return None
    due, column = min(running)
    return column, due


@dataclass(frozen=True)
class DeadlineItem:
    order: OrderDue
    deadline: str
    due: datetime
    seconds_left: float

    def as_json(self) -> dict[str, Any]:
        o = self.order
        return {
            "number": o.number, "status": o.status, "utility": o.utility, "agency": o.agency,
            "emergency": o.emergency, "deadline": self.deadline.removesuffix("_due"),
            "due": self.due.isoformat(), "seconds_left": round(self.seconds_left),
            "overdue": self.seconds_left < 0,
        }


def deadline_panel(
    orders: Iterable[OrderDue], now: datetime, *, near: timedelta, top: int
) -> list[DeadlineItem]:
    """Open orders whose next deadline is past or within `near`, the least time left first."""
    items = []
    for order in orders:
        found = next_deadline(order)
        if found is not None and found[1] - now <= near:
            column, due = found
            items.append(DeadlineItem(order, column, due, (due - now).total_seconds()))
    items.sort(key=lambda item: (item.seconds_left, item.order.number))
    return items[:top]


@dataclass(frozen=True)
class AgencyScore:
    agency: str
    dispatched: int
    received_on_time: Rate
    resolved_on_time: Rate
    overdue_now: int
    satisfied: Rate = field(default_factory=lambda: rate(numerator=0, denominator=0))
    onsite_on_time: Rate = field(default_factory=lambda: rate(numerator=0, denominator=0))

    def as_json(self) -> dict[str, Any]:
        return {
            "agency": self.agency, "dispatched": self.dispatched,
            "received_on_time": percent(self.received_on_time),
            "received_decided": self.received_on_time.denominator,
            "resolved_on_time": percent(self.resolved_on_time),
            "resolved_decided": self.resolved_on_time.denominator,
            "overdue_now": self.overdue_now,
            "satisfaction": percent(self.satisfied),
            "satisfaction_rated": self.satisfied.denominator,
            "onsite_on_time": percent(self.onsite_on_time),
            "onsite_decided": self.onsite_on_time.denominator,
        }


def _met(done: datetime | None, due: datetime | None, now: datetime) -> bool | None:
    """True/False once the step is done or its deadline has passed; None while undecided."""
    if done is not None:
        return due is None or done <= due
    if due is not None and due < now:
        return False
    return None


def _on_time_rate(outcomes: Iterable[bool | None]) -> Rate:
    decided = [o for o in outcomes if o is not None]
    return rate(numerator=sum(decided), denominator=len(decided))


def overdue_by_agency(orders: Iterable[OrderDue], now: datetime) -> dict[str, int]:
    """How many open orders of each agency are past a running deadline now."""
    late = Counter(o.agency for o in orders
                   if o.agency is not None and (d := next_deadline(o)) is not None and d[1] < now)
    return {agency: n for agency, n in late.items() if agency is not None}


def agency_scorecard(dispatched: Iterable[OrderDue], now: datetime, since: datetime,
                     overdue: Mapping[str, int]) -> list[AgencyScore]:
    """Per agency, of the orders dispatched since `since`: receipt and resolution on time
    (of those done or past due: an order still inside its limit is not yet late); and from
    `overdue` (`overdue_by_agency` over all open orders) how many are past a deadline now."""
    orders = [o for o in dispatched if o.agency is not None and o.dispatched_at is not None
              and since <= o.dispatched_at]
    scores = []
    for agency in sorted({o.agency for o in orders if o.agency is not None} | set(overdue)):
        sent = [o for o in orders if o.agency == agency]
        scores.append(AgencyScore(
            agency=agency, dispatched=len(sent),
            received_on_time=_on_time_rate(_met(o.received_at, o.receipt_due, now)
                                           for o in sent),
            resolved_on_time=_on_time_rate(_met(o.completed_at, o.resolve_due, now)
                                           for o in sent),
            overdue_now=overdue.get(agency, 0),
            satisfied=_satisfied(sent),
            onsite_on_time=_on_time_rate(_met(o.arrived_at, o.onsite_due, now)
                                         for o in sent if o.onsite_due is not None),
        ))
    return scores


def _satisfied(orders: list[OrderDue]) -> Rate:
    """Satisfied or basically satisfied ÷ rated at the callback survey
    (routing/reports/kpi_survey.py)."""
    rated = [o for o in orders if o.satisfaction is not None]
    good = sum(o.satisfaction in ("satisfied", "basically_satisfied") for o in rated)
    return rate(numerator=good, denominator=len(rated))
