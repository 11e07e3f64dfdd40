"""Gas leak advice whenever a leak is reported (issue 16, G 3.1.4.4): a leak heard in the
recorded words plays the advice before the call ends, unless the keys led through it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr import commands as cmd
from ivr import events as ev
from ivr.flow import CallState, FlowEngine
from ivr.loader import FlowError, check_flow, load_flow, load_prompt_ids

ROOT = Path(__file__).resolve().parents[2]
PROMPTS = load_prompt_ids(ROOT / "ivr" / "prompts.yaml")
LEAK = ev.HazardsHeard(("gas_leak",))


@pytest.fixture(scope="module")
def engine() -> FlowEngine:
    return FlowEngine(load_flow(ROOT / "ivr" / "flows" / "hotline.yaml", PROMPTS))


def _to_readback(engine: FlowEngine, keys: str) -> CallState:
    """Keys, every prompt heard, the description recorded, the order created."""
    state, _ = engine.start("c1")
    for key in keys:
        state, _ = engine.handle(state, ev.DigitPressed(key))
    while state.recording is None:
        assert state.playing is not None
        state, _ = engine.handle(state, ev.PlaybackDone(state.playing))
    state, _ = engine.handle(state, ev.RecordingDone(state.recording, 5.0))
    state, _ = engine.handle(state, ev.OrderCreated("2612050001"))
    assert state.node == "readback"
    return state


def _finish(engine: FlowEngine, state: CallState) -> tuple[CallState, list[cmd.Command]]:
    assert state.playing is not None
    return engine.handle(state, ev.PlaybackDone(state.playing))


def test_given_gas_maintenance_keys_when_the_words_name_a_leak_then_advice_before_goodbye(
    engine: FlowEngine
) -> None:
    state = _to_readback(engine, "32")
    state, commands = engine.handle(state, LEAK)  # heard while the number is read back
    assert commands == [] and state.node == "readback"  # the readback is not cut short
    state, commands = _finish(engine, state)
    assert [c.prompts for c in commands if isinstance(c, cmd.Play)] == [("gas_safety",)]
    state, commands = _finish(engine, state)
    assert cmd.Hangup() in commands and state.path[-2:] == ("gas_safety_heard", "goodbye")


def test_given_gas_emergency_keys_when_the_words_name_a_leak_then_not_told_twice(
    engine: FlowEngine
) -> None:
    state = _to_readback(engine, "31")
    state, _ = engine.handle(state, LEAK)
    state, commands = _finish(engine, state)
    assert cmd.Hangup() in commands and "gas_safety_heard" not in state.path


def test_given_no_leak_words_or_words_after_the_call_then_nothing_is_played(
    engine: FlowEngine
) -> None:
    state = _to_readback(engine, "12")
    state, _ = engine.handle(state, ev.HazardsHeard(("water_main_burst",)))  # no advice
    state, commands = _finish(engine, state)
    assert cmd.Hangup() in commands
    ended, nothing = engine.handle(state, LEAK)  # the caller has gone
    assert nothing == [] and ended == state


def test_given_advice_that_is_not_a_play_node_then_the_flow_is_refused(
    engine: FlowEngine
) -> None:
    broken = engine.flow.model_copy(update={"hazard_advice": {"gas_leak": "goodbye"}})
    with pytest.raises(FlowError, match="no play node"):
        check_flow(broken, PROMPTS)
