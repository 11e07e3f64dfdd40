"""The dispatch policy as data: which orders go out by themselves, and the receipt chase."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml

from routing.dispatch.dispatch_policy import (
    DEFAULT_DISPATCH_POLICY_PATH,
    Contact,
    DispatchPolicyError,
    chase_step,
    decide,
    load_dispatch_policy,
    parse_dispatch_policy,
)
from routing.enums import OrderType, Utility
from routing.orders.order_intake import NewOrder, Source, is_emergency, new_row

T0 = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Jinan
POLICY = load_dispatch_policy()


def _raw() -> dict[str, Any]:
    return dict(yaml.safe_load(DEFAULT_DISPATCH_POLICY_PATH.read_text(encoding="utf-8")))


def test_given_an_emergency_then_it_is_dispatched_at_commit_and_the_duty_line_rung() -> None:
    decision = decide(POLICY, utility=Utility.GAS, order_type=OrderType.EMERGENCY_REPAIR,
                      emergency=True, created_at=T0, dispatch_due=T0)
    assert (decision.rule, decision.auto_at, decision.ring_duty_line) == (
        "emergency-at-once", T0, True)
    assert "L 3.2.4(2)" in decision.clauses and not decision.review


def test_given_maintenance_then_it_waits_for_review_until_five_minutes_before_its_limit() -> None:
    due = T0 + timedelta(minutes=30)
    decision = decide(POLICY, utility=Utility.WATER, order_type=OrderType.MAINTENANCE,
                      emergency=False, created_at=T0, dispatch_due=due)
    assert decision.review and decision.rule == "review-then-auto"
    assert decision.auto_at == due - timedelta(minutes=5)
    assert not decision.ring_duty_line


def test_given_words_flag_maintenance_an_emergency_then_the_emergency_rule_fires() -> None:
    decision = decide(POLICY, utility=Utility.GAS, order_type=OrderType.MAINTENANCE,
                      emergency=True, created_at=T0, dispatch_due=T0 + timedelta(minutes=30))
    assert decision.rule == "emergency-at-once" and decision.auto_at == T0


@pytest.mark.parametrize("order_type", [OrderType.CONSULTATION, OrderType.HELP])
def test_given_a_question_then_only_a_person_dispatches_it(order_type: OrderType) -> None:
    decision = decide(POLICY, utility=Utility.WATER, order_type=order_type, emergency=False,
                      created_at=T0, dispatch_due=T0 + timedelta(hours=8))
    assert decision.review and decision.auto_at is None


def test_given_no_utility_then_the_system_never_dispatches_it() -> None:
    decision = decide(POLICY, utility=None, order_type=OrderType.EMERGENCY_REPAIR,
                      emergency=True, created_at=T0, dispatch_due=None)
    assert decision.auto_at is None


def test_given_a_lead_longer_than_the_limit_then_it_is_dispatched_at_creation() -> None:
    raw = _raw()
    raw["rules"][-1]["auto_before_due_minutes"] = 90
    decision = decide(parse_dispatch_policy(raw), utility=Utility.WATER,
                      order_type=OrderType.COMPLAINT, emergency=False, created_at=T0,
                      dispatch_due=T0 + timedelta(minutes=30))
    assert decision.auto_at == T0


@pytest.mark.parametrize(("path", "value", "message"), [
    (("rules", 2, "match"), {"emergency": False}, "last rule must match every order"),
    (("rules", 0, "auto_before_due_minutes"), 5, "review only"),
    (("rules", 0, "match"), {"utilities": ["petrol"]}, "rules.0.match.utilities"),
    (("receipt_chase", "steps", 1, "after_minutes"), 0, "increasing"),
    (("receipt_chase", "steps", 0, "contact"), "mayor", "receipt_chase.steps.0.contact"),
    (("rules", 1, "id"), "emergency-at-once", "unique"),
])
def test_given_a_bad_policy_then_loading_names_the_fault(
    path: tuple[Any, ...], value: Any, message: str
) -> None:
    raw = _raw()
    node: Any = raw
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(DispatchPolicyError, match=message.replace("(", r"\(")):
        parse_dispatch_policy(raw)


def test_chase_rings_the_owed_step_only_and_repeats_the_last() -> None:
    chase = POLICY.receipt_chase
    assert chase_step(chase, start=T0, now=T0 - timedelta(seconds=1)) is None
    first = chase_step(chase, start=T0, now=T0)
    assert first is not None and (first.step, first.contact) == (0, Contact.DUTY)
    backup = chase_step(chase, start=T0, now=T0 + timedelta(minutes=12))
    assert backup is not None and (backup.contact, backup.due_at) == (
        Contact.BACKUP, T0 + timedelta(minutes=10))
    late = chase_step(chase, start=T0, now=T0 + timedelta(minutes=50))
    assert late is not None and late.contact is Contact.SUPERVISOR
    assert (late.step, late.due_at) == (4, T0 + timedelta(minutes=45))


@pytest.mark.parametrize("source", list(Source))
def test_given_any_source_then_an_emergency_repair_order_is_an_emergency(source: Source) -> None:
    row = new_row(NewOrder(source=source, utility=Utility.GAS,
                           order_type=OrderType.EMERGENCY_REPAIR, caller_number=None),
                  number="2612070001", now=T0)
    assert row.emergency is True and row.dispatch_due == T0


def test_words_raise_but_never_invent_an_emergency() -> None:
    assert is_emergency(OrderType.MAINTENANCE, True)
    assert not is_emergency(OrderType.MAINTENANCE, False)
