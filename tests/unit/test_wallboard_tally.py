"""Today's sums of settled calls (routing.wallboard.Tally): a recount over the remaining
calls plus the sums gives exactly the figures of a recount over every call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from routing.wallboard import (
    CallRecord,
    Tally,
    call_figures,
    left_every_window,
    load_policy,
    local_midnight,
)

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # 18:00 in Jinan
POLICY = load_policy()
ENDED_BEFORE = NOW - timedelta(minutes=2)
MIDNIGHT = local_midnight(NOW)


@st.composite
def calls(draw: st.DrawFn, index: int) -> CallRecord:
    # From before Jinan's midnight up to now: some calls count in no window, some in all.
    started = NOW - timedelta(seconds=draw(st.integers(0, 20 * 3600)))
    queued = draw(st.none() | st.integers(0, 120).map(lambda s: started + timedelta(seconds=s)))
    answered = None
    if queued is not None:
        answered = draw(st.none() | st.integers(0, 60).map(lambda s: queued + timedelta(seconds=s)))
    last = max(t for t in (started, queued, answered) if t is not None)
    ended = draw(st.none() | st.integers(0, 600).map(lambda s: last + timedelta(seconds=s)))
    if ended is not None and ended > NOW:
        ended = None
    if answered is not None and answered > NOW:
        answered = None
    return CallRecord(
        call_id=f"c{index}", started_at=started,
        utility=draw(st.sampled_from([None, "water", "gas", "heating"])),
        queued_at=queued if queued is None or queued <= NOW else None,
        agent_answered_at=answered, ended_at=ended,
        callback=answered is None and draw(st.booleans()),
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 10**6), max_size=40).flatmap(
    lambda keys: st.tuples(*(calls(i) for i in range(len(keys))))))
def test_given_settled_calls_summed_then_the_figures_equal_a_recount_of_every_call(
    records: tuple[CallRecord, ...],
) -> None:
    today = Tally()
    rest = []
    for record in records:
        if left_every_window(record, NOW, POLICY, ENDED_BEFORE):
            today.add_ended(record, MIDNIGHT, POLICY.service_level.answer_seconds)
        else:
            rest.append(record)
    assert call_figures(rest, NOW, POLICY, today) == call_figures(records, NOW, POLICY)


def test_given_a_call_in_the_last_hour_or_still_on_then_it_is_not_summed() -> None:
    ended = CallRecord("e", NOW - timedelta(hours=3), "gas", ended_at=NOW - timedelta(hours=3))
    recent = CallRecord("r", NOW - timedelta(minutes=30), "gas",
                        ended_at=NOW - timedelta(minutes=29))
    on_line = CallRecord("o", NOW - timedelta(hours=2), "gas")
    queued_late = CallRecord("q", NOW - timedelta(hours=2), "gas",
                             queued_at=NOW - timedelta(minutes=5),
                             ended_at=NOW - timedelta(minutes=4))
    assert left_every_window(ended, NOW, POLICY, ENDED_BEFORE)
    assert not any(left_every_window(r, NOW, POLICY, ENDED_BEFORE)
                   for r in (recent, on_line, queued_late))
