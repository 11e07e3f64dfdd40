"""Staffing from observed traffic and the next-day plan (pure): intervals of a Shanghai day,
handle times, agents present, the forecast from the same kind of day and the peak factors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from routing.agents.acd import AgentState
from routing.agents.staffing_forecast import history_days, plan_day
from routing.agents.staffing_peaks import (
    DEFAULT_PEAKS_PATH,
    StaffingPolicyError,
    day_peaks,
    factor_for,
    load_policy,
    parse_policy,
)
from routing.agents.staffing_plan import (
    ObservedCall,
    StateChange,
    agents_needed,
    bucket,
    handle_seconds,
    interval_of,
    observed_day,
    parse_day,
    presence,
)
from routing.enums import Utility
from routing.floor.announcements import Outage, OutageKind
from routing.orders.calendar import SHANGHAI, WorkingDayCalendar

POLICY = load_policy()
RULES = POLICY.erlang
DAY = date(2026, 11, 16)  # a Monday, a working day


def local(day: date, hh: int, mm: int, ss: int = 0, us: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, ss, us, tzinfo=SHANGHAI)


def change(at: datetime, state: AgentState) -> StateChange:
    return StateChange(at, state)


# -- bucketing -----------------------------------------------------------------------------


def test_given_calls_at_an_interval_edge_then_each_counts_in_the_half_hour_it_began_in() -> None:
    assert interval_of(local(DAY, 8, 29, 59, 999999), DAY) == 16
    assert interval_of(local(DAY, 8, 30), DAY) == 17
    assert interval_of(local(DAY, 0, 0), DAY) == 0
    assert interval_of(local(DAY, 23, 59, 59), DAY) == 47


def test_given_calls_around_local_midnight_then_the_shanghai_date_decides_the_day() -> None:
    # 16:00 UTC is 00:00 in Shanghai: the UTC date is the day before.
    just_before = datetime(2026, 11, 16, 15, 59, 59, tzinfo=UTC)  # 23:59:59 on the 16th
    midnight = datetime(2026, 11, 16, 16, 0, tzinfo=UTC)  # 00:00 on the 17th
    early = datetime(2026, 11, 15, 16, 30, tzinfo=UTC)  # 00:30 on the 16th
    loads = bucket([ObservedCall(just_before), ObservedCall(midnight), ObservedCall(early)], DAY)
    assert loads[47].offered == 1 and loads[1].offered == 1
    assert sum(x.offered for x in loads) == 2  # the call of the 17th is not the 16th's
    assert interval_of(midnight, date(2026, 11, 17)) == 0


def test_given_handled_and_unanswered_calls_then_aht_is_the_mean_of_the_handled_ones() -> None:
    calls = [ObservedCall(local(DAY, 9, 1), 100.0), ObservedCall(local(DAY, 9, 20), 300.0),
             ObservedCall(local(DAY, 9, 29), None)]
    row = observed_day(calls, {}, DAY, local(DAY, 23, 0), RULES).intervals[18]
    assert (row.offered, row.answered, row.aht_seconds, row.aht_fallback) == (3, 2, 200.0, False)
    assert (row.needed, row.needed_rostered) == agents_needed(3, 200.0, RULES)
    assert row.needed >= 1


def test_given_an_interval_where_no_call_was_handled_then_the_default_aht_is_used() -> None:
    calls = [ObservedCall(local(DAY, 10, 5)), ObservedCall(local(DAY, 10, 6))]
    row = observed_day(calls, {}, DAY, local(DAY, 23, 0), RULES).intervals[20]
    assert (row.answered, row.aht_seconds, row.aht_fallback) == (0, RULES.default_aht_seconds,
                                                                 True)
    assert row.needed == agents_needed(2, RULES.default_aht_seconds, RULES)[0] > 0


def test_given_intervals_without_calls_then_they_need_no_agents() -> None:
    report = observed_day([ObservedCall(local(DAY, 10, 5), 60.0)], {}, DAY, local(DAY, 23, 0),
                          RULES)
    quiet = [r for i, r in enumerate(report.intervals) if i != 20]
    assert len(report.intervals) == 48
    assert all(r.needed == 0 and r.needed_rostered == 0 and r.offered == 0 for r in quiet)
    assert report.as_json()["totals"]["offered"] == 1


# -- handle times and agents present -------------------------------------------------------


def test_handle_time_runs_from_answer_to_the_end_of_the_agents_wrap_up() -> None:
    answered = local(DAY, 9, 0)
    changes = [change(answered - timedelta(seconds=1), AgentState.ON_CALL),
               change(answered + timedelta(seconds=190), AgentState.AVAILABLE)]
    ended = answered + timedelta(seconds=180)
    assert handle_seconds(answered, changes, ended, local(DAY, 12, 0)) == 190.0
    # No state history: until the call ended; still going: until now.
    assert handle_seconds(answered, [], ended, local(DAY, 12, 0)) == 180.0
    assert handle_seconds(answered, [], None, answered + timedelta(seconds=42)) == 42.0


def test_a_wrap_up_the_agent_never_ended_counts_ten_minutes_at_most() -> None:
    answered = local(DAY, 9, 0)
    changes = [change(answered + timedelta(hours=3), AgentState.LOGGED_OUT)]
    ended = answered + timedelta(seconds=60)
    assert handle_seconds(answered, changes, ended, local(DAY, 13, 0)) == 660.0


def test_agents_present_are_time_weighted_per_interval_with_pauses_apart() -> None:
    timelines = {
        # In since the day before; paused 08:00-08:15; out at 08:45.
        "a1": [change(local(DAY, 0, 0) - timedelta(hours=2), AgentState.AVAILABLE),
               change(local(DAY, 8, 0), AgentState.PAUSED),
               change(local(DAY, 8, 15), AgentState.ON_CALL),
               change(local(DAY, 8, 45), AgentState.LOGGED_OUT)],
        "a2": [change(local(DAY, 8, 30), AgentState.AVAILABLE)],
    }
    got = presence(timelines, DAY, local(DAY, 9, 15))
    assert got[0] == (1.0, 0.0) and got[15] == (1.0, 0.0)
    assert got[16] == (1.0, 0.5)  # 08:00-08:30: a1 in all of it, paused half
    assert got[17] == (1.5, 0.0)  # 08:30-09:00: a1 15 min, a2 30 min
    assert got[18] == (1.0, 0.0)  # 09:00-09:15 elapsed: a2 all of it
    assert got[19] == (0.0, 0.0)  # not begun yet


def test_shortfall_is_need_minus_agents_taking_calls() -> None:
    calls = [ObservedCall(local(DAY, 8, i), 240.0) for i in range(0, 30, 2)]  # 15 calls
    timelines = {"a1": [change(local(DAY, 7, 0), AgentState.AVAILABLE),
                        change(local(DAY, 8, 0), AgentState.PAUSED),
                        change(local(DAY, 8, 15), AgentState.AVAILABLE)]}
    row = observed_day(calls, timelines, DAY, local(DAY, 12, 0), RULES).intervals[16]
    assert (row.logged_in, row.paused) == (1.0, 0.5)
    assert row.needed == agents_needed(15, 240.0, RULES)[0]
    assert row.shortfall == row.needed - 0.5 and row.shortfall > 0


# -- the plan ------------------------------------------------------------------------------


def test_history_is_the_same_kind_of_day_by_the_official_calendar() -> None:
    calendar = WorkingDayCalendar()
    # Mon 12 Oct 2026: working. Sun 11 Oct and the National Day week are rest days; Sat
    # 10 Oct is a make-up working day (调休).
    found = history_days(date(2026, 10, 12), calendar.is_working_day, date(2026, 9, 1), POLICY)
    assert found == [date(2026, 10, 10), date(2026, 10, 9), date(2026, 10, 8),
                     date(2026, 9, 30)]
    rest = history_days(date(2026, 10, 11), calendar.is_working_day, date(2026, 9, 1), POLICY)
    assert rest == [date(2026, 10, 7), date(2026, 10, 6), date(2026, 10, 5), date(2026, 10, 4)]


def test_history_stops_at_the_first_observed_day_and_the_lookback() -> None:
    always = lambda d: True  # noqa: E731
    assert history_days(date(2026, 10, 12), always, date(2026, 10, 10), POLICY) == [
        date(2026, 10, 11), date(2026, 10, 10)]
    assert history_days(date(2026, 10, 12), always, None, POLICY) == []
    weekdays_only = lambda d: d.weekday() < 5  # noqa: E731
    sunday = date(2026, 10, 11)
    short = POLICY.model_copy(update={"forecast": POLICY.forecast.model_copy(
        update={"lookback_days": 6})})
    assert history_days(sunday, weekdays_only, date(2026, 1, 1), short) == [date(2026, 10, 10)]


def test_the_forecast_is_the_mean_of_the_same_interval_over_the_history_days() -> None:
    days = [date(2026, 10, 10), date(2026, 10, 9), date(2026, 10, 8), date(2026, 9, 30)]
    history: dict[date, list[ObservedCall]] = {d: [] for d in days} | {
        days[0]: [ObservedCall(local(days[0], 9, m), 200.0) for m in (5, 10, 15)],
        days[1]: [ObservedCall(local(days[1], 9, 10), 400.0),
                  ObservedCall(local(days[1], 14, 0))],  # unanswered: offered all the same
    }
    plan = plan_day(date(2026, 10, 12), working_day=True, history=history, peaks=[],
                    policy=POLICY)
    nine = plan.intervals[18]
    assert (nine.baseline_calls, nine.factor, nine.forecast_calls) == (1.0, 1.0, 1.0)
    assert (nine.aht_seconds, nine.aht_fallback) == (250.0, False)  # (600 + 400) / 4 handled
    assert (nine.needed, nine.needed_rostered) == agents_needed(1.0, 250.0, RULES)
    two = plan.intervals[28]
    assert (two.forecast_calls, two.aht_seconds, two.aht_fallback) == (
        0.25, RULES.default_aht_seconds, True)
    assert plan.peak_interval == nine
    assert plan.as_json()["history_days"] == [d.isoformat() for d in days]


def test_no_history_plans_no_agents() -> None:
    plan = plan_day(date(2026, 10, 12), working_day=True, history={}, peaks=[], policy=POLICY)
    assert all(r.needed == 0 for r in plan.intervals) and plan.peak_interval is None


def outage(id_: int, utility: Utility, start: datetime, kind: OutageKind = OutageKind.PLANNED,
           closed_at: datetime | None = None) -> Outage:
    return Outage(id_, f"INC-{id_}", utility, kind, (), start, start + timedelta(hours=8),
                  closed_at=closed_at)


def test_heating_start_and_a_planned_outage_add_up_in_the_hours_after_its_start() -> None:
    first_day = date(2026, 11, 15)  # H 3.2.1: heating from 15 Nov 00:00
    outages = [
        outage(1, Utility.WATER, local(first_day, 9, 0)),
        outage(2, Utility.STREETLIGHT, local(first_day, 9, 0)),  # no factor for it
        outage(3, Utility.GAS, local(first_day, 10, 0), OutageKind.UNPLANNED),
        outage(4, Utility.GAS, local(first_day, 11, 0),
               closed_at=local(first_day, 8, 0)),  # cancelled before it began
        outage(5, Utility.GAS, local(first_day, 0, 0) - timedelta(minutes=1)),  # the day before
    ]
    peaks = day_peaks(first_day, outages, POLICY)
    assert [(p.kind, p.factor) for p in peaks] == [("heating_season", 2.5),
                                                   ("planned_outage", 1.5)]
    history = {date(2026, 11, 8): [ObservedCall(local(date(2026, 11, 8), h, 0), 240.0)
                                   for h in (8, 9, 15)]}
    plan = plan_day(first_day, working_day=False, history=history, peaks=peaks, policy=POLICY)
    factors = [r.factor for r in plan.intervals]
    # 1 + (2.5 - 1) + (1.5 - 1) from 09:00 for hours_after_start (6 h) = intervals 18..29.
    assert factors[17] == 2.5 and factors[18:30] == [3.0] * 12 and factors[30] == 2.5
    assert plan.intervals[16].forecast_calls == 2.5 and plan.intervals[18].forecast_calls == 3.0
    assert plan.intervals[18].needed == agents_needed(3.0, 240.0, RULES)[0]
    assert plan.peak_interval is not None and plan.peak_interval.start == local(first_day, 9, 0)


def test_the_trial_period_and_the_days_after_the_start_have_their_factors() -> None:
    def heating(day: date) -> float:
        start, end = local(day, 0, 0), local(day, 0, 0) + timedelta(days=1)
        return factor_for(day_peaks(day, [], POLICY), start, end)

    assert heating(date(2026, 11, 8)) == 1.3  # H 3.2.2: the trial period begins
    assert heating(date(2026, 11, 16)) == 2.0
    assert heating(date(2026, 11, 7)) == 1.0 and heating(date(2026, 11, 22)) == 1.0
    assert heating(date(2026, 6, 1)) == 1.0


# -- the policy file -----------------------------------------------------------------------


def raw_policy() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(DEFAULT_PEAKS_PATH.read_text("utf-8"))
    return loaded


def test_the_shipped_policy_cites_the_peaks_clause() -> None:
    assert "L 3.1.2(5)" in POLICY.clauses
    assert "L 3.1.2(5)②" in POLICY.heating_season.clauses
    assert (POLICY.erlang.service_level, POLICY.erlang.answer_seconds) == (0.8, 15)


@pytest.mark.parametrize(("change_", "culprit"), [
    (lambda p: p.update(surprise=1), "surprise"),
    (lambda p: p["planned_outages"]["factors"].update(water=0.5), "factors"),
    (lambda p: p["planned_outages"]["factors"].update(sewage=2), "sewage"),
    (lambda p: p["heating_season"]["days"].append({"offset": 0, "factor": 2}), "twice"),
    (lambda p: p["heating_season"].update(start={"month": 11, "day": 31}), "start"),
    (lambda p: p["forecast"].update(same_kind_days=8, lookback_days=5), "lookback_days"),
    (lambda p: p["erlang"].update(service_level=1.0), "service_level"),
    (lambda p: p["heating_season"].update(clauses=[]), "clauses"),
    (lambda p: p.update(version=2), "version"),
])
def test_a_bad_policy_is_refused_naming_the_culprit(change_: Any, culprit: str) -> None:
    raw = raw_policy()
    change_(raw)
    with pytest.raises(StaffingPolicyError, match=culprit):
        parse_policy(raw)


def test_a_policy_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "peaks.yaml"
    bad.write_text("erlang: [unclosed\n", "utf-8")
    with pytest.raises(StaffingPolicyError, match="not YAML"):
        load_policy(bad)


@pytest.mark.parametrize("raw", ["2026-13-01", "26-11-16", "1999-12-31", "3000-01-01",
                                 "2026-11-16T00:00", "２０２６-11-16"])
def test_only_plausible_dates_are_taken(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_day(raw)
    assert parse_day("2026-11-16") == DAY
