"""Consultation self-service in the flow engine (issue 17), event by event, no I/O."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr import commands as cmd
from ivr import events as ev
from ivr.flow import CallState, FlowEngine
from ivr.loader import load_flow, load_prompt_ids
from routing.enums import CallOutcome, OrderType, Utility

ROOT = Path(__file__).resolve().parents[2]
Step = tuple[CallState, list[cmd.Command]]


@pytest.fixture(scope="module")
def engine() -> FlowEngine:
    prompts = load_prompt_ids(ROOT / "ivr" / "prompts.yaml")
    return FlowEngine(load_flow(ROOT / "ivr" / "flows" / "hotline.yaml", prompts))


def _asked(engine: FlowEngine) -> Step:
    """A heating caller pressed 2, 4, heard the question prompt and has spoken."""
    state, _ = engine.start("c1")
    for key in "24":
        state, commands = engine.handle(state, ev.DigitPressed(key))
    assert commands[-1] == cmd.Play(state.playing or "", ("consult_question", "beep"))
    state, commands = engine.handle(state, ev.PlaybackDone(state.playing or ""))
    record = commands[0]
    assert isinstance(record, cmd.Record)
    return engine.handle(state, ev.RecordingDone(record.name, 3.0))


def test_the_spoken_question_is_looked_up_while_the_caller_hears_one_moment(
        engine: FlowEngine) -> None:
    state, commands = _asked(engine)
    assert commands[0] == cmd.FindAnswer(state.recording or "", Utility.HEATING)
    assert commands[1] == cmd.Play(state.playing or "", ("kb_searching",))
    assert state.phase == "searching"


def test_a_found_answer_is_read_out_noted_and_no_order_is_made(engine: FlowEngine) -> None:
    state, _ = _asked(engine)
    searching = state.playing
    state, commands = engine.handle(state, ev.AnswerFound(7, 2, "heating-season"))
    assert commands[0] == cmd.StopPlayback(searching or "")
    assert commands[1] == cmd.NoteSelfService(7, 2, state.recording)
    assert commands[2] == cmd.Play(state.playing or "",
                                   ("kb_answer_intro", "kb_heating-season", "kb_after"))
    assert not any(isinstance(c, cmd.CreateOrder) for c in commands)
    assert state.path[-1] == "consult:answered:heating-season"
    state, commands = engine.handle(state, ev.PlaybackDone(state.playing or ""))
    assert commands == [cmd.StartTimer(state.token, 8)]
    state, commands = engine.handle(state, ev.TimerExpired(state.token))
    assert commands == [cmd.Hangup(), cmd.EndSession(CallOutcome.COMPLETED)]


def test_after_the_answer_0_reaches_an_agent_and_9_leaves_a_message(
        engine: FlowEngine) -> None:
    answered, _ = engine.handle(_asked(engine)[0], ev.AnswerFound(7, 1, "heating-season"))
    state, commands = engine.handle(answered, ev.DigitPressed("0"))
    assert isinstance(commands[0], cmd.StopPlayback) and state.node == "agent"
    state, commands = engine.handle(answered, ev.DigitPressed("9"))
    assert state.node == "describe"
    assert engine.handle(answered, ev.DigitPressed("5")) == (answered, [])


def test_no_confident_answer_makes_the_question_a_consultation_order(
        engine: FlowEngine) -> None:
    asked, _ = _asked(engine)
    state, commands = engine.handle(asked, ev.AnswerNotFound("low-score"))
    order = commands[-1]
    assert isinstance(order, cmd.CreateOrder)
    assert (order.order_type, order.recording_name) == (OrderType.CONSULTATION, asked.recording)
    assert "consult:unanswered:low-score" in state.path


def test_a_caller_who_hangs_up_before_the_answer_is_answered_later(
        engine: FlowEngine) -> None:
    asked, _ = _asked(engine)
    state, commands = engine.handle(asked, ev.CallerHungUp())
    assert isinstance(commands[0], cmd.CreateOrder)
    assert commands[-1] == cmd.EndSession(CallOutcome.COMPLETED)
    _late, nothing = engine.handle(state, ev.AnswerFound(7, 1, "heating-season"))
    assert nothing == []  # the call is over: no answer is played to nobody


def test_a_restart_while_searching_asks_again_for_the_same_recording(
        engine: FlowEngine) -> None:
    asked, _ = _asked(engine)
    restored = CallState.restore(asked.snapshot())
    _state, commands = engine.handle(restored, ev.CallReclaimed())
    assert commands == [cmd.FindAnswer(asked.recording or "", Utility.HEATING)]
