"""The load generator's arrivals and its count of calls in progress (pure parts)."""

import random
from itertools import pairwise

from tools.callersim import CallTrace
from tools.loadtest import arrival_offsets, in_progress, keys_at_load


def test_given_no_rate_then_every_call_dials_at_once() -> None:
    assert arrival_offsets(5, None, random.Random(1)) == [0.0] * 5


def test_given_a_rate_then_arrivals_rise_and_average_that_rate() -> None:
    offsets = arrival_offsets(4000, 4.0, random.Random(12319))
    assert offsets[0] == 0.0
    assert all(a <= b for a, b in pairwise(offsets))
    assert 3.8 < len(offsets) / offsets[-1] < 4.2


def test_given_the_same_seed_then_the_same_arrivals() -> None:
    assert arrival_offsets(50, 2.0, random.Random(7)) == arrival_offsets(50, 2.0, random.Random(7))


def _trace(answered: float | None, ended: float | None, keys: list[float]) -> CallTrace:
    trace = CallTrace(channel_id="c", token="t", answered_at=answered, ended_at=ended)
    trace.keys_sent_at.extend(keys)
    return trace


def test_given_overlapping_calls_then_in_progress_counts_answered_and_not_ended() -> None:
    traces = [_trace(0.0, 10.0, []), _trace(2.0, 5.0, []), _trace(3.0, None, []),
              _trace(None, None, [])]
    assert in_progress(traces) == [(0.0, 1), (2.0, 2), (3.0, 3), (5.0, 2), (10.0, 1)]


def test_given_keys_sent_then_share_at_load_counts_those_with_enough_calls_in_progress() -> None:
    traces = [_trace(0.0, 10.0, [1.0, 4.0]), _trace(2.0, 5.0, [3.0]), _trace(3.0, 9.0, [6.0])]
    steps = in_progress(traces)
    # in progress at 1.0: 1, at 3.0: 3, at 4.0: 3, at 6.0: 2
    assert keys_at_load(traces, steps, 3) == 0.5
    assert keys_at_load(traces, steps, 1) == 1.0
    assert keys_at_load([_trace(0.0, 1.0, [])], steps, 1) == 0.0
