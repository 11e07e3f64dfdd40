"""The flow engine's steps in consultation self-service (pure; L 3.2.3(1) answered on the spot).

The caller says the question after a tone; while the adapter understands it and looks for an
answer the caller may hear a short "one moment". A confident answer is read out, then the
caller may press a key for an agent or to leave a message, or hang up; the IVR notes which
answer it gave. No confident answer: the recorded question becomes a consultation order that
an agent answers later, without asking the caller to repeat it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ivr import commands as cmd
from ivr import events as ev
from ivr.model import Flow, KnowledgeNode, OrderNode
from routing.enums import CallOutcome

if TYPE_CHECKING:
    from ivr.flow import CallState, Step

SEARCHING = "searching"  # FindAnswer sent, no answer back yet
ANSWERING = "answering"  # the answer is being read out
CHOOSING = "choosing"  # after the answer: agent, message, or done on timeout
_PROMPTING, _RECORDING, _ENDED = "prompting", "recording", "ended"  # ivr.flow's phases


class KnowledgeSteps:
    """Mixed into FlowEngine; relies on its `_play`, `_enter` and `_create_order`."""

    flow: Flow

    def _play(self, state: CallState, prompts: tuple[str, ...]) -> Step:
        raise NotImplementedError

    def _enter(self, state: CallState, name: str) -> Step:
        raise NotImplementedError

    def _create_order(self, state: CallState, node: OrderNode) -> Step:
        raise NotImplementedError

    def knowledge_event(self, state: CallState, event: ev.CallEvent) -> Step | None:
        """The step for an event at a knowledge node; None: the generic handling applies."""
        node = self.flow.nodes.get(state.node)
        if not isinstance(node, KnowledgeNode) or state.phase == _ENDED:
            return None
        match event:
            case ev.PlaybackDone(playback_id) if playback_id == state.playing:
                return self.knowledge_prompted(replace(state, playing=None), node)
            case ev.RecordingDone(name) if name == state.recording and state.phase == _RECORDING:
                return self._kb_search(state, node, name)
            case ev.RecordingFailed(name, cause) if name == state.recording:
                state = replace(state, recording=None, path=(*state.path, f"{state.node}!{cause}"))
                return self._enter(state, node.message)
            case ev.AnswerFound() if state.phase == SEARCHING:
                return self._kb_answer(state, node, event)
            case ev.AnswerNotFound(reason) if state.phase == SEARCHING:
                return self._kb_unanswered(state, node, reason)
            case ev.DigitPressed(digit) if state.phase in (ANSWERING, CHOOSING):
                return self._kb_key(state, node, digit)
            case ev.TimerExpired(token) if token == state.token and state.phase == CHOOSING:
                return self._enter(state, node.done)
            case ev.CallerHungUp():
                return self._kb_caller_left(state, node)
            case ev.CallReclaimed():
                return self._kb_reclaimed(state, node)
        return None

    def knowledge_prompted(self, state: CallState, node: KnowledgeNode) -> Step:
        """A prompt of the node ended (or there was none to play)."""
        if state.phase == _PROMPTING:
            name = f"{state.call_id}-r{state.token}"
            state = replace(state, phase=_RECORDING, recording=name)
            return state, [cmd.Record(name, node.max_seconds, node.max_silence_seconds)]
        if state.phase == ANSWERING:
            state = replace(state, phase=CHOOSING)
            return state, [cmd.StartTimer(state.token, node.timeout_seconds)]
        return state, []  # "one moment" ended; the answer is still being looked for

    def _kb_search(self, state: CallState, node: KnowledgeNode, name: str) -> Step:
        state = replace(state, phase=SEARCHING)
        find = cmd.FindAnswer(name, state.vars.utility)
        if not node.searching:
            return state, [find]
        playback_id = f"{state.call_id}-s{state.token}"
        return replace(state, playing=playback_id), [find, cmd.Play(playback_id, node.searching)]

    def _kb_answer(self, state: CallState, node: KnowledgeNode, found: ev.AnswerFound) -> Step:
        stop = [cmd.StopPlayback(state.playing)] if state.playing else []
        note = cmd.NoteSelfService(found.entry_id, found.entry_version, state.recording)
        state = replace(state, phase=ANSWERING, playing=None,
                        path=(*state.path, f"{state.node}:answered:{found.slug}"))
        prompts = (*node.answer_intro, node.answer_prefix + found.slug, *node.after)
        state, play = self._play(state, prompts)
        state = replace(state, phase=ANSWERING)
        return state, [*stop, note, *play]

    def _kb_unanswered(self, state: CallState, node: KnowledgeNode, reason: str) -> Step:
        stop = [cmd.StopPlayback(state.playing)] if state.playing else []
        state = replace(state, playing=None,
                        path=(*state.path, f"{state.node}:unanswered:{reason}"))
        state, commands = self._enter(state, node.unanswered)
        return state, [*stop, *commands]

    def _kb_key(self, state: CallState, node: KnowledgeNode, digit: str) -> Step:
        target = {node.agent_key: node.agent, node.message_key: node.message}.get(digit)
        if target is None:
            return state, []
        stop = [cmd.StopPlayback(state.playing)] if state.playing else []
        state, commands = self._enter(replace(state, playing=None), target)
        return state, [*stop, *commands]

    def _kb_caller_left(self, state: CallState, node: KnowledgeNode) -> Step | None:
        if state.phase in (ANSWERING, CHOOSING):
            state = replace(state, phase=_ENDED, path=(*state.path, "hangup"))
            return state, [cmd.EndSession(CallOutcome.COMPLETED)]
        order = self.flow.nodes[node.unanswered]
        if state.phase not in (_RECORDING, SEARCHING) or not isinstance(order, OrderNode):
            return None  # nothing asked yet: the generic ending (abandoned)
        # A question asked and not answered is answered later (L 3.2.3(1)).
        state = replace(state, node=node.unanswered, path=(*state.path, "hangup"))
        state, commands = self._create_order(state, order)
        return replace(state, phase=_ENDED), [*commands, cmd.EndSession(CallOutcome.COMPLETED)]

    def _kb_reclaimed(self, state: CallState, node: KnowledgeNode) -> Step | None:
        if state.phase == SEARCHING and state.recording:
            return state, [cmd.FindAnswer(state.recording, state.vars.utility)]
        if state.phase in (ANSWERING, CHOOSING):
            state = replace(state, token=state.token + 1, playing=None)
            state, play = self._play(state, node.after)
            return replace(state, phase=ANSWERING), play
        return None
