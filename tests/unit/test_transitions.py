"""The declared state machine: the table is checked at import, and random walks lose nothing.

A broken table (unreachable or trap states, exits from the final state, duplicate or missing
transitions, misspelt names) must fail in `build_table`, i.e. at import. Random sequences of
commands, mostly plausible and sometimes not, must leave the order in exactly one declared
state with one audit record per accepted command.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routing.enums import OrderType, Utility
from routing.orders.approvals import ChainStep
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
from routing.orders.transitions import (
    FINAL,
    TABLE,
    TRANSITIONS,
    InvalidDefinition,
    Transition,
    build_table,
)

T0 = datetime(2026, 9, 1, 9, 0, tzinfo=SHANGHAI)
WATER_CO = "water-co"


def minutes(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


def new_order(order_type: OrderType) -> Order:
    return Order("W-1", order_type, Utility.WATER, T0, resolve_due=T0 + timedelta(hours=24))


# ------------------------------------------------------------------ the declared table


def test_given_declared_table_when_imported_then_every_state_and_event_is_covered() -> None:
    assert {source for source, _ in TABLE} == set(State) - FINAL
    assert {event for _, event in TABLE} == set(Event)


_TYPO: Any = "creatd"  # what a misspelt state in a hand-built row would be


def _without(event: Event) -> list[Transition]:
    return [row for row in TRANSITIONS if row.event is not event]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        # Without the way in, PENDING cannot be reached.
        (
            [
                *_without(Event.REQUEST_PENDING),
                Transition(
                    Event.REQUEST_PENDING,
                    frozenset({State.CLOSED}),
                    State.PENDING,
                    frozenset({Role.AGENCY}),
                    "L 3.1.5(4)b",
                ),
            ],
            "final states with.*: closed",
        ),
        # HANDLED could only be left by a callback, which now starts from NOT_HANDLED only.
        (
            [
                *_without(Event.START_CALLBACK),
                replace(
                    TABLE[(State.HANDLED, Event.START_CALLBACK)],
                    sources=frozenset({State.NOT_HANDLED}),
                ),
            ],
            "trap states.*: handled",
        ),
        ([*TRANSITIONS, TRANSITIONS[1]], "two transitions"),
        (_without(Event.RECLASSIFY), "events with no transition: reclassify"),
        ([*TRANSITIONS, replace(TRANSITIONS[0], sources=frozenset({_TYPO}))], "not a declared"),
    ],
)
def test_given_broken_table_when_built_then_invalid_definition(
    rows: list[Transition], message: str
) -> None:
    with pytest.raises(InvalidDefinition, match=message):
        build_table(rows)


def test_given_table_missing_the_way_into_a_state_when_built_then_unreachable() -> None:
    rows = [row for row in TRANSITIONS if row.event is not Event.REQUEST_PENDING]
    rows.append(replace(TRANSITIONS[6], sources=frozenset({State.PENDING})))
    with pytest.raises(InvalidDefinition, match=r"unreachable states: pending$"):
        build_table(rows)


# ------------------------------------------------------------------ property: no lost order

_AGENCIES = (WATER_CO, "gas-co", None)


def _mostly(draw: st.DrawFn, likely: Any, anything: st.SearchStrategy[Any]) -> Any:
    """The plausible value four times in five, anything else otherwise: walks go deep."""
    return likely if draw(st.integers(0, 4)) else draw(anything)


@st.composite
def _command(draw: st.DrawFn, order: Order, n: int) -> Command:
    allowed = sorted(event for source, event in TABLE if source is order.state)
    event = _mostly(draw, draw(st.sampled_from(allowed)), st.sampled_from(Event))
    row = TABLE.get((order.state, event))
    role = _mostly(
        draw,
        draw(st.sampled_from(sorted(row.roles))) if row else Role.AGENCY,
        st.sampled_from(Role),
    )
    next_step = order.pending.next_step() if order.pending else None
    due = order.resolve_due or T0
    return Command(
        event=event,
        actor=f"u{n}",
        role=role,
        at=minutes(n),
        actor_agency=_mostly(draw, order.agency, st.sampled_from(_AGENCIES)),
        agency=draw(st.sampled_from(_AGENCIES)),
        reason=_mostly(draw, "because", st.none()),
        new_due=due + timedelta(minutes=draw(st.integers(-60, 3000))),
        step=_mostly(draw, next_step, st.sampled_from(ChainStep)),
        document=_mostly(draw, "scan-1", st.none()),
        order_type=draw(st.sampled_from(OrderType)),
    )


@settings(max_examples=200, deadline=None)
@given(kind=st.sampled_from(OrderType), data=st.data())
def test_given_random_events_when_applied_then_order_is_never_lost(
    kind: OrderType, data: st.DataObject
) -> None:
    order, trail, accepted = new_order(kind), list[AuditRecord](), 0
    for n in range(1, 60):
        if order.state is State.CLOSED:
            break
        command = data.draw(_command(order, n))
        try:
            outcome = apply(order=order, command=command)
        except OrderError as error:
            assert error.error_id and error.status in (403, 409, 422)
            continue
        assert outcome.audit.from_state is order.state
        order, accepted = outcome.order, accepted + 1
        trail.append(outcome.audit)
        assert isinstance(order.state, State) and outcome.audit.to_state is order.state
        assert len(order.extensions) <= 2
        assert sum(e.verdict == "open" for e in order.extensions) <= 1
        assert not order.supervision or order.failed_handlings >= 2 or order.returns >= 2
    assert len(trail) == accepted
    assert all(a.to_state is b.from_state for a, b in pairwise(trail))
