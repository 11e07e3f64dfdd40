"""Doubtful speech is never sent to a unit in silence (issues 11 and 13): the pure policy and
what the unit is shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml

from routing.dispatch.dispatch_policy import (
    DEFAULT_DISPATCH_POLICY_PATH,
    DispatchPolicyError,
    decide,
    load_dispatch_policy,
    parse_dispatch_policy,
)
from routing.enums import OrderType, Utility
from routing.orders.speech_doubt import UNSPECIFIED, speech_doubts, unit_doubt

T0 = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
POLICY = load_dispatch_policy()
HALF_HOUR = T0 + timedelta(minutes=30)


def test_given_a_doubtful_maintenance_order_then_held_until_the_share_of_its_window() -> None:
    decision = decide(POLICY, utility=Utility.WATER, order_type=OrderType.MAINTENANCE,
                      emergency=False, created_at=T0, dispatch_due=HALF_HOUR, doubtful=True)
    share = POLICY.doubtful.hold_share
    assert decision.rule == "doubtful-unreviewed" and decision.unreviewed_doubt
    assert decision.review and not decision.ring_duty_line
    assert decision.auto_at == T0 + timedelta(minutes=30) * share
    assert decision.auto_at < HALF_HOUR  # never late in silence
    assert "L 3.2.4(1)" in decision.clauses


def test_given_the_same_order_without_doubt_then_the_ordinary_lead_applies() -> None:
    decision = decide(POLICY, utility=Utility.WATER, order_type=OrderType.MAINTENANCE,
                      emergency=False, created_at=T0, dispatch_due=HALF_HOUR)
    assert decision.rule == "review-then-auto" and not decision.unreviewed_doubt


def test_given_a_doubtful_emergency_then_never_held() -> None:
    decision = decide(POLICY, utility=Utility.GAS, order_type=OrderType.EMERGENCY_REPAIR,
                      emergency=True, created_at=T0, dispatch_due=T0, doubtful=True)
    assert decision.rule == "emergency-at-once" and decision.auto_at == T0
    assert not decision.unreviewed_doubt and decision.ring_duty_line


def test_given_a_doubtful_consultation_then_it_stays_with_the_agents() -> None:
    decision = decide(POLICY, utility=Utility.WATER, order_type=OrderType.CONSULTATION,
                      emergency=False, created_at=T0, dispatch_due=T0 + timedelta(hours=8),
                      doubtful=True)
    assert decision.auto_at is None and not decision.unreviewed_doubt


def test_given_a_share_from_the_policy_then_the_hold_follows_it() -> None:
    raw = dict(yaml.safe_load(DEFAULT_DISPATCH_POLICY_PATH.read_text(encoding="utf-8")))
    raw["doubtful"]["hold_share"] = 0.5
    decision = decide(parse_dispatch_policy(raw), utility=Utility.HEATING,
                      order_type=OrderType.COMPLAINT, emergency=False, created_at=T0,
                      dispatch_due=HALF_HOUR, doubtful=True)
    assert decision.auto_at == T0 + timedelta(minutes=15)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("hold_share", 1, "doubtful.hold_share"),
    ("hold_share", 0, "doubtful.hold_share"),
    ("clauses", [], "doubtful.clauses"),
    ("id", "review-then-auto", "unique"),
])
def test_given_a_bad_hold_then_loading_names_the_fault(field: str, value: Any,
                                                       message: str) -> None:
    raw = dict(yaml.safe_load(DEFAULT_DISPATCH_POLICY_PATH.read_text(encoding="utf-8")))
    raw["doubtful"][field] = value
    with pytest.raises(DispatchPolicyError, match=message):
        parse_dispatch_policy(raw)


def test_doubts_come_from_the_speech_reasons_only_when_flagged() -> None:
    speech = {"reasons": ["keys say water, words say gas"]}
    assert speech_doubts(keys_words_disagree=True, speech=speech) == [
        "keys say water, words say gas"]
    assert speech_doubts(keys_words_disagree=False, speech=speech) == []
    assert speech_doubts(keys_words_disagree=True, speech=None) == [UNSPECIFIED]


def test_the_unit_sees_whether_a_person_reviewed_the_doubt() -> None:
    speech = {"reasons": ["words utility unsure: gas 0.41"]}
    sent_by_system = unit_doubt(keys_words_disagree=True, speech=speech,
                                auto_dispatch_rule="doubtful-unreviewed")
    sent_by_agent = unit_doubt(keys_words_disagree=True, speech=speech, auto_dispatch_rule=None)
    assert sent_by_system == {"reasons": ["words utility unsure: gas 0.41"], "reviewed": False}
    assert sent_by_agent is not None and sent_by_agent["reviewed"] is True
    assert unit_doubt(keys_words_disagree=False, speech=speech, auto_dispatch_rule=None) is None
