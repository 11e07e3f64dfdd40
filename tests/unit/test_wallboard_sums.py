"""Each window's sums of settled calls (routing.floor.wallboard_sums), slid forward with the clock:
at every recount, a count of the calls still changing plus the sums gives exactly the
figures of a count of every call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routing.floor.wallboard import CallRecord, call_figures, load_policy, local_midnight
from routing.floor.wallboard_sums import SettledSums

START = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # 23:00 in Jinan: the day turns within
POLICY = load_policy()
SETTLED = timedelta(minutes=2)


@st.composite
def calls(draw: st.DrawFn, index: int) -> CallRecord:
    started = START + timedelta(seconds=draw(st.integers(-2 * 3600, 3 * 3600)))
    queued = draw(st.none() | st.integers(0, 120).map(lambda s: started + timedelta(seconds=s)))
    answered = None
    if queued is not None:
        answered = draw(st.none() | st.integers(0, 60).map(lambda s: queued + timedelta(seconds=s)))
    last = max(t for t in (started, queued, answered) if t is not None)
    ended = draw(st.none() | st.integers(0, 600).map(lambda s: last + timedelta(seconds=s)))
    return CallRecord(
        call_id=f"c{index}", started_at=started,
        utility=draw(st.sampled_from([None, "water", "gas", "heating"])),
        queued_at=queued, agent_answered_at=answered, ended_at=ended,
        callback=answered is None and draw(st.booleans()),
    )


def as_seen_at(record: CallRecord, now: datetime) -> CallRecord | None:
    """The call as a read at `now` finds it: not yet started, or with only what happened."""
    if record.started_at > now:
        return None
    def seen(at: datetime | None) -> datetime | None:
        return at if at is not None and at <= now else None
    ended = seen(record.ended_at)
    return CallRecord(record.call_id, record.started_at, record.utility, seen(record.queued_at),
                      seen(record.agent_answered_at), ended, record.callback and ended is not None)


@settings(max_examples=150, deadline=None)
@given(records=st.integers(0, 30).flatmap(lambda n: st.tuples(*(calls(i) for i in range(n)))),
       steps=st.lists(st.integers(1, 40 * 60), min_size=1, max_size=12))
def test_given_settled_calls_summed_as_the_clock_moves_then_each_recount_equals_a_full_one(
    records: tuple[CallRecord, ...], steps: list[int],
) -> None:
    now = START
    sums = SettledSums(POLICY, local_midnight(now), now)
    summed: set[str] = set()
    for step in steps:
        now += timedelta(seconds=step)
        if local_midnight(now) != sums.day_start:
            return  # the repository starts a new day with a whole read
        sums.slide(now)
        seen = [r for r in (as_seen_at(r, now) for r in records) if r is not None]
        for record in seen:
            if record.call_id not in summed and record.ended_at is not None and (
                    record.ended_at < now - SETTLED):
                sums.add(record)
                summed.add(record.call_id)
        rest = [r for r in seen if r.call_id not in summed]
        assert call_figures(rest, now, POLICY, sums.sums) == call_figures(seen, now, POLICY)


def test_given_the_clock_set_back_then_the_sums_refuse_to_slide() -> None:
    sums = SettledSums(POLICY, local_midnight(START), START)
    with pytest.raises(ValueError, match="forward"):
        sums.slide(START - timedelta(seconds=1))


def test_given_a_call_started_right_at_a_windows_start_then_the_window_counts_it() -> None:
    call = CallRecord("edge", START, "gas", ended_at=START + timedelta(seconds=30))
    now = START + timedelta(minutes=15)  # the 15-minute window starts at the call's start
    sums = SettledSums(POLICY, local_midnight(now), now)
    sums.add(call)
    assert sums.sums["15m"].calls == 1
    assert call_figures([], now, POLICY, sums.sums) == call_figures([call], now, POLICY)
