"""A waiting caller's expected wait: the formula, the rolling handle time, which agents count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ari_app.client import AriClient
from ari_app.queue import QueueService
from events.hub import LiveHub
from hotline12319.settings import Settings
from ivr import events as ev
from routing.agents.acd import Acd, Agent, AgentState, WaitingCall
from routing.agents.agent_repository import AgentStore
from routing.agents.queue_estimate import (
    DEFAULT_HANDLE_SECONDS,
    DEFAULT_HANDLE_WINDOW,
    HandleTimes,
    expected_wait_minutes,
    expected_wait_seconds,
    spoken_wait,
)
from routing.enums import Utility

T0 = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def gas_agent(agent_id: str, state: AgentState = AgentState.AVAILABLE) -> Agent:
    return Agent(agent_id, f"PJSIP/{agent_id}", {"gas": 1}, state, at(0), None)


def waiting(*call_ids: str, utility: Utility | None = Utility.GAS) -> Acd:
    acd = Acd()
    for index, call_id in enumerate(call_ids):
        acd = acd.enqueue(WaitingCall(call_id, utility, False, at(index + 1)))
    return acd


# -- the formula ------------------------------------------------------------------------------


@pytest.mark.parametrize("ahead,agents,aht,seconds", [
    (0, 1, 180, 180),     # next in line, one agent: one handle time
    (3, 2, 180, 360),     # four calls shared by two agents
    (4, 0, 120, 600),     # nobody working (all paused): counted as one agent
    (9, 5, 300, 600),
])
def test_given_ahead_agents_and_aht_then_the_standard_formula(
    ahead: int, agents: int, aht: float, seconds: float
) -> None:
    assert expected_wait_seconds(ahead, agents, aht) == seconds


@pytest.mark.parametrize("ahead,agents,aht,minutes", [
    (0, 1, 180, 3),       # exactly 3 minutes stays 3
    (0, 1, 181, 4),       # a second over rounds up
    (0, 4, 60, 1),        # 15 s is still "about 1 minute", never 0
    (2, 2, 100, 3),       # 150 s -> 3
])
def test_given_an_estimate_then_whole_minutes_rounded_up(
    ahead: int, agents: int, aht: float, minutes: int
) -> None:
    assert expected_wait_minutes(ahead, agents, aht) == minutes


def test_given_no_agent_logged_in_then_no_estimate() -> None:
    assert expected_wait_minutes(3, None, 180) is None


@pytest.mark.parametrize("minutes,cap,spoken", [
    (5, 30, (5, False)),
    (30, 30, (30, False)),
    (31, 30, (30, True)),
    (400, 9, (9, True)),
])
def test_given_a_cap_then_longer_waits_are_more_than_the_cap(
    minutes: int, cap: int, spoken: tuple[int, bool]
) -> None:
    assert spoken_wait(minutes, cap) == spoken


@given(st.integers(0, 500), st.integers(1, 50), st.floats(1, 3600))
def test_more_callers_ahead_never_shortens_the_wait(ahead: int, agents: int, aht: float) -> None:
    shorter = expected_wait_minutes(ahead, agents, aht)
    longer = expected_wait_minutes(ahead + 1, agents, aht)
    assert shorter is not None and longer is not None and shorter <= longer


# -- the rolling average handle time ----------------------------------------------------------


def test_given_no_handled_call_then_the_default_average() -> None:
    assert HandleTimes(window=3).mean(default=240) == 240


def test_given_more_calls_than_the_window_then_only_the_last_ones_count() -> None:
    times = HandleTimes(window=3)
    for seconds in (1000, 100, 200, 300):
        times = times.add(seconds)
    assert times.seconds == (100, 200, 300)
    assert times.mean(default=240) == 200


def test_given_an_empty_window_then_refused() -> None:
    with pytest.raises(ValueError):
        HandleTimes(window=0)


# -- the ACD: which agents count, and the handle times it sees --------------------------------


def test_given_agents_in_each_state_then_available_and_busy_count_not_paused_or_out() -> None:
    acd = waiting()
    for index, state in enumerate(AgentState):
        acd = acd.set_agent(gas_agent(f"a{index}", state))
    acd = acd.set_agent(Agent("water", "PJSIP/water", {"water": 1}, AgentState.AVAILABLE))
    # available, ringing, on call, after-call work; not logged out, paused or the water agent
    assert acd.serving_agents(Utility.GAS) == 4


def test_given_only_paused_skilled_agents_then_an_estimate_as_for_one_agent() -> None:
    acd = waiting("c1", "c2").set_agent(gas_agent("a1", AgentState.PAUSED))
    assert acd.serving_agents(Utility.GAS) == 0
    assert acd.expected_wait("c2", default_handle_seconds=120) == 4  # 2 x 120 s / 1


def test_given_no_skilled_agent_logged_in_then_no_estimate() -> None:
    acd = waiting("c1").set_agent(gas_agent("a1", AgentState.LOGGED_OUT))
    acd = acd.set_agent(Agent("water", "PJSIP/water", {"water": 1}, AgentState.AVAILABLE))
    assert acd.serving_agents(Utility.GAS) is None
    assert acd.expected_wait("c1", default_handle_seconds=120) is None


def test_given_callers_and_agents_then_the_wait_grows_with_the_place_in_line() -> None:
    acd = waiting("c1", "c2", "c3", "c4")
    acd = acd.set_agent(gas_agent("a1", AgentState.ON_CALL))
    acd = acd.set_agent(gas_agent("a2", AgentState.AFTER_CALL_WORK))
    waits = [acd.expected_wait(c, default_handle_seconds=180) for c in ("c1", "c2", "c3", "c4")]
    assert waits == [2, 3, 5, 6]  # (n) x 180 s / 2 agents, rounded up
    assert acd.expected_wait("unknown", default_handle_seconds=180) is None


def test_given_a_caller_without_a_utility_then_general_agents_count() -> None:
    acd = waiting("c1", utility=None)
    acd = acd.set_agent(Agent("g", "PJSIP/g", {"general": 1}, AgentState.AVAILABLE, at(0)))
    assert acd.serving_agents(None) == 1
    assert acd.expected_wait("c1", default_handle_seconds=180) == 3


def handled(acd: Acd, call_id: str, answered: float, ended: float, free: float) -> Acd:
    """Ring a1 for the call, answer, hang up, end after-call work."""
    acd, offers = acd.dispatch(at(answered - 1))
    assert [o.call_id for o in offers] == [call_id]
    acd = acd.answered(call_id, at(answered)).call_ended("a1", at(ended))
    return acd.change_state("a1", AgentState.AVAILABLE, at(free))


def test_given_handled_calls_then_their_handle_times_replace_the_default() -> None:
    acd = waiting("c1", "c2", "c3").set_agent(gas_agent("a1"))
    assert acd.expected_wait("c3", default_handle_seconds=100) == 5  # default: 3 x 100 s
    acd = handled(acd, "c1", answered=10, ended=100, free=130)   # 120 s with after-call work
    assert acd.handle_times.seconds == (120,)
    acd = handled(acd, "c2", answered=200, ended=400, free=440)  # 240 s
    assert acd.handle_times.mean(default=60) == 180
    assert acd.expected_wait("c3", default_handle_seconds=100) == 3  # next: 1 x 180 s
    assert acd.handling == {}


def test_given_after_call_work_ended_by_a_pause_then_the_call_still_counts() -> None:
    acd = waiting("c1").set_agent(gas_agent("a1"))
    acd, _ = acd.dispatch(at(1))
    acd = acd.answered("c1", at(10)).call_ended("a1", at(50))
    acd = acd.change_state("a1", AgentState.PAUSED, at(70), reason="break")
    assert acd.handle_times.seconds == (60,)
    # A state change outside a call adds nothing.
    acd = acd.change_state("a1", AgentState.AVAILABLE, at(80))
    assert acd.handle_times.seconds == (60,)


# -- the adapter's answer to QueryPosition ----------------------------------------------------


def test_given_a_queue_service_then_the_position_answer_carries_the_wait() -> None:
    queue = QueueService(
        cast(AriClient, None), "app", cast(AgentStore, None), ring_seconds=15,
        wrap_up_seconds=0, callback_endpoint="PJSIP/{number}", hub=LiveHub(),
        default_handle_seconds=150, handle_window=5,
    )
    assert queue.acd.handle_times.window == 5
    queue.acd = queue.acd.set_agent(gas_agent("a1", AgentState.ON_CALL))
    for index, call_id in enumerate(("c1", "c2")):
        queue.acd = queue.acd.enqueue(WaitingCall(call_id, Utility.GAS, False, at(index)))
    assert queue.position("c2") == ev.QueuePosition(1, 5)  # 2 x 150 s
    queue.acd = queue.acd.set_agent(gas_agent("a1", AgentState.LOGGED_OUT))
    assert queue.position("c2") == ev.QueuePosition(1, None)


def test_the_settings_defaults_are_the_estimates_defaults() -> None:
    fields = Settings.model_fields
    assert fields["queue_default_handle_seconds"].default == DEFAULT_HANDLE_SECONDS
    assert fields["queue_handle_window"].default == DEFAULT_HANDLE_WINDOW
