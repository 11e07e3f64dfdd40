"""The IVR flow engine: pure; (state, event) -> (new state, commands).

Every prompt and every timer carries the `token` of the node visit that started it, so a
playback that ends or a timer that fires after the caller moved on is recognised as stale
and ignored: the engine re-checks the situation instead of trusting the timer.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ivr import commands as cmd
from ivr import events as ev
from ivr.knowledge_steps import KnowledgeSteps
from ivr.model import (
    BranchNode,
    CallVars,
    Flow,
    HangupNode,
    KnowledgeNode,
    MenuNode,
    Node,
    OrderNode,
    PlayNode,
    QueueNode,
    ReadbackNode,
    RecordNode,
)
from ivr.queueing import CONNECTED, ENDED, QUEUED, QueueSteps
from routing.enums import CallOutcome, OrderType
from routing.floor.announcements import Notice

Step = tuple["CallState", list[cmd.Command]]

# Phases of a node visit.
# (QUEUED, CONNECTED and ENDED come from ivr.queueing.)
PROMPTING = "prompting"  # our prompt is playing
WAITING = "waiting"  # a menu waits for a key
RECORDING = "recording"
ORDERING = "ordering"  # CreateOrder sent, number not back yet


@dataclass(frozen=True, slots=True)
class CallState:
    call_id: str
    node: str
    phase: str = PROMPTING
    token: int = 0
    attempt: int = 1
    vars: CallVars = field(default_factory=CallVars)
    path: tuple[str, ...] = ()
    playing: str | None = None
    recording: str | None = None
    order_number: str | None = None
    advice: str | None = None  # a hazard's advice node, owed before the call ends

    def snapshot(self) -> dict[str, Any]:
        """A JSON-able copy, stored so a restarted process can take the call back."""
        data = {name: getattr(self, name) for name in self.__slots__}
        data["vars"] = self.vars.model_dump(mode="json")
        data["path"] = list(self.path)
        return data

    @classmethod
    def restore(cls, data: dict[str, Any]) -> CallState:
        """The state `snapshot` stored; UnreadableState if `data` is not one (another
        version's, or damaged)."""
        try:
            values = dict(data)
            values["vars"] = CallVars.model_validate(values["vars"])
            values["path"] = tuple(values["path"])
            return cls(**values)
        except (KeyError, TypeError, ValueError) as exc:  # pydantic's errors are ValueErrors
            raise UnreadableState(f"{type(exc).__name__}: {exc}") from exc


class UnreadableState(ValueError):
    """A stored flow state that cannot be restored."""


class FlowEngine(QueueSteps, KnowledgeSteps):
    def __init__(self, flow: Flow) -> None:
        self.flow = flow

    def start(self, call_id: str, notices: tuple[Notice, ...] = ()) -> Step:
        """Answer and enter the start node; `notices` are the outages announced before its
        menu (the path records each incident the caller heard about)."""
        node = self.flow.nodes[self.flow.start]
        if not (isinstance(node, MenuNode) and node.notices):
            notices = ()
        heard = tuple(f"notice:{n.incident_id}" for n in notices)
        state = CallState(call_id=call_id, node=self.flow.start, path=heard)
        state, commands = self._enter(state, self.flow.start, notices)
        return state, [cmd.Answer(), *commands]

    def handle(self, state: CallState, event: ev.CallEvent) -> Step:
        if state.phase == ENDED:
            return state, []
        consulted = self.knowledge_event(state, event)
        if consulted is not None:
            return consulted
        match event:
            case ev.CallReclaimed():
                return self._reclaim(state)
            case ev.QueueUnavailable() if state.phase == QUEUED:
                return self._enter(state, self._queue_node(state).unavailable)
        queued = self.queue_event(state, event)
        if queued is not None:
            return queued
        match event:
            case ev.CallerHungUp():
                return self._caller_left(state)
            case ev.PlaybackDone(playback_id) if playback_id == state.playing:
                return self._prompt_finished(replace(state, playing=None))
            case ev.DigitPressed(digit):
                return self._digit(state, digit)
            case ev.TimerExpired(token) if token == state.token and state.phase == WAITING:
                return self._retry(state, "timeout", self._menu(state).no_input_prompt)
            case ev.RecordingDone(name) | ev.RecordingFailed(name) if name == state.recording:
                return self._recorded(state, event)
            case ev.OrderCreated(number) if state.phase == ORDERING:
                state = replace(state, order_number=number)
                return self._enter(state, self._node_next(state))
            case ev.HazardsHeard(hazards) if state.phase not in (QUEUED, CONNECTED):
                return self._owe_advice(state, hazards), []
        return state, []

    def _owe_advice(self, state: CallState, hazards: tuple[str, ...]) -> CallState:
        """Advice for a hazard the words named is played before the call ends, unless the
        caller heard those prompts already (the keys led through them)."""
        heard = {p for name in state.path if isinstance(n := self.flow.nodes.get(name), PlayNode)
                 for p in n.prompts}
        for hazard in hazards:
            advice = self.flow.nodes.get(self.flow.hazard_advice.get(hazard, ""))
            if isinstance(advice, PlayNode) and not set(advice.prompts) <= heard:
                return replace(state, advice=self.flow.hazard_advice[hazard])
        return state

    def _queue_node(self, state: CallState) -> QueueNode:
        node = self.flow.nodes[state.node]
        assert isinstance(node, QueueNode)
        return node

    # -- entering nodes -----------------------------------------------------------------

    def _enter(self, state: CallState, name: str, notices: tuple[Notice, ...] = ()) -> Step:
        node = self.flow.nodes[name]
        if isinstance(node, HangupNode) and state.advice:  # owed before the call ends
            name, state = state.advice, replace(state, advice=None)
            node = self.flow.nodes[name]
        if isinstance(node, BranchNode):
            return self._enter(state, self._branch_target(state, node))
        state = replace(
            state, node=name, token=state.token + 1, attempt=1, path=(*state.path, name)
        )
        if isinstance(node, OrderNode):
            return self._create_order(state, node)
        if isinstance(node, HangupNode) and not node.prompts:
            return self._hang_up(state)
        return self._play(state, self._entry_prompts(state, node, notices))

    def _entry_prompts(
        self, state: CallState, node: Node, notices: tuple[Notice, ...] = ()
    ) -> tuple[str, ...]:
        match node:
            case MenuNode():
                spec = node.notices
                spoken = [p for n in notices for p in spec.prompts_for(n)] if spec else []
                return (*node.intro, *spoken, *node.prompts)
            case ReadbackNode():
                digits = tuple(node.digit_prefix + d for d in state.order_number or "")
                return (*node.before, *digits, *node.after)
            case PlayNode() | RecordNode() | QueueNode() | HangupNode() | KnowledgeNode():
                return node.prompts
        return ()

    def _play(self, state: CallState, prompts: tuple[str, ...]) -> Step:
        if not prompts:
            return self._prompt_finished(replace(state, phase=PROMPTING))
        playback_id = f"{state.call_id}-p{state.token}"
        state = replace(state, phase=PROMPTING, playing=playback_id)
        return state, [cmd.Play(playback_id, prompts)]

    def _branch_target(self, state: CallState, node: BranchNode) -> str:
        for case in node.cases:
            wanted = case.when.model_dump(exclude_none=True)
            if all(getattr(state.vars, key) == value for key, value in wanted.items()):
                return case.next
        return node.otherwise

    # -- after a prompt -------------------------------------------------------------------

    def _prompt_finished(self, state: CallState) -> Step:
        node = self.flow.nodes[state.node]
        match node:
            case MenuNode():
                state = replace(state, phase=WAITING)
                return state, [cmd.StartTimer(state.token, node.timeout_seconds)]
            case RecordNode():
                name = f"{state.call_id}-r{state.token}"
                state = replace(state, phase=RECORDING, recording=name)
                return state, [cmd.Record(name, node.max_seconds, node.max_silence_seconds)]
            case QueueNode():
                return replace(state, phase=QUEUED), [cmd.EnterQueue(state.vars.utility)]
            case KnowledgeNode():
                return self.knowledge_prompted(state, node)
            case HangupNode():
                return self._hang_up(state)
        return self._enter(state, self._node_next(state))

    def _node_next(self, state: CallState) -> str:
        node = self.flow.nodes[state.node]
        assert isinstance(node, PlayNode | RecordNode | OrderNode | ReadbackNode)
        return node.next

    # -- keys -----------------------------------------------------------------------------

    def _digit(self, state: CallState, digit: str) -> Step:
        node = self.flow.nodes[state.node]
        if isinstance(node, PlayNode) and node.interruptible and state.playing:
            stop = [cmd.StopPlayback(state.playing)]
            state, commands = self._enter(replace(state, playing=None), node.next)
            return state, [*stop, *commands]
        if not isinstance(node, MenuNode) or state.phase not in (PROMPTING, WAITING):
            return state, []
        choice = node.choices.get(digit)
        if choice is None:
            return self._retry(state, digit, node.invalid_prompt)
        chosen = state.vars.model_copy(update=choice.set.model_dump(exclude_none=True))
        path = _mark(state, f"{state.node}:{digit}")
        stop = [cmd.StopPlayback(state.playing)] if state.playing else []
        state, commands = self._enter(
            replace(state, vars=chosen, path=path, playing=None), choice.next
        )
        return state, [*stop, *commands]

    def _retry(self, state: CallState, what: str, apology: str) -> Step:
        node = self._menu(state)
        stop = [cmd.StopPlayback(state.playing)] if state.playing else []
        state = replace(state, playing=None, path=_mark(state, f"{state.node}!{what}"))
        if state.attempt >= node.max_attempts:
            state, commands = self._enter(state, node.exhausted)
            return state, [*stop, *commands]
        state = replace(state, token=state.token + 1, attempt=state.attempt + 1)
        state, commands = self._play(state, (apology, *node.prompts))
        return state, [*stop, *commands]

    def _menu(self, state: CallState) -> MenuNode:
        node = self.flow.nodes[state.node]
        assert isinstance(node, MenuNode)
        return node

    # -- recording, order, end ------------------------------------------------------------

    def _recorded(self, state: CallState, event: ev.RecordingDone | ev.RecordingFailed) -> Step:
        if state.phase != RECORDING:
            return state, []
        if isinstance(event, ev.RecordingFailed):
            state = replace(
                state, recording=None, path=(*state.path, f"{state.node}!{event.cause}")
            )
        return self._enter(state, self._node_next(state))

    def _create_order(self, state: CallState, node: OrderNode) -> Step:
        order_type = state.vars.order_type or node.default_order_type or OrderType.HELP
        order = cmd.CreateOrder(
            utility=state.vars.utility,
            order_type=order_type,
            path=state.path,
            recording_name=state.recording,
            needs_agent=node.needs_agent,
        )
        return replace(state, phase=ORDERING), [order]

    def _caller_left(self, state: CallState) -> Step:
        if state.phase == RECORDING:
            # Callers often hang up when they have said their piece: the description is kept
            # and the order created, as if the recording had ended by silence.
            after = self.flow.nodes[self._node_next(state)]
            if isinstance(after, OrderNode):
                state = replace(state, node=self._node_next(state), path=(*state.path, "hangup"))
                state, commands = self._create_order(state, after)
                return replace(state, phase=ENDED), [
                    *commands,
                    cmd.EndSession(CallOutcome.COMPLETED),
                ]
        ordered = state.order_number is not None or state.phase == ORDERING
        outcome = CallOutcome.COMPLETED if ordered else CallOutcome.ABANDONED
        state = replace(state, phase=ENDED, path=(*state.path, "hangup"))
        return state, [cmd.EndSession(outcome)]

    def _hang_up(self, state: CallState) -> Step:
        state = replace(state, phase=ENDED)
        return state, [cmd.Hangup(), cmd.EndSession(CallOutcome.COMPLETED)]

    def _reclaim(self, state: CallState) -> Step:
        """Take back a call after a restart: finish what was in flight, else re-prompt."""
        if state.phase == RECORDING and state.recording:
            return state, [cmd.StopRecording(state.recording)]
        if state.phase == ORDERING:
            node = self.flow.nodes[state.node]
            assert isinstance(node, OrderNode)
            return self._create_order(state, node)
        if state.phase == CONNECTED:
            return state, []  # the bridge lives in Asterisk; the conversation goes on
        node = self.flow.nodes[state.node]
        state = replace(state, token=state.token + 1, playing=None)
        if isinstance(node, MenuNode):
            return self._play(state, node.prompts)
        return self._play(state, self._entry_prompts(state, node))


def _mark(state: CallState, label: str) -> tuple[str, ...]:
    """Put what happened at the current menu in the path, in place of the bare visit."""
    if state.path and state.path[-1] == state.node:
        return (*state.path[:-1], label)
    return (*state.path, label)
