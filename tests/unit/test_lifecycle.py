"""The work-order lifecycle: happy path, role rules, first contact, callbacks, supervision and
repeat calls. The declared table itself and random walks are in test_transitions.py.

Times are Asia/Shanghai wall-clock times in September 2026; every order is accepted at T0.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from pydantic import TypeAdapter

from routing.enums import OrderType, Utility
from routing.orders.calendar import SHANGHAI, WorkingDayCalendar
from routing.orders.lifecycle import (
    AuditRecord,
    Command,
    Event,
    Order,
    OrderError,
    Role,
    State,
    apply,
    as_json,
)
from routing.orders.policy import compute_deadlines, load_policy
from routing.orders.supervision import RepeatAction, convert_repeat_call, supervision_queue

T0 = datetime(2026, 9, 1, 9, 0, tzinfo=SHANGHAI)
WATER_CO = "water-co"
AGENT = {"actor": "agent-7", "role": Role.CENTER_STAFF}
UNIT = {"actor": "w-ops-1", "role": Role.AGENCY, "actor_agency": WATER_CO}
BUSINESS = {"actor": "biz-1", "role": Role.BUSINESS_SECTION}


def minutes(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


def new_order(order_type: OrderType = OrderType.MAINTENANCE, **fields: Any) -> Order:
    base = Order("W-1", order_type, Utility.WATER, T0, resolve_due=T0 + timedelta(hours=24))
    return replace(base, **fields)


def run(order: Order, *steps: tuple[Event, dict[str, Any]]) -> tuple[Order, list[AuditRecord]]:
    """Apply each (event, fields) in turn, one minute apart; the order and its audit trail."""
    trail = []
    for n, (event, fields) in enumerate(steps, start=1):
        outcome = apply(order=order, command=Command(event=event, at=minutes(n), **fields))
        order = outcome.order
        trail.append(outcome.audit)
    return order, trail


TO_RECEIVED = (
    (Event.DISPATCH, {**AGENT, "agency": WATER_CO}),
    (Event.RECEIVE, UNIT),
)
TO_CALLBACK = (
    *TO_RECEIVED,
    (Event.REPORT_HANDLED, {**UNIT, "reason": "valve replaced"}),
    (Event.START_CALLBACK, AGENT),
)
REOPEN = (Event.REOPEN, {**AGENT, "reason": "still leaking"})


def refused(order: Order, event: Event, **fields: Any) -> OrderError:
    with pytest.raises(OrderError) as caught:
        apply(order=order, command=Command(event=event, at=minutes(99), **fields))
    return caught.value


# ------------------------------------------------------------------ happy path and audit


def test_given_maintenance_order_when_walked_to_closed_then_each_step_is_audited() -> None:
    order, trail = run(new_order(), *TO_CALLBACK, (Event.CLOSE, AGENT))
    assert order.state is State.CLOSED
    assert [(a.from_state, a.to_state) for a in trail] == [
        (State.CREATED, State.DISPATCHED), (State.DISPATCHED, State.RECEIVED),
        (State.RECEIVED, State.HANDLED), (State.HANDLED, State.CALLBACK),
        (State.CALLBACK, State.CLOSED),
    ]
    assert [(a.actor, a.role, a.at) for a in trail][1] == ("w-ops-1", Role.AGENCY, minutes(2))
    assert order.dispatched_at == minutes(1)
    assert order.completed_at == minutes(3)  # the unit's handling, not the callback
    assert order.closed_at == minutes(5)


def test_given_audit_record_when_serialised_then_it_is_plain_json() -> None:
    _order, trail = run(new_order(), *TO_RECEIVED)
    data = json.loads(json.dumps(as_json(trail[0])))
    assert data["from_state"] == "created" and data["to_state"] == "dispatched"
    assert data["at"] == "2026-09-01T09:01:00+08:00"
    assert data["detail"] == {"agency": WATER_CO} and data["clause"] == "L 3.2.4"


def test_given_order_when_stored_as_json_and_read_back_then_it_is_the_same_order() -> None:
    order, _ = run(new_order(), *TO_CALLBACK, REOPEN)
    stored = json.dumps(as_json(order))
    assert TypeAdapter(Order).validate_python(json.loads(stored)) == order


def test_given_illegal_event_when_applied_then_refused_and_order_unchanged() -> None:
    order = new_order()
    error = refused(order, Event.CLOSE, **AGENT)
    assert error.error_id == "transition-not-allowed" and error.status == 409
    assert order.state is State.CREATED  # frozen: the caller still holds what it had


# ------------------------------------------------------------------ roles


@pytest.mark.parametrize(
    ("event", "fields", "error_id"),
    [
        (Event.RECEIVE, AGENT, "role-not-allowed"),
        (Event.RECEIVE, {**UNIT, "actor_agency": "gas-co"}, "agency-not-assigned"),
        (Event.RECEIVE, {**UNIT, "actor_agency": None}, "agency-not-assigned"),
        (Event.RETURN, {**BUSINESS, "reason": "x"}, "role-not-allowed"),
    ],
)
def test_given_dispatched_order_when_wrong_actor_acts_then_refused(
    event: Event, fields: dict[str, Any], error_id: str
) -> None:
    order, _ = run(new_order(), TO_RECEIVED[0])
    assert refused(order, event, **fields).error_id == error_id


def test_given_new_order_when_agency_dispatches_it_then_role_not_allowed() -> None:
    error = refused(new_order(), Event.DISPATCH, **UNIT, agency=WATER_CO)
    assert (error.error_id, error.status) == ("role-not-allowed", 403)


def test_given_handled_order_when_unit_closes_it_then_role_not_allowed() -> None:
    order, _ = run(new_order(), *TO_CALLBACK)
    assert refused(order, Event.CLOSE, **UNIT).error_id == "role-not-allowed"


# ------------------------------------------------------------------ first contact, outcomes


def test_given_consultation_when_answered_at_first_contact_then_closed_directly() -> None:
    order, trail = run(new_order(OrderType.CONSULTATION),
                       (Event.ANSWER, {**AGENT, "reason": "meter reading is monthly"}))
    assert order.state is State.CLOSED and trail[0].from_state is State.CREATED
    assert order.outcome_reason == "meter reading is monthly"
    assert order.dispatched_at is None  # never dispatched: not counted by the KPIs


@pytest.mark.parametrize("kind", [OrderType.MAINTENANCE, OrderType.COMPLAINT])
def test_given_order_needing_a_unit_when_answered_at_first_contact_then_refused(
    kind: OrderType,
) -> None:
    error = refused(new_order(kind), Event.ANSWER, **AGENT, reason="x")
    assert error.error_id == "order-type-not-allowed"


def test_given_consultation_when_answered_without_answer_then_invalid_command() -> None:
    error = refused(new_order(OrderType.CONSULTATION), Event.ANSWER, **AGENT)
    assert (error.error_id, error.status) == ("invalid-command", 422)


def test_given_received_order_when_not_handled_without_reason_then_refused() -> None:
    order, _ = run(new_order(), *TO_RECEIVED)
    assert refused(order, Event.REPORT_NOT_HANDLED, **UNIT).error_id == "invalid-command"


def test_given_not_handled_order_when_citizen_accepts_reason_then_closed_not_completed() -> None:
    order, _ = run(new_order(), *TO_RECEIVED,
                   (Event.REPORT_NOT_HANDLED, {**UNIT, "reason": "private pipe"}),
                   (Event.START_CALLBACK, AGENT), (Event.CLOSE, AGENT))
    assert order.state is State.CLOSED and order.completed_at is None
    assert order.outcome_reason == "private pipe"


def test_given_complaint_not_units_fault_when_reclassified_then_type_changes() -> None:
    order, trail = run(new_order(OrderType.COMPLAINT), *TO_RECEIVED,
                       (Event.RECLASSIFY, {**BUSINESS, "order_type": OrderType.HELP,
                                           "reason": "the pipe is the owner's"}))
    assert order.order_type is OrderType.HELP and order.state is State.RECEIVED
    assert trail[-1].detail == {"from": "complaint", "to": "help", "case": "general",
                                "complex": "false"}
    assert refused(order, Event.RECLASSIFY, **BUSINESS, order_type=OrderType.MAINTENANCE,
                   reason="x").error_id == "order-type-not-allowed"


# ------------------------------------------------------------------ reopen and supervision


def test_given_citizen_unsatisfied_at_callback_when_reopened_then_back_with_the_unit() -> None:
    order, trail = run(new_order(), *TO_CALLBACK, REOPEN)
    assert order.state is State.DISPATCHED and order.agency == WATER_CO
    assert order.failed_handlings == 1 and order.handled_at is None
    assert not order.supervision and "supervision" not in trail[-1].detail


def test_given_second_failed_handling_when_reopened_then_referred_to_supervision() -> None:
    order, trail = run(new_order(), *TO_CALLBACK, REOPEN, *TO_CALLBACK[1:], REOPEN)
    assert order.failed_handlings == 2 and order.supervision
    assert trail[-1].detail["supervision"].startswith("L 3.1.1")
    assert supervision_queue([new_order(order_id="W-0"), order]) == [order]


RETURN = (Event.RETURN, {**UNIT, "reason": "not our pipe"})


def test_given_order_returned_twice_when_citizen_unsatisfied_then_supervision() -> None:
    order, _ = run(new_order(), TO_RECEIVED[0], RETURN, TO_RECEIVED[0], RETURN, *TO_CALLBACK,
                   REOPEN)
    assert order.returns == 2 and order.failed_handlings == 1 and order.supervision


def test_given_order_returned_twice_when_citizen_satisfied_then_no_supervision() -> None:
    order, _ = run(new_order(), TO_RECEIVED[0], RETURN, TO_RECEIVED[0], RETURN, *TO_CALLBACK,
                   (Event.CLOSE, AGENT))
    assert order.state is State.CLOSED and not order.supervision


def test_given_order_returned_when_returned_then_back_at_center_without_unit() -> None:
    order, trail = run(new_order(), TO_RECEIVED[0], RETURN)
    assert order.state is State.CREATED and order.agency is None and order.returns == 1
    assert trail[-1].reason == "not our pipe"


# ------------------------------------------------------------------ repeat calls (L 3.2.1(1))


def _deadlines(utility: str, order_type: str) -> Any:
    return compute_deadlines(load_policy(), WorkingDayCalendar(), utility=utility,
                             order_type=order_type, created_at=T0)


def test_given_maintenance_past_due_and_unhandled_when_citizen_calls_then_complaint() -> None:
    original, _ = run(new_order(), *TO_RECEIVED)
    later = T0 + timedelta(hours=25)  # water maintenance: 24 h (W 5.1)
    result = convert_repeat_call(original=original, now=later,
                                 deadlines=_deadlines("water", "maintenance"))
    assert result.action is RepeatAction.COMPLAINT and result.complaint is not None
    assert result.complaint.order_type is OrderType.COMPLAINT
    assert (result.complaint.linked_order_id, result.complaint.agency) == ("W-1", WATER_CO)
    assert result.complaint.clause == "L 3.2.1(1)"


@pytest.mark.parametrize(
    ("kind", "hours", "handled", "why"),
    [
        (OrderType.MAINTENANCE, 23, False, "has not passed"),
        (OrderType.MAINTENANCE, 25, True, "reported the order handled"),
        (OrderType.COMPLAINT, 99, False, "noted"),
    ],
)
def test_given_no_missed_commitment_when_citizen_calls_again_then_only_a_note(
    kind: OrderType, hours: int, handled: bool, why: str
) -> None:
    original = new_order(kind, handled_at=minutes(5) if handled else None)
    result = convert_repeat_call(original=original, now=T0 + timedelta(hours=hours),
                                 deadlines=_deadlines("water", "maintenance"))
    assert result.action is RepeatAction.NOTE and result.complaint is None
    assert why in result.reason


def test_given_gas_leak_with_only_onsite_limit_when_crew_late_then_complaint() -> None:
    deadlines = _deadlines("gas", "emergency_repair")  # on site 30 min, no resolve limit
    original = Order("G-1", OrderType.EMERGENCY_REPAIR, Utility.GAS, T0, agency="gas-co")
    late = convert_repeat_call(original=original, now=minutes(31), deadlines=deadlines)
    early = convert_repeat_call(original=original, now=minutes(29), deadlines=deadlines)
    assert (late.action, early.action) == (RepeatAction.COMPLAINT, RepeatAction.NOTE)


def test_given_approved_extension_when_citizen_calls_before_new_due_then_only_a_note() -> None:
    original = new_order(resolve_due=T0 + timedelta(hours=48))  # moved by an approved extension
    result = convert_repeat_call(original=original, now=T0 + timedelta(hours=30),
                                 deadlines=_deadlines("water", "maintenance"))
    assert result.action is RepeatAction.NOTE
