"""Who gets which caller: priority, arrival, skills, longest idle, no-answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routing.agents.acd import Acd, AcdError, Agent, AgentState, WaitingCall
from routing.enums import Utility

T0 = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def agent(agent_id: str, idle_since: float, **skills: int) -> Agent:
    return Agent(agent_id, f"PJSIP/{agent_id}", skills or {"gas": 1, "water": 1, "general": 1},
                 AgentState.AVAILABLE, at(idle_since))


def call(call_id: str, arrived: float, utility: Utility | None = Utility.GAS,
         emergency: bool = False) -> WaitingCall:
    return WaitingCall(call_id, utility, emergency, at(arrived))


def test_given_emergency_arrives_later_then_it_is_served_first() -> None:
    acd = Acd().set_agent(agent("a1", 0))
    acd = acd.enqueue(call("c1", 1)).enqueue(call("c2", 2)).enqueue(call("c3", 3, emergency=True))
    acd, offers = acd.dispatch(at(4))
    assert [o.call_id for o in offers] == ["c3"]
    assert acd.position("c1") == 1 and acd.position("c2") == 2


def test_given_two_idle_agents_then_longest_idle_takes_the_call() -> None:
    acd = Acd().set_agent(agent("recent", 50)).set_agent(agent("idle_long", 10))
    acd, offers = acd.enqueue(call("c1", 60)).dispatch(at(61))
    assert offers[0].agent_id == "idle_long"
    assert acd.agents["idle_long"].state == AgentState.RINGING


def test_given_skills_then_only_qualified_agents_and_higher_level_first() -> None:
    acd = (Acd().set_agent(agent("water_only", 0, water=1))
           .set_agent(agent("gas_junior", 0, gas=1))
           .set_agent(agent("gas_senior", 30, gas=3)))
    acd, offers = acd.enqueue(call("c1", 40)).dispatch(at(41))
    assert offers[0].agent_id == "gas_senior"
    acd, offers = acd.enqueue(call("c2", 42, Utility.HEATING)).dispatch(at(43))
    assert offers == []  # nobody has heating: the caller waits, not misrouted


def test_given_agent_does_not_answer_then_paused_and_next_agent_rung() -> None:
    acd = Acd().set_agent(agent("a1", 0)).set_agent(agent("a2", 5))
    acd, offers = acd.enqueue(call("c1", 10)).dispatch(at(11))
    assert offers[0].agent_id == "a1"
    acd = acd.not_answered("c1", at(26))
    assert acd.agents["a1"].state == AgentState.PAUSED
    assert acd.agents["a1"].pause_reason == "no_answer"
    acd, offers = acd.dispatch(at(26))
    assert [o.agent_id for o in offers] == ["a2"]


def test_given_answer_and_hangup_then_after_call_work() -> None:
    acd = Acd().set_agent(agent("a1", 0))
    acd, _ = acd.enqueue(call("c1", 1)).dispatch(at(2))
    acd = acd.answered("c1", at(5))
    assert acd.agents["a1"].state == AgentState.ON_CALL and acd.waiting == ()
    acd = acd.call_ended("a1", at(100))
    assert acd.agents["a1"].state == AgentState.AFTER_CALL_WORK


def test_given_caller_hangs_up_while_ringing_then_agent_free_again() -> None:
    acd = Acd().set_agent(agent("a1", 0))
    acd, _ = acd.enqueue(call("c1", 1)).dispatch(at(2))
    acd = acd.leave("c1")
    assert acd.agents["a1"].state == AgentState.AVAILABLE and acd.waiting == ()


def test_callback_keeps_the_place_in_line() -> None:
    acd = Acd().enqueue(call("c1", 1)).enqueue(call("c2", 2)).to_callback("c1")
    assert acd.position("c1") == 1 and acd.waiting[0].callback
    acd, offers = acd.set_agent(agent("a1", 0)).dispatch(at(3))
    assert offers[0].call_id == "c1" and offers[0].callback


def test_state_rules_are_typed_errors() -> None:
    acd = Acd().set_agent(agent("a1", 0))
    with pytest.raises(AcdError) as err:
        acd.change_state("a1", AgentState.PAUSED, at(1))
    assert err.value.error_id == "pause-reason-required"
    acd, _ = acd.enqueue(call("c1", 1)).dispatch(at(2))
    with pytest.raises(AcdError) as err:
        acd.change_state("a1", AgentState.LOGGED_OUT, at(3))
    assert err.value.error_id == "agent-busy"
    with pytest.raises(AcdError):
        acd.change_state("nobody", AgentState.AVAILABLE, at(3))


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 10_000)), min_size=1, max_size=30))
def test_service_order_is_emergency_then_arrival(calls: list[tuple[bool, int]]) -> None:
    acd = Acd()
    for index, (emergency, arrived) in enumerate(calls):
        acd = acd.enqueue(call(f"c{index}", arrived, emergency=emergency))
    keys = [(not w.emergency, w.entered_at) for w in acd.waiting]
    assert keys == sorted(keys)
    assert len(acd.waiting) == len(calls)
