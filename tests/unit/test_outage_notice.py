"""The planned-outage notice rules (routing/floor/outage_notice.yaml), pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from routing.enums import Utility
from routing.floor.announcements import AnnouncementError
from routing.floor.outage_notice import (
    NoticePolicyError,
    NoticeTooLate,
    check_lead_time,
    load_notice_policy,
    parse_notice_policy,
)

POLICY = load_notice_policy()
NOW = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("utility", "scope", "lead", "clause"), [
    (Utility.WATER, "general", timedelta(hours=48), "W 6.1"),
    (Utility.WATER, "small_area", timedelta(hours=24), "W 6.1"),
    (Utility.GAS, "general", timedelta(hours=48), "G 3.1.6.1"),
    (Utility.HEATING, "general", timedelta(days=3), "H 3.6.3.1"),
    (Utility.HEATING, "annual_maintenance", timedelta(days=15), "H 3.6.3.3"),
])
def test_each_clause_accepts_its_lead_and_refuses_a_second_less(
    utility: Utility, scope: str, lead: timedelta, clause: str
) -> None:
    rule = check_lead_time(POLICY, utility=utility, scope=scope, starts_at=NOW + lead, now=NOW)
    assert rule is not None and rule.clauses == (clause,)
    with pytest.raises(NoticeTooLate) as refused:
        check_lead_time(POLICY, utility=utility, scope=scope,
                        starts_at=NOW + lead - timedelta(seconds=1), now=NOW)
    assert refused.value.clauses == (clause,) and clause in str(refused.value)


def test_where_the_standards_are_silent_nothing_is_checked() -> None:
    assert check_lead_time(POLICY, utility=Utility.STREETLIGHT, scope="general",
                           starts_at=NOW, now=NOW) is None
    with pytest.raises(AnnouncementError, match="scope"):
        check_lead_time(POLICY, utility=Utility.GAS, scope="small_area", starts_at=NOW, now=NOW)


@pytest.mark.parametrize("bad", [
    {"version": 1, "lead_times": [{"utility": "water", "lead": {"hours": 1, "days": 1},
                                   "clauses": ["W 6.1"]}]},
    {"version": 1, "lead_times": [{"utility": "water", "lead": {"hours": 1},
                                   "clauses": ["6.1"]}]},
    {"version": 1, "lead_times": [
        {"utility": "water", "lead": {"hours": 1}, "clauses": ["W 6.1"]},
        {"utility": "water", "lead": {"hours": 2}, "clauses": ["W 6.1"]}]},
])
def test_a_malformed_policy_is_refused_at_load(bad: dict[str, object]) -> None:
    with pytest.raises(NoticePolicyError):
        parse_notice_policy(bad)
