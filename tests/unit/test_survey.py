"""The callback survey's rules (routing/followup/survey.py) and its policy file: pure, no I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from routing.followup.survey import (
    Satisfaction,
    SurveyStatus,
    after_unreached,
    free_lines,
    in_calling_hours,
    next_calling_moment,
    plan,
    skip_reason,
    verdict,
)
from routing.followup.survey_policy import load_survey_policy, parse_hours, with_overrides
from routing.orders.transitions import Event
from routing.reports.kpi import month_window
from routing.reports.kpi_survey import SurveyRecord, survey_html, survey_json, survey_report

POLICY = load_survey_policy()


def shanghai(hour: int, minute: int = 0, day: int = 7) -> datetime:
    """An instant given as Asia/Shanghai wall time (UTC+8), expressed in UTC."""
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


def test_given_the_seed_policy_then_each_utility_has_its_clause() -> None:
    assert (POLICY.rule_for("gas").within_hours, POLICY.rule_for("gas").clause) == (3, "G 3.5.2")
    assert POLICY.rule_for("gas").outer_clause == "G 3.6.5"
    assert POLICY.rule_for("gas").give_up_after == timedelta(days=2)
    assert (POLICY.rule_for("heating").within_hours, POLICY.rule_for("heating").clause) == (
        12, "H 3.7.2")
    assert POLICY.rule_for("river").source == "center_default"
    assert POLICY.calling_hours.clause == "H 3.7.2"


def test_given_a_report_at_noon_then_first_ring_after_the_delay_and_due_by_the_clause() -> None:
    chosen = plan(reported_at=shanghai(12), utility="gas", policy=POLICY)
    assert chosen.first_at == shanghai(12, 10)
    assert chosen.due_at == shanghai(15)
    assert chosen.clause == "G 3.5.2"


def test_given_a_report_at_night_then_never_rung_before_eight() -> None:
    chosen = plan(reported_at=shanghai(22), utility="heating", policy=POLICY)
    assert chosen.first_at == shanghai(8, 0, day=8)
    assert not in_calling_hours(shanghai(21), POLICY)
    assert not in_calling_hours(shanghai(7, 59), POLICY)
    assert in_calling_hours(shanghai(8), POLICY)


def test_given_early_morning_then_the_next_moment_is_eight_the_same_day() -> None:
    assert next_calling_moment(shanghai(3), POLICY) == shanghai(8)


def test_given_keys_then_1_and_2_close_3_reopens_0_asks_for_an_agent() -> None:
    one, two, three, zero = (verdict(k) for k in "1230")
    assert one is not None and one.satisfaction is Satisfaction.SATISFIED
    assert one.events == (Event.START_CALLBACK, Event.CLOSE)
    assert two is not None and two.satisfaction is Satisfaction.BASICALLY_SATISFIED
    assert two.events == (Event.START_CALLBACK, Event.CLOSE)
    assert three is not None and three.events == (Event.START_CALLBACK, Event.REOPEN)
    assert three.reason  # REOPEN needs what the citizen is not satisfied with
    assert zero is not None and zero.status is SurveyStatus.AGENT and zero.events == ()
    assert verdict("7") is None


def test_given_unanswered_calls_then_retried_until_the_attempts_run_out() -> None:
    now, give_up = shanghai(12), shanghai(12) + timedelta(days=2)
    first = after_unreached(attempts=1, now=now, give_up_at=give_up, policy=POLICY)
    assert (first.status, first.at) == (SurveyStatus.SCHEDULED, shanghai(12, 30))
    last = after_unreached(attempts=POLICY.attempts, now=now, give_up_at=give_up, policy=POLICY)
    assert (last.status, last.at) == (SurveyStatus.MANUAL, None)


def test_given_the_retry_falls_after_the_limit_then_the_manual_list() -> None:
    retry = after_unreached(attempts=1, now=shanghai(12), give_up_at=shanghai(12, 5),
                            policy=POLICY)
    assert retry.status is SurveyStatus.MANUAL


def test_given_callers_waiting_then_no_survey_line_is_free() -> None:
    assert free_lines(active=0, waiting_callers=1, policy=POLICY) == 0
    assert free_lines(active=0, waiting_callers=0, policy=POLICY) == POLICY.max_concurrent
    assert free_lines(active=POLICY.max_concurrent, waiting_callers=0, policy=POLICY) == 0


def test_given_a_citizen_who_declined_then_never_rung() -> None:
    assert skip_reason(caller_number="13800000000", declined=True) is SurveyStatus.DECLINED
    assert skip_reason(caller_number=None, declined=False) is SurveyStatus.MANUAL
    assert skip_reason(caller_number="13800000000", declined=False) is None
    assert skip_reason(caller_number="13800000000", declined=False,
                       give_up_at=shanghai(12), now=shanghai(12, 1)) is SurveyStatus.MANUAL


def test_given_settings_then_they_override_delay_and_hours() -> None:
    policy = with_overrides(POLICY, delay_seconds=0, hours="00:00-24:00")
    assert policy.delay == timedelta(0)
    assert in_calling_hours(shanghai(23, 30), policy)
    assert plan(reported_at=shanghai(23), utility="gas", policy=policy).first_at == shanghai(23)


@pytest.mark.parametrize("text", ["8-21", "21:00-08:00", "08:00-25:00", "24:00-24:00"])
def test_given_bad_calling_hours_then_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_hours(text)


def test_given_a_policy_with_two_rules_for_one_utility_then_refused(tmp_path: Path) -> None:
    policy = Path(__file__).parents[2] / "routing" / "followup" / "survey_policy.yaml"
    text = policy.read_text("utf-8")
    bad = tmp_path / "p.yaml"
    bad.write_text(text.replace("utility: heating", "utility: gas"), encoding="utf-8")
    with pytest.raises(ValidationError):
        load_survey_policy(bad)


def survey_record(utility: str, agency: str, status: SurveyStatus,
                  satisfaction: Satisfaction | None, reached: bool, day: int = 7
                  ) -> SurveyRecord:
    return SurveyRecord(utility, agency, shanghai(10, day=day), status, satisfaction, reached)


def test_given_surveys_then_satisfaction_and_reach_per_utility_unit_and_month() -> None:
    s = SurveyStatus
    records = [
        survey_record("gas", "industry-gas", s.ANSWERED, Satisfaction.SATISFIED, True),
        survey_record("gas", "industry-gas", s.ANSWERED, Satisfaction.BASICALLY_SATISFIED, True),
        survey_record("gas", "industry-gas", s.ANSWERED, Satisfaction.NOT_SATISFIED, True),
        survey_record("gas", "industry-gas", s.MANUAL, None, False),
        survey_record("water", "industry-water", s.DECLINED, None, False),  # in neither term
        survey_record("water", "industry-water", s.AGENT, None, True),
    ]
    window = month_window(year=2026, month=12, statistics_day=5)
    report = survey_report(records=records, window=window)
    gas = report.by_utility["gas"]
    assert (gas.satisfaction.numerator, gas.satisfaction.denominator) == (2, 3)
    assert (gas.reach.numerator, gas.reach.denominator) == (3, 4)
    water = report.by_agency["industry-water"]
    assert water.satisfaction.percent is None and water.reach.denominator == 1
    assert report.by_month["2026-12"].reach.denominator == 5
    assert float(report.overall.satisfaction.percent or 0) == 66.67
    html = survey_html(survey_json(report), {"gas": "燃气"})
    assert "满意率" in html and "燃气" in html and "66.67%" in html
