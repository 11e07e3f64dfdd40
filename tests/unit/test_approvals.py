"""Extensions (L 3.1.5(5)) and the pending approval chain (L 3.1.5(4)), through the lifecycle.

Orders are water maintenance orders accepted at T0 (1 Sep 2026, 09:00 Asia/Shanghai), due
24 h later, dispatched to and received by the water company in the first two minutes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routing.enums import OrderType, Utility
from routing.orders.approvals import CHAIN, MAX_EXTENSIONS, STEP_ROLE, ChainStep, Verdict
from routing.orders.calendar import SHANGHAI
from routing.orders.lifecycle import (
    AuditRecord,
    Command,
    Event,
    Order,
    OrderError,
    Role,
    State,
    apply,
)
from routing.reports.kpi import month_window, on_time_closure, record_of

T0 = datetime(2026, 9, 1, 9, 0, tzinfo=SHANGHAI)
DUE = T0 + timedelta(hours=24)
WATER_CO = "water-co"
UNIT = {"actor": "w-ops-1", "role": Role.AGENCY, "actor_agency": WATER_CO}
BUSINESS = {"actor": "biz-1", "role": Role.BUSINESS_SECTION}
_STEP_ACTOR = {step: {"actor": f"{step}-1", "role": STEP_ROLE[step]} for step in ChainStep}


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


def step(order: Order, event: Event, at: datetime, **fields: Any) -> tuple[Order, AuditRecord]:
    outcome = apply(order=order, command=Command(event=event, at=at, **fields))
    return outcome.order, outcome.audit


def refusal(order: Order, event: Event, at: datetime, **fields: Any) -> str:
    with pytest.raises(OrderError) as caught:
        apply(order=order, command=Command(event=event, at=at, **fields))
    return caught.value.error_id


def received() -> Order:
    order = Order("W-1", OrderType.MAINTENANCE, Utility.WATER, T0, resolve_due=DUE)
    order, _ = step(
        order, Event.DISPATCH, hours(0.01), actor="agent-7", role=Role.CENTER_STAFF, agency=WATER_CO
    )
    order, _ = step(order, Event.RECEIVE, hours(0.02), **UNIT)
    return order


def ask(order: Order, at: datetime, new_due: datetime) -> Order:
    return step(order, Event.REQUEST_EXTENSION, at, **UNIT, reason="parts", new_due=new_due)[0]


def decide(order: Order, at: datetime, *, approve: bool) -> Order:
    event = Event.APPROVE_EXTENSION if approve else Event.REJECT_EXTENSION
    return step(order, event, at, **BUSINESS, reason="checked")[0]


# ------------------------------------------------------------------ extensions


def test_given_extension_approved_when_decided_then_resolve_deadline_moves() -> None:
    order = decide(ask(received(), hours(20), hours(48)), hours(21), approve=True)
    assert order.resolve_due == hours(48)
    (extension,) = order.extensions
    assert (extension.previous_due, extension.verdict, extension.decided_by) == (
        DUE,
        Verdict.APPROVED,
        "biz-1",
    )


def test_given_extension_rejected_when_decided_then_deadline_stays() -> None:
    order = decide(ask(received(), hours(20), hours(48)), hours(21), approve=False)
    assert order.resolve_due == DUE and order.extensions[0].verdict is Verdict.REJECTED


def test_given_approved_extension_when_completed_after_old_due_then_counts_on_time() -> None:
    order = decide(ask(received(), hours(20), hours(48)), hours(21), approve=True)
    order, _ = step(order, Event.REPORT_HANDLED, hours(40), **UNIT, reason="done")
    order, _ = step(order, Event.START_CALLBACK, hours(41), actor="a", role=Role.CENTER_STAFF)
    order, _ = step(order, Event.CLOSE, hours(42), actor="a", role=Role.CENTER_STAFF)
    window = month_window(year=2026, month=9, statistics_day=5)
    rate = on_time_closure(records=[record_of(order)], window=window)
    assert order.completed_at == hours(40) > DUE
    assert (rate.numerator, rate.denominator, str(rate.percent)) == (1, 1, "100.00")


@pytest.mark.parametrize("first_two", [(True, True), (False, False), (True, False)])
def test_given_two_requests_when_third_asked_then_limit_reached(
    first_two: tuple[bool, bool],
) -> None:
    order = received()
    for n, approve in enumerate(first_two):
        order = decide(
            ask(order, hours(2 * n + 1), hours(100 + n)), hours(2 * n + 2), approve=approve
        )
    assert len(order.extensions) == MAX_EXTENSIONS == 2
    assert (
        refusal(order, Event.REQUEST_EXTENSION, hours(5), **UNIT, reason="x", new_due=hours(200))
        == "extension-limit-reached"
    )


@pytest.mark.parametrize(
    ("fields", "at", "error_id"),
    [
        ({"actor": "agent-7", "role": Role.CENTER_STAFF}, hours(1), "role-not-allowed"),
        ({**UNIT, "actor_agency": "gas-co"}, hours(1), "agency-not-assigned"),
        (UNIT, hours(25), "extension-too-late"),  # the 24 h limit has passed
        ({**UNIT, "new_due": hours(23)}, hours(1), "invalid-command"),  # not later
        ({**UNIT, "reason": None}, hours(1), "invalid-command"),
    ],
)
def test_given_bad_extension_request_when_asked_then_refused(
    fields: dict[str, Any], at: datetime, error_id: str
) -> None:
    request = {"reason": "parts", "new_due": hours(48), **fields}
    assert refusal(received(), Event.REQUEST_EXTENSION, at, **request) == error_id


def test_given_open_request_when_unit_asks_again_then_already_open() -> None:
    order = ask(received(), hours(1), hours(48))
    assert (
        refusal(order, Event.REQUEST_EXTENSION, hours(2), **UNIT, reason="x", new_due=hours(60))
        == "extension-already-open"
    )


def test_given_order_without_resolve_limit_when_extension_asked_then_not_applicable() -> None:
    order = replace(received(), resolve_due=None)
    assert (
        refusal(order, Event.REQUEST_EXTENSION, hours(1), **UNIT, reason="x", new_due=hours(48))
        == "extension-not-applicable"
    )


@pytest.mark.parametrize("role", [Role.AGENCY, Role.CENTER_STAFF, Role.LEADER])
def test_given_open_request_when_not_business_section_decides_then_role_not_allowed(
    role: Role,
) -> None:
    order = ask(received(), hours(1), hours(48))
    assert (
        refusal(
            order, Event.APPROVE_EXTENSION, hours(2), actor="x", role=role, actor_agency=WATER_CO
        )
        == "role-not-allowed"
    )


def test_given_no_open_request_when_business_section_approves_then_no_open_extension() -> None:
    assert refusal(received(), Event.APPROVE_EXTENSION, hours(1), **BUSINESS) == (
        "no-open-extension"
    )


def test_given_rejection_without_reason_when_decided_then_invalid_command() -> None:
    order = ask(received(), hours(1), hours(48))
    assert refusal(order, Event.REJECT_EXTENSION, hours(2), **BUSINESS) == "invalid-command"


@settings(max_examples=150, deadline=None)
@given(
    verdicts=st.lists(st.booleans(), min_size=2, max_size=2),
    gaps=st.lists(st.integers(1, 300), min_size=5, max_size=5),
    role=st.sampled_from(Role),
    new_due_hours=st.integers(-100, 1000),
)
def test_given_any_two_requests_when_a_third_is_asked_then_always_refused(
    verdicts: list[bool], gaps: list[int], role: Role, new_due_hours: int
) -> None:
    order, at = received(), hours(0.1)
    for approve in verdicts:
        at += timedelta(minutes=gaps.pop())
        order = ask(order, at, (order.resolve_due or DUE) + timedelta(hours=5))
        at += timedelta(minutes=gaps.pop())
        order = decide(order, at, approve=approve)
    at += timedelta(minutes=gaps.pop())
    with pytest.raises(OrderError) as caught:
        apply(
            order=order,
            command=Command(
                Event.REQUEST_EXTENSION,
                "u",
                role,
                at,
                actor_agency=WATER_CO,
                reason="again",
                new_due=hours(new_due_hours),
            ),
        )
    expected = "extension-limit-reached" if role is Role.AGENCY else "role-not-allowed"
    assert caught.value.error_id == expected
    assert len(order.extensions) == 2


# ------------------------------------------------------------------ the pending chain


def pending() -> Order:
    return step(
        received(),
        Event.REQUEST_PENDING,
        hours(1),
        **UNIT,
        reason="road closed until the bridge works end",
        document="scan-0042",
    )[0]


def walk(order: Order, steps: tuple[ChainStep, ...]) -> tuple[Order, list[AuditRecord]]:
    trail = []
    for n, chain_step in enumerate(steps, start=2):
        order, audit = step(
            order, Event.APPROVE_PENDING_STEP, hours(n), **_STEP_ACTOR[chain_step], step=chain_step
        )
        trail.append(audit)
    return order, trail


def test_given_pending_request_when_chain_walked_in_order_then_approved() -> None:
    order, trail = walk(pending(), CHAIN)
    assert order.state is State.PENDING and order.pending_approved
    assert order.pending is not None and order.pending.verdict is Verdict.APPROVED
    assert [d.step for d in order.pending.decisions] == list(CHAIN)
    assert [d.role for d in order.pending.decisions] == [
        Role.BUSINESS_SECTION,
        Role.DUTY_SUPERVISOR,
        Role.SUPERVISION_SECTION,
        Role.LEADER,
        Role.SUPERVISION_SECTION,
    ]
    assert [a.detail["verdict"] for a in trail] == ["open"] * 4 + ["approved"]


def test_given_pending_request_when_unit_has_no_stamped_document_then_refused() -> None:
    assert (
        refusal(received(), Event.REQUEST_PENDING, hours(1), **UNIT, reason="x")
        == "invalid-command"
    )


@pytest.mark.parametrize("done", range(len(CHAIN) - 1))
def test_given_chain_when_a_step_is_skipped_then_out_of_order(done: int) -> None:
    order, _ = walk(pending(), CHAIN[:done])
    skipped = CHAIN[done + 1]
    assert (
        refusal(order, Event.APPROVE_PENDING_STEP, hours(9), **_STEP_ACTOR[skipped], step=skipped)
        == "approval-out-of-order"
    )


def test_given_chain_when_step_decided_by_the_wrong_role_then_role_not_allowed() -> None:
    assert (
        refusal(
            pending(),
            Event.APPROVE_PENDING_STEP,
            hours(2),
            actor="boss",
            role=Role.LEADER,
            step=ChainStep.BUSINESS_CHIEF,
        )
        == "role-not-allowed"
    )


@pytest.mark.parametrize("done", range(len(CHAIN)))
def test_given_chain_when_rejected_at_any_step_then_order_back_where_it_was(done: int) -> None:
    order, _ = walk(pending(), CHAIN[:done])
    rejecting = CHAIN[done]
    order, audit = step(
        order,
        Event.REJECT_PENDING_STEP,
        hours(9),
        **_STEP_ACTOR[rejecting],
        step=rejecting,
        reason="the unit can fix it this week",
    )
    assert order.state is State.RECEIVED and not order.pending_approved
    assert (audit.from_state, audit.to_state) == (State.PENDING, State.RECEIVED)
    assert order.pending is not None and order.pending.verdict is Verdict.REJECTED
    assert len(order.pending.decisions) == done + 1
    assert order.pending.decisions[-1].comment == "the unit can fix it this week"


def test_given_chain_when_rejected_without_reason_then_invalid_command() -> None:
    assert (
        refusal(
            pending(),
            Event.REJECT_PENDING_STEP,
            hours(2),
            **_STEP_ACTOR[ChainStep.BUSINESS_CHIEF],
            step=ChainStep.BUSINESS_CHIEF,
        )
        == "invalid-command"
    )


def test_given_approved_chain_when_another_approval_comes_then_out_of_order() -> None:
    order, _ = walk(pending(), CHAIN)
    last = CHAIN[-1]
    assert (
        refusal(order, Event.APPROVE_PENDING_STEP, hours(9), **_STEP_ACTOR[last], step=last)
        == "approval-out-of-order"
    )


def test_given_approved_pending_order_when_unit_reports_handled_then_stays_a_pending_order() -> (
    None
):
    order, _ = walk(pending(), CHAIN)
    order, _ = step(order, Event.REPORT_HANDLED, hours(30), **UNIT, reason="bridge done")
    assert order.state is State.HANDLED and order.pending_approved
    assert record_of(order).pending  # left out of the monthly closure rate (L 3.1.5(4)a)


def test_given_open_chain_when_unit_reports_handled_then_request_withdrawn() -> None:
    order, _ = walk(pending(), CHAIN[:2])
    order, _ = step(order, Event.REPORT_HANDLED, hours(5), **UNIT, reason="fixed after all")
    assert order.pending is not None and order.pending.verdict is Verdict.WITHDRAWN
    assert order.state is State.HANDLED and not order.pending_approved


def test_given_order_not_pending_when_a_step_is_approved_then_transition_not_allowed() -> None:
    chain_step = ChainStep.BUSINESS_CHIEF
    assert (
        refusal(
            received(),
            Event.APPROVE_PENDING_STEP,
            hours(2),
            **_STEP_ACTOR[chain_step],
            step=chain_step,
        )
        == "transition-not-allowed"
    )
