"""The IVR flow engine, event by event, with no I/O."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr import commands as cmd
from ivr import events as ev
from ivr.flow import CallState, FlowEngine, UnreadableState
from ivr.loader import FlowError, check_flow, load_flow, load_prompt_ids
from ivr.model import QueueNode
from routing.enums import CallOutcome, OrderType, Utility

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def engine() -> FlowEngine:
    prompts = load_prompt_ids(ROOT / "ivr" / "prompts.yaml")
    return FlowEngine(load_flow(ROOT / "ivr" / "flows" / "hotline.yaml", prompts))


def finish_prompt(engine: FlowEngine, state: CallState) -> tuple[CallState, list[cmd.Command]]:
    assert state.playing is not None
    return engine.handle(state, ev.PlaybackDone(state.playing))


def press(engine: FlowEngine, state: CallState, keys: str) -> tuple[CallState, list[cmd.Command]]:
    commands: list[cmd.Command] = []
    for key in keys:
        state, commands = engine.handle(state, ev.DigitPressed(key))
    return state, commands


def test_given_new_call_when_started_then_answers_and_greets_with_menu(engine: FlowEngine) -> None:
    _state, commands = engine.start("c1")
    assert commands[0] == cmd.Answer()
    assert isinstance(commands[1], cmd.Play)
    assert commands[1].prompts == ("welcome", "main_menu")


def test_given_gas_emergency_keys_then_safety_advice_before_recording(engine: FlowEngine) -> None:
    state, _ = engine.start("c1")
    state, commands = press(engine, state, "31")
    plays = [c for c in commands if isinstance(c, cmd.Play)]
    assert plays[0].prompts == ("gas_safety",)
    # The safety advice cannot be skipped with a key.
    same, nothing = engine.handle(state, ev.DigitPressed("1"))
    assert nothing == [] and same == state
    state, commands = finish_prompt(engine, state)
    assert commands[0] == cmd.Play(state.playing or "", ("describe_problem", "beep"))
    state, commands = finish_prompt(engine, state)
    assert isinstance(commands[0], cmd.Record)
    state, commands = engine.handle(state, ev.RecordingDone(commands[0].name, 4.0))
    order = commands[0]
    assert isinstance(order, cmd.CreateOrder)
    assert (order.utility, order.order_type) == (Utility.GAS, OrderType.EMERGENCY_REPAIR)
    assert order.recording_name is not None
    assert order.path[:3] == ("main_menu:3", "type_menu:1", "gas_safety")


def test_given_order_created_then_number_read_back_digit_by_digit(engine: FlowEngine) -> None:
    state = _at_order(engine, "12")
    state, commands = engine.handle(state, ev.OrderCreated("2611270042"))
    play = commands[0]
    assert isinstance(play, cmd.Play)
    assert play.prompts[0] == "order_accepted"
    assert play.prompts[1:11] == tuple(f"digit_{d}" for d in "2611270042")
    state, commands = finish_prompt(engine, state)
    assert commands == [cmd.Hangup(), cmd.EndSession(CallOutcome.COMPLETED)]


@pytest.mark.parametrize("keys,utility", [(str(i), u) for i, u in enumerate(Utility, start=1)])
@pytest.mark.parametrize(
    "type_key,order_type",
    [
        ("1", OrderType.EMERGENCY_REPAIR),
        ("2", OrderType.MAINTENANCE),
        ("3", OrderType.COMPLAINT),
        ("4", OrderType.CONSULTATION),
    ],
)
def test_every_utility_and_type_reachable_by_keys(
    engine: FlowEngine, keys: str, utility: Utility, type_key: str, order_type: OrderType
) -> None:
    state = _at_order(engine, keys + type_key)
    assert (state.vars.utility, state.vars.order_type) == (utility, order_type)


def test_given_invalid_key_then_apology_and_menu_again(engine: FlowEngine) -> None:
    state, _ = engine.start("c1")
    state, commands = press(engine, state, "*")
    assert isinstance(commands[0], cmd.StopPlayback)
    assert isinstance(commands[1], cmd.Play)
    assert commands[1].prompts == ("invalid_key", "main_menu")
    assert state.attempt == 2 and state.path[-1] == "main_menu!*"


def test_given_three_bad_tries_then_caller_goes_to_an_agent(engine: FlowEngine) -> None:
    state, _ = engine.start("c1")
    state, _ = press(engine, state, "*")
    state, _ = finish_prompt(engine, state)
    state, _ = engine.handle(state, ev.TimerExpired(state.token))
    state, commands = press(engine, state, "#")
    assert state.node == "agent"
    assert [c.prompts for c in commands if isinstance(c, cmd.Play)] == [("agent_transfer",)]
    state, commands = finish_prompt(engine, state)
    assert commands == [cmd.EnterQueue(None)]
    state, commands = engine.handle(state, ev.QueueUnavailable())
    assert state.node == "agent_message"


def test_given_stale_timer_then_ignored(engine: FlowEngine) -> None:
    state, _ = engine.start("c1")
    state, _ = finish_prompt(engine, state)
    old_token = state.token
    state, _ = press(engine, state, "2")
    same, commands = engine.handle(state, ev.TimerExpired(old_token))
    assert commands == [] and same == state


def test_given_hangup_mid_menu_then_abandoned_without_order(engine: FlowEngine) -> None:
    state, _ = engine.start("c1")
    state, _ = press(engine, state, "2")
    state, commands = engine.handle(state, ev.CallerHungUp())
    assert commands == [cmd.EndSession(CallOutcome.ABANDONED)]
    assert state.path == ("main_menu:2", "type_menu", "hangup")
    assert engine.handle(state, ev.DigitPressed("1")) == (state, [])


def test_given_hangup_while_recording_then_order_kept(engine: FlowEngine) -> None:
    state = _recording(engine, "72")
    state, commands = engine.handle(state, ev.CallerHungUp())
    assert isinstance(commands[0], cmd.CreateOrder)
    assert commands[0].recording_name == state.recording
    assert commands[-1] == cmd.EndSession(CallOutcome.COMPLETED)


@pytest.mark.parametrize("stored", [
    {"path": ["welcome"], "n": 0},  # not a flow state at all
    {"call_id": "c1", "node": "main_menu", "path": [], "vars": {"utility": "moon"}},
    {"call_id": "c1", "node": "main_menu", "path": 7, "vars": {}},
])
def test_given_a_stored_state_that_is_not_one_then_restore_says_so(stored: dict[str, object]
                                                                   ) -> None:
    with pytest.raises(UnreadableState):
        CallState.restore(stored)


def test_given_restart_mid_menu_then_reclaimed_call_hears_menu_again(engine: FlowEngine) -> None:
    state, _ = engine.start("c1")
    state, _ = press(engine, state, "5")
    restored = CallState.restore(state.snapshot())
    assert restored == state
    state, commands = engine.handle(restored, ev.CallReclaimed())
    assert isinstance(commands[0], cmd.Play) and commands[0].prompts == ("type_menu",)
    state, commands = press(engine, state, "3")
    assert state.vars.order_type == OrderType.COMPLAINT


def test_given_restart_while_recording_then_recording_stopped_and_order_made(
    engine: FlowEngine,
) -> None:
    state = _recording(engine, "12")
    state, commands = engine.handle(CallState.restore(state.snapshot()), ev.CallReclaimed())
    assert commands == [cmd.StopRecording(state.recording or "")]
    state, commands = engine.handle(state, ev.RecordingDone(state.recording or ""))
    assert isinstance(commands[0], cmd.CreateOrder)


def _recording(engine: FlowEngine, keys: str) -> CallState:
    state, _ = engine.start("c1")
    state, _ = press(engine, state, keys)
    while state.phase != "recording":
        state, _ = finish_prompt(engine, state)
    return state


def _at_order(engine: FlowEngine, keys: str) -> CallState:
    state = _recording(engine, keys)
    state, commands = engine.handle(state, ev.RecordingDone(state.recording or "", 3.0))
    if isinstance(commands[0], cmd.FindAnswer):  # a consultation looks for an answer first
        state, commands = engine.handle(state, ev.AnswerNotFound("no-answer"))
        commands = [c for c in commands if not isinstance(c, cmd.StopPlayback)]
    assert isinstance(commands[0], cmd.CreateOrder)
    return state


def _queued(engine: FlowEngine) -> CallState:
    state, _ = engine.start("c1")
    state, _ = press(engine, state, "0")
    state, commands = finish_prompt(engine, state)
    assert commands == [cmd.EnterQueue(None)]
    return state


def test_given_queued_then_place_in_line_announced_and_repeated(engine: FlowEngine) -> None:
    state = _queued(engine)
    state, commands = engine.handle(state, ev.QueuePosition(12))
    play = commands[0]
    assert isinstance(play, cmd.Play)
    assert play.prompts == (
        "queue_position",
        "count_ten",  # 十二: a count, not the digits of a number
        "digit_2",
        "queue_position_after",
        "queue_callback_offer",
    )
    state, commands = finish_prompt(engine, state)
    assert commands == [cmd.StartTimer(state.token, 20)]
    state, commands = engine.handle(state, ev.TimerExpired(state.token))
    assert commands == [cmd.QueryPosition()]


def test_given_an_expected_wait_then_it_follows_the_place_before_the_offer(
    engine: FlowEngine,
) -> None:
    state = _queued(engine)
    state, commands = engine.handle(state, ev.QueuePosition(3, 7))
    assert isinstance(commands[0], cmd.Play)
    assert commands[0].prompts == (
        "queue_position", "digit_3", "queue_position_after",
        "expected_wait_before", "digit_7", "expected_wait_minutes_after",
        "queue_callback_offer",
    )
    # Repeated with the queue's newer figures.
    state, _ = finish_prompt(engine, state)
    state, commands = engine.handle(state, ev.TimerExpired(state.token))
    assert commands == [cmd.QueryPosition()]
    _, commands = engine.handle(state, ev.QueuePosition(0, 2))
    assert isinstance(commands[0], cmd.Play)
    assert commands[0].prompts[3:6] == ("expected_wait_before", "count_two",  # 两分钟
                                        "expected_wait_minutes_after")


def test_given_a_wait_beyond_the_cap_then_more_than_the_cap_is_said(engine: FlowEngine) -> None:
    state = _queued(engine)
    _, commands = engine.handle(state, ev.QueuePosition(40, 45))
    assert isinstance(commands[0], cmd.Play)
    assert commands[0].prompts[-5:] == (
        "expected_wait_over", "digit_3", "count_ten", "expected_wait_minutes_after",  # 三十
        "queue_callback_offer",
    )


def test_given_no_estimate_then_only_the_place_and_the_offer(engine: FlowEngine) -> None:
    state = _queued(engine)
    _, commands = engine.handle(state, ev.QueuePosition(5, None))
    assert isinstance(commands[0], cmd.Play)
    assert commands[0].prompts == (
        "queue_position", "digit_5", "queue_position_after", "queue_callback_offer",
    )


def test_given_a_flow_without_wait_prompts_then_an_estimate_is_not_spoken(
    engine: FlowEngine,
) -> None:
    node = engine.flow.nodes["agent"]
    assert isinstance(node, QueueNode)
    nodes = {**engine.flow.nodes, "agent": node.model_copy(update={"expected_wait": None})}
    plain = FlowEngine(engine.flow.model_copy(update={"nodes": nodes}))
    _, commands = plain.handle(_queued(plain), ev.QueuePosition(2, 4))
    assert isinstance(commands[0], cmd.Play)
    assert "expected_wait_before" not in commands[0].prompts
    assert commands[0].prompts[-1] == "queue_callback_offer"


@pytest.mark.parametrize("missing", ["expected_wait_over", "expected_wait_minutes_after"])
def test_given_a_wait_prompt_missing_then_the_flow_is_refused(
    engine: FlowEngine, missing: str
) -> None:
    prompts = load_prompt_ids(ROOT / "ivr" / "prompts.yaml")
    with pytest.raises(FlowError, match=missing):
        check_flow(engine.flow, prompts - {missing})


def test_given_queued_when_callback_key_then_place_kept_and_call_ends(engine: FlowEngine) -> None:
    state = _queued(engine)
    state, _ = engine.handle(state, ev.QueuePosition(3))
    state, commands = engine.handle(state, ev.DigitPressed("1"))
    assert isinstance(commands[0], cmd.StopPlayback)
    assert commands[1] == cmd.RequestCallback()
    assert isinstance(commands[2], cmd.Play) and commands[2].prompts == ("callback_confirmed",)
    state, commands = finish_prompt(engine, state)
    assert commands == [cmd.Hangup(), cmd.EndSession(CallOutcome.CALLBACK)]


def test_given_agent_connected_then_whoever_hangs_up_ends_it(engine: FlowEngine) -> None:
    state = _queued(engine)
    state, _ = engine.handle(state, ev.QueuePosition(0))
    state, commands = engine.handle(state, ev.AgentConnected("a7"))
    assert isinstance(commands[0], cmd.StopPlayback)
    assert state.path[-1] == "agent:a7"
    assert engine.handle(state, ev.DigitPressed("1")) == (state, [])
    _, commands = engine.handle(state, ev.AgentLeft())
    assert commands == [cmd.Hangup(), cmd.EndSession(CallOutcome.ANSWERED)]
    _, commands = engine.handle(state, ev.CallerHungUp())
    assert commands == [cmd.EndSession(CallOutcome.ANSWERED)]


def test_given_caller_leaves_the_queue_then_abandoned(engine: FlowEngine) -> None:
    state = _queued(engine)
    _, commands = engine.handle(state, ev.CallerHungUp())
    assert commands == [cmd.LeaveQueue(), cmd.EndSession(CallOutcome.ABANDONED)]
