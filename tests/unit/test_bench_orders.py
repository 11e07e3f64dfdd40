"""The pure helpers of the order-engine benchmark (tools.bench_orders)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from routing.orders.transitions import State
from tools.bench_orders import arrival_offsets, check_scratch, late_pairs, percentile, summary_ms


def test_given_values_when_percentile_then_nearest_rank_value_is_returned() -> None:
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0  # unsorted input
    assert percentile([7.0], 99) == 7.0


def test_given_no_values_or_a_bad_q_when_percentile_then_it_refuses() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 0)


def test_given_seconds_when_summarised_then_milliseconds() -> None:
    summary = summary_ms([0.001, 0.002, 0.003, 0.004])
    assert summary == {"p50": 2.0, "p90": 4.0, "p99": 4.0, "max": 4.0, "mean": 2.5}
    assert summary_ms([]) == {}


def test_given_a_rate_when_scheduled_then_arrivals_are_evenly_spaced() -> None:
    offsets = arrival_offsets(500, 2)
    assert len(offsets) == 1000
    assert offsets[0] == 0.0 and offsets[1] == pytest.approx(0.002)
    assert offsets[-1] == pytest.approx(1.998)


def test_given_orders_when_filtered_naively_then_only_watched_states_past_due_are_late() -> None:
    now = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    past, future = now - timedelta(minutes=1), now + timedelta(minutes=1)
    rows = [
        (1, State.DISPATCHED, past, future),  # receipt late
        (2, State.DISPATCHED, now, past),  # both: due exactly now counts
        (3, State.RECEIVED, past, past),  # receipt no longer watched; resolution late
        (4, State.HANDLED, past, past),  # handled: neither
        (5, State.PENDING, past, past),  # pending: the approval chain's business
        (6, State.NOT_HANDLED, None, past),
        (7, State.DISPATCHED, future, None),
    ]
    assert late_pairs(rows, now) == {(1, "receipt"), (2, "receipt"), (2, "resolve"),
                                     (3, "resolve"), (6, "resolve")}


def test_given_a_database_not_named_bench_when_checked_then_it_is_not_reset() -> None:
    check_scratch("postgresql+asyncpg://u:p@127.0.0.1/hotline_bench", force=False)
    with pytest.raises(SystemExit):
        check_scratch("postgresql+asyncpg://u:p@127.0.0.1/hotline", force=False)
    check_scratch("postgresql+asyncpg://u:p@127.0.0.1/hotline", force=True)
