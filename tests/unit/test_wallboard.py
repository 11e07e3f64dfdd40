"""The wallboard's figures (routing/floor/wallboard.py): hand-computed cases and a naive recount."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from routing.floor.wallboard import (
    CallRecord,
    call_figures,
    load_policy,
    local_midnight,
    wallboard,
    window_figures,
    without_clock,
)
from routing.floor.wallboard_orders import (
    OrderDue,
    agency_scorecard,
    deadline_panel,
    next_deadline,
    overdue_by_agency,
)

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # 18:00 in Jinan
POLICY = load_policy()


def s(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)


def queued(call_id: str, entered: datetime, *, answered: float | None = None,
           ended: float | None = None, callback: bool = False, utility: str = "gas"
           ) -> CallRecord:
    return CallRecord(
        call_id=call_id, started_at=entered - s(20), utility=utility, queued_at=entered,
        agent_answered_at=entered + s(answered) if answered is not None else None,
        ended_at=entered + s(ended) if ended is not None else None, callback=callback,
    )


def test_given_the_policy_file_then_fifteen_seconds_cite_the_three_rings_clause() -> None:
    assert POLICY.service_level.answer_seconds == 15
    assert POLICY.service_level.clauses == ["L 3.2.2(3)①"]
    assert POLICY.windows_minutes == [15, 60]


def test_given_an_unknown_key_when_loading_the_policy_then_it_is_refused(tmp_path: Path) -> None:
    text = Path("routing/floor/wallboard.yaml").read_text("utf-8") + "\nservice_levle: {}\n"
    (tmp_path / "w.yaml").write_text(text, "utf-8")
    with pytest.raises(ValidationError):
        load_policy(tmp_path / "w.yaml")


def test_given_answered_late_abandoned_and_waiting_calls_then_the_figures_count_each() -> None:
    t = NOW - timedelta(minutes=5)
    records = [
        queued("fast", t, answered=10, ended=100),
        queued("slow", t, answered=20, ended=100),
        queued("gone", t, ended=8),  # hung up waiting
        queued("still", NOW - s(30)),  # waiting 30 s: already a miss
        queued("new", NOW - s(3)),  # waiting 3 s: not yet counted
        queued("later", t, ended=40, callback=True),  # chose a call-back: neither term
    ]
    f = window_figures(records, name="15m", since=NOW - timedelta(minutes=15), now=NOW,
                       answer_seconds=15)
    assert (f.answered, f.answered_within, f.abandoned, f.waiting_late, f.callbacks) == (
        2, 1, 1, 1, 1)
    assert f.service_level.percent == Decimal("25.00")  # 1 of 2 + 1 + 1
    assert f.abandon_rate.percent == Decimal("33.33")  # 1 of 2 + 1
    assert f.calls == 6 and f.per_utility == {"gas": 6}


def test_given_exactly_fifteen_seconds_then_the_call_is_within_the_bar() -> None:
    f = window_figures([queued("a", NOW - s(60), answered=15)], name="x",
                       since=NOW - s(600), now=NOW, answer_seconds=15)
    assert f.answered_within == 1 and f.service_level.percent == Decimal("100.00")


def test_given_no_queued_call_then_the_rates_are_empty_not_zero() -> None:
    only_ivr = CallRecord("ivr", NOW - s(60), None)
    f = window_figures([only_ivr], name="x", since=NOW - s(600), now=NOW, answer_seconds=15)
    assert f.service_level.percent is None and f.abandon_rate.percent is None
    assert f.as_json()["service_level"] is None and f.per_utility == {"none": 1}


def test_given_a_call_at_7_local_then_today_counts_it_and_yesterday_evening_not() -> None:
    morning = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)  # 07:30 on the 27th in Jinan
    evening = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)  # 23:30 on the 26th in Jinan
    assert local_midnight(NOW) == datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
    today = call_figures([CallRecord("m", morning, "water"), CallRecord("e", evening, "water")],
                         NOW, POLICY)[-1]
    assert today.window == "today" and today.calls == 1


# -- a naive recount, over random calls ---------------------------------------------------

offsets = st.integers(min_value=0, max_value=26 * 3600)
waits = st.none() | st.integers(min_value=0, max_value=120)


@st.composite
def records(draw: st.DrawFn) -> CallRecord:
    started = NOW - s(draw(offsets))
    queue_after = draw(st.none() | st.integers(min_value=0, max_value=60))
    entered = started + s(queue_after) if queue_after is not None else None
    answered = draw(waits)
    ended = draw(waits)
    if entered is not None and entered > NOW:
        entered = None
    return CallRecord(
        call_id=f"c{draw(st.integers(0, 10**9))}", started_at=started,
        utility=draw(st.sampled_from([None, "gas", "water"])), queued_at=entered,
        agent_answered_at=entered + s(answered) if entered and answered is not None
        and entered + s(answered) <= NOW else None,
        ended_at=entered + s(ended) if entered and ended is not None
        and entered + s(ended) <= NOW else None,
        callback=draw(st.booleans()) if entered else False,
    )


def waited(call: CallRecord) -> float:
    assert call.queued_at is not None
    return ((call.agent_answered_at or NOW) - call.queued_at).total_seconds()


@given(st.lists(records(), max_size=40))
@settings(max_examples=150, deadline=None)
def test_given_any_calls_then_figures_agree_with_a_naive_recount(calls: list[CallRecord]) -> None:
    windows = call_figures(calls, NOW, POLICY)
    for f in windows:
        mine = [c for c in calls if c.queued_at is not None and f.since <= c.queued_at <= NOW]
        answered = [c for c in mine if c.agent_answered_at is not None]
        within = [c for c in answered if waited(c) <= 15]
        gone = [c for c in mine if c.agent_answered_at is None and not c.callback
                and c.ended_at is not None]
        late = [c for c in mine if c.agent_answered_at is None and not c.callback
                and c.ended_at is None and waited(c) > 15]
        assert (f.answered, f.answered_within, f.abandoned, f.waiting_late) == (
            len(answered), len(within), len(gone), len(late))
        assert f.service_level.denominator == len(answered) + len(gone) + len(late)
        assert sum(f.per_utility.values()) == f.calls
    fifteen, sixty, _ = windows
    for name in ("calls", "answered", "answered_within", "abandoned", "waiting_late"):
        assert getattr(fifteen, name) <= getattr(sixty, name), name


# -- orders --------------------------------------------------------------------------------


def order(number: str, status: str, agency: str = "industry-gas", **times: Any
          ) -> OrderDue:
    return OrderDue(number=number, status=status, utility="gas", agency=agency,
                    emergency=False, **times)


def test_given_a_dispatched_order_then_its_receipt_is_the_next_deadline() -> None:
    o = order("1", "dispatched", receipt_due=NOW + s(60), resolve_due=NOW + s(3600),
              dispatched_at=NOW - s(60))
    assert next_deadline(o) == ("receipt_due", NOW + s(60))
    received = order("2", "received", receipt_due=NOW - s(60), resolve_due=NOW + s(3600))
    assert next_deadline(received) == ("resolve_due", NOW + s(3600))
    assert next_deadline(order("3", "closed", resolve_due=NOW - s(1))) is None
    assert next_deadline(order("4", "handled", resolve_due=NOW - s(1))) is None


def test_given_orders_then_the_panel_lists_overdue_first_and_only_near_ones() -> None:
    orders = [
        order("far", "created", dispatch_due=NOW + timedelta(hours=5)),
        order("soon", "created", dispatch_due=NOW + timedelta(minutes=30)),
        order("late", "dispatched", receipt_due=NOW - timedelta(minutes=10)),
        order("later", "received", resolve_due=NOW - timedelta(minutes=1)),
    ]
    panel = deadline_panel(orders, NOW, near=timedelta(hours=2), top=2)
    assert [(d.order.number, d.deadline) for d in panel] == [
        ("late", "receipt_due"), ("later", "resolve_due")]
    assert panel[0].as_json()["overdue"] is True and panel[0].as_json()["deadline"] == "receipt"
    full = deadline_panel(orders, NOW, near=timedelta(hours=2), top=10)
    assert [d.order.number for d in full] == ["late", "later", "soon"]


def test_given_an_agencys_orders_then_the_scorecard_counts_only_decided_ones() -> None:
    since = NOW - timedelta(days=3)
    day = timedelta(days=1)
    orders = [
        order("a", "closed", dispatched_at=NOW - day, receipt_due=NOW - day + s(600),
              received_at=NOW - day + s(300), resolve_due=NOW - s(60), completed_at=NOW - s(120)),
        order("b", "dispatched", dispatched_at=NOW - day, receipt_due=NOW - day + s(600),
              resolve_due=NOW + day),  # receipt missed, resolution still running
        order("c", "dispatched", dispatched_at=NOW - s(60), receipt_due=NOW + s(600),
              resolve_due=NOW + day),  # nothing decided yet
        order("old", "received", dispatched_at=NOW - 10 * day, resolve_due=NOW - s(1)),
        order("w", "dispatched", agency="industry-water", dispatched_at=NOW - s(5),
              receipt_due=NOW + s(600)),
    ]
    gas, water = agency_scorecard(orders, NOW, since, overdue_by_agency(orders, NOW))
    assert gas.agency == "industry-gas" and gas.dispatched == 3
    assert (gas.received_on_time.numerator, gas.received_on_time.denominator) == (1, 2)
    assert (gas.resolved_on_time.numerator, gas.resolved_on_time.denominator) == (1, 1)
    assert gas.overdue_now == 2  # b's receipt, old's resolution
    assert water.dispatched == 1 and water.as_json()["received_on_time"] is None


def test_given_surveys_then_the_scorecard_shows_the_units_satisfaction_rate() -> None:
    since = NOW - timedelta(days=3)
    words = {"a": "satisfied", "b": "basically_satisfied", "c": "not_satisfied", "d": None}
    # d is not surveyed yet: not counted
    orders = [replace(order(n, "closed", dispatched_at=NOW - s(600)), satisfaction=word)
              for n, word in words.items()]
    (gas,) = agency_scorecard(orders, NOW, since, {})
    assert (gas.satisfied.numerator, gas.satisfied.denominator) == (2, 3)
    assert gas.as_json()["satisfaction"] == 66.67 and gas.as_json()["satisfaction_rated"] == 3


def test_given_only_the_clock_moved_then_the_figures_compare_equal() -> None:
    orders = [order("late", "dispatched", receipt_due=NOW - s(600))]
    calls = [queued("a", NOW - s(7200), answered=5, ended=60)]
    first = wallboard(calls, orders, NOW, POLICY)
    second = wallboard(calls, orders, NOW + s(1), POLICY)
    assert first != second and without_clock(first) == without_clock(second)
    assert first["service_level_rule"]["clauses"] == ["L 3.2.2(3)①"]
    assert [w["window"] for w in first["windows"]] == ["15m", "60m", "today"]
