"""A "press 0" message order has no utility yet, but still the same-day dispatch limit of
L 3.2.4(1), so it can be put on the review list's clock and chased (issue 19)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from routing.enums import OrderType, Utility
from routing.orders.order_intake import NewOrder, Source, new_row

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_given_a_message_without_utility_then_it_is_due_for_dispatch_the_same_day() -> None:
    taken = datetime(2026, 12, 7, 18, 0, tzinfo=SHANGHAI)  # a Monday evening
    row = new_row(NewOrder(source=Source.MESSAGE, utility=None, order_type=OrderType.HELP,
                           caller_number="13800138000"), number="2612070001", now=taken)
    assert row.dispatch_due == datetime(2026, 12, 7, 23, 59, 59, tzinfo=SHANGHAI)
    assert row.dispatch_due is not None and row.dispatch_due.tzinfo is UTC
    assert row.deadline_clauses == ["L 3.2.4(1)"]
    assert row.receipt_due is None and row.resolve_due is None  # those need the utility


def test_given_a_utility_then_the_table_row_still_governs() -> None:
    taken = datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)
    row = new_row(NewOrder(source=Source.AGENT, utility=Utility.WATER,
                           order_type=OrderType.COMPLAINT, caller_number="13800138000"),
                  number="2612070002", now=taken.astimezone(UTC))
    assert row.dispatch_due == datetime(2026, 12, 7, 10, 30, tzinfo=SHANGHAI)  # 30 minutes
    assert row.resolve_due is not None
