"""The order desk's pure rules: deadlines shown as late / soon, the actions offered to a role
(straight from the transition table), and how a correction is carried out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from console.desk_rules import (
    DESK_EVENTS,
    CorrectionRefused,
    Urgency,
    allowed_events,
    correction_route,
    urgency,
)
from routing.enums import OrderType
from routing.orders.transitions import Event, Role, State

NOW = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)


def test_given_deadlines_then_late_soon_ok_or_none() -> None:
    assert urgency(None, NOW) is Urgency.NONE
    assert urgency(NOW - timedelta(seconds=1), NOW) is Urgency.LATE
    assert urgency(NOW + timedelta(minutes=30), NOW) is Urgency.SOON
    assert urgency(NOW + timedelta(days=1), NOW) is Urgency.OK


def test_given_a_new_order_then_the_center_may_dispatch_and_the_agency_is_offered_nothing() -> None:
    staff = allowed_events(state=State.CREATED, role=Role.CENTER_STAFF,
                           order_type=OrderType.MAINTENANCE, offered=DESK_EVENTS)
    assert staff == [Event.DISPATCH, Event.CLASSIFY]
    leader = allowed_events(state=State.CREATED, role=Role.LEADER,
                            order_type=OrderType.MAINTENANCE, offered=DESK_EVENTS)
    assert leader == []  # the table does not let the leader dispatch: no button


def test_given_a_handled_order_then_the_agent_may_call_back_and_the_business_section_not(
) -> None:
    assert allowed_events(state=State.HANDLED, role=Role.CENTER_STAFF,
                          order_type=OrderType.MAINTENANCE, offered=DESK_EVENTS) == [
        Event.START_CALLBACK, Event.CLASSIFY]
    assert Event.START_CALLBACK not in allowed_events(
        state=State.HANDLED, role=Role.BUSINESS_SECTION, order_type=OrderType.MAINTENANCE,
        offered=DESK_EVENTS)


def test_given_a_correction_before_dispatch_then_an_edit_by_correctors_only() -> None:
    assert correction_route(state=State.CREATED, role=Role.CENTER_STAFF,
                            changed={"district", "address"}) == "edit"
    with pytest.raises(CorrectionRefused) as refused:
        correction_route(state=State.CREATED, role=Role.LEADER, changed={"address"})
    assert refused.value.status == 403


def test_given_a_dispatched_order_then_only_the_type_by_reclassify() -> None:
    assert correction_route(state=State.RECEIVED, role=Role.BUSINESS_SECTION,
                            changed={"order_type"}) == "reclassify"
    with pytest.raises(CorrectionRefused) as refused:
        correction_route(state=State.DISPATCHED, role=Role.CENTER_STAFF, changed={"address"})
    assert refused.value.error_id == "order-already-dispatched"
    with pytest.raises(CorrectionRefused):
        correction_route(state=State.CREATED, role=Role.CENTER_STAFF, changed=set())
