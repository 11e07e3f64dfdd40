"""The flow engine's steps while a caller waits for an agent or talks with one (pure).

Waiting: the caller hears how many callers are before them and, when the queue can tell,
about how many minutes they may wait, again every so often, and may press a key to hang up
and be called back with their place kept. Connected: the adapter has bridged the caller and
an agent; whoever hangs up first ends the call.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ivr import commands as cmd
from ivr import events as ev
from ivr.model import QueueNode
from ivr.numbers import count_prompts
from routing.enums import CallOutcome

if TYPE_CHECKING:
    from ivr.flow import CallState, Step

QUEUED = "queued"
CONNECTED = "connected"
CALLBACK_CONFIRMING = "callback_confirming"
ENDED = "ended"
MAX_ANNOUNCED = 99  # beyond this a place in line is not worth reading out


class QueueSteps:
    """Mixed into FlowEngine; relies on its `_play` and `_queue_node`."""

    def _play(self, state: CallState, prompts: tuple[str, ...]) -> Step:
        raise NotImplementedError

    def _queue_node(self, state: CallState) -> QueueNode:
        raise NotImplementedError

    def queue_event(self, state: CallState, event: ev.CallEvent) -> Step | None:
        """The step for an event while queued or connected; None: not a queue matter."""
        if state.phase == CONNECTED:
            return self._connected(state, event)
        if state.phase == CALLBACK_CONFIRMING:
            return self._confirming(state, event)
        if state.phase != QUEUED:
            return None
        match event:
            case ev.QueuePosition(ahead, wait_minutes) if state.playing is None:
                return self._announce(state, ahead, wait_minutes)
            case ev.PlaybackDone(playback_id) if playback_id == state.playing:
                node = self._queue_node(state)
                state = replace(state, playing=None)
                return state, [cmd.StartTimer(state.token, node.announce_every_seconds)]
            case ev.TimerExpired(token) if token == state.token:
                return state, [cmd.QueryPosition()]
            case ev.DigitPressed(digit) if digit == self._queue_node(state).callback_key:
                return self._callback(state)
            case ev.AgentConnected(agent_id):
                stop: list[cmd.Command] = []
                if state.playing:
                    stop.append(cmd.StopPlayback(state.playing))
                path = (*state.path, f"agent:{agent_id}")
                return replace(state, phase=CONNECTED, playing=None, path=path), stop
            case ev.CallerHungUp():
                state = replace(state, phase=ENDED, path=(*state.path, "hangup"))
                return state, [cmd.LeaveQueue(), cmd.EndSession(CallOutcome.ABANDONED)]
        return state, []

    def _announce(self, state: CallState, ahead: int, wait_minutes: int | None) -> Step:
        node = self._queue_node(state)
        digits = count_prompts(min(ahead, MAX_ANNOUNCED), node.digit_prefix)
        wait: tuple[str, ...] = ()
        if node.expected_wait is not None and wait_minutes is not None:
            wait = node.expected_wait.prompts_for(wait_minutes, node.digit_prefix)
        prompts = (node.position_before, *digits, node.position_after, *wait, node.callback_offer)
        state = replace(state, token=state.token + 1)
        state, commands = self._play(state, prompts)
        return replace(state, phase=QUEUED), commands

    def _callback(self, state: CallState) -> Step:
        node = self._queue_node(state)
        stop: list[cmd.Command] = [cmd.StopPlayback(state.playing)] if state.playing else []
        state = replace(state, token=state.token + 1, playing=None, path=(*state.path, "callback"))
        state, commands = self._play(state, (node.callback_confirmed,))
        return replace(state, phase=CALLBACK_CONFIRMING), [*stop, cmd.RequestCallback(), *commands]

    def _confirming(self, state: CallState, event: ev.CallEvent) -> Step:
        match event:
            case ev.PlaybackDone(playback_id) if playback_id == state.playing:
                state = replace(state, phase=ENDED, playing=None)
                return state, [cmd.Hangup(), cmd.EndSession(CallOutcome.CALLBACK)]
            case ev.CallerHungUp():
                state = replace(state, phase=ENDED)
                return state, [cmd.EndSession(CallOutcome.CALLBACK)]
        return state, []

    def _connected(self, state: CallState, event: ev.CallEvent) -> Step:
        match event:
            case ev.CallerHungUp():
                state = replace(state, phase=ENDED, path=(*state.path, "hangup"))
                return state, [cmd.EndSession(CallOutcome.ANSWERED)]
            case ev.AgentLeft():
                state = replace(state, phase=ENDED, path=(*state.path, "agent_hangup"))
                return state, [cmd.Hangup(), cmd.EndSession(CallOutcome.ANSWERED)]
        return state, []
