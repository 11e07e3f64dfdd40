"""Automatic call distribution: pure. Which waiting caller goes to which agent, and what an
agent's state becomes when a call rings, is answered, is not answered, or ends.

Order of service: emergencies first, then by arrival (a caller who asked for a call-back
keeps the place they had). An agent qualifies for a call when skilled for its utility (or
for "general" work when the caller went to an agent before choosing one); among qualified
available agents the most skilled level wins, then the one idle longest. It also keeps the
recent handle times, from which a waiting caller's expected wait is estimated
(routing/agents/queue_estimate.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum

from routing.agents.queue_estimate import HandleTimes, expected_wait_minutes
from routing.enums import Utility

GENERAL = "general"
NEVER = datetime.min.replace(tzinfo=UTC)


class AgentState(StrEnum):
    LOGGED_OUT = "logged_out"
    AVAILABLE = "available"
    RINGING = "ringing"
    ON_CALL = "on_call"
    AFTER_CALL_WORK = "after_call_work"
    PAUSED = "paused"


# Agents who count towards serving a queue: ready for a call or busy with one.
WORKING = frozenset(
    {AgentState.AVAILABLE, AgentState.RINGING, AgentState.ON_CALL, AgentState.AFTER_CALL_WORK}
)


class AcdError(ValueError):
    def __init__(self, error_id: str, message: str) -> None:
        super().__init__(message)
        self.error_id = error_id


@dataclass(frozen=True, slots=True)
class Agent:
    id: str
    endpoint: str
    skills: dict[str, int]  # utility value or "general" -> level (higher = better)
    state: AgentState = AgentState.LOGGED_OUT
    since: datetime | None = None
    pause_reason: str | None = None
    call_id: str | None = None

    def serves(self, utility: Utility | None) -> int | None:
        """The level at which this agent takes such a call, None if not at all."""
        return self.skills.get(utility.value if utility else GENERAL)


@dataclass(frozen=True, slots=True)
class WaitingCall:
    call_id: str
    utility: Utility | None
    emergency: bool
    entered_at: datetime
    callback: bool = False  # the caller hung up and waits to be called back

    def priority_key(self) -> tuple[int, datetime]:
        return (0 if self.emergency else 1, self.entered_at)


@dataclass(frozen=True, slots=True)
class Offer:
    call_id: str
    agent_id: str
    endpoint: str
    callback: bool


@dataclass(frozen=True, slots=True)
class Acd:
    agents: dict[str, Agent] = field(default_factory=dict)
    waiting: tuple[WaitingCall, ...] = ()
    offered: dict[str, str] = field(default_factory=dict)  # call id -> agent id ringing
    handling: dict[str, datetime] = field(default_factory=dict)  # agent id -> answered at
    handle_times: HandleTimes = field(default_factory=HandleTimes)

    # -- agents -----------------------------------------------------------------------------

    def set_agent(self, agent: Agent) -> Acd:
        return replace(self, agents={**self.agents, agent.id: agent})

    def change_state(
        self, agent_id: str, state: AgentState, now: datetime, reason: str | None = None
    ) -> Acd:
        agent = self._agent(agent_id)
        if agent.state in (AgentState.RINGING, AgentState.ON_CALL) and state in (
            AgentState.LOGGED_OUT, AgentState.PAUSED, AgentState.AVAILABLE
        ):
            raise AcdError("agent-busy", f"agent {agent_id} is {agent.state.value}")
        if state == AgentState.PAUSED and not reason:
            raise AcdError("pause-reason-required", "a pause needs a reason code")
        changed = replace(agent, state=state, since=now,
                          pause_reason=reason if state == AgentState.PAUSED else None)
        acd = self.set_agent(changed)
        if agent.state == AgentState.AFTER_CALL_WORK and state != AgentState.AFTER_CALL_WORK:
            acd = acd._handled(agent_id, now)
        return acd

    def _handled(self, agent_id: str, now: datetime) -> Acd:
        """The agent's after-call work ended: the call's handle time joins the average."""
        if agent_id not in self.handling:
            return self
        handling = {a: t for a, t in self.handling.items() if a != agent_id}
        seconds = (now - self.handling[agent_id]).total_seconds()
        return replace(self, handling=handling, handle_times=self.handle_times.add(seconds))

    def _agent(self, agent_id: str) -> Agent:
        if agent_id not in self.agents:
            raise AcdError("agent-not-found", f"no agent {agent_id}")
        return self.agents[agent_id]

    # -- calls ------------------------------------------------------------------------------

    def enqueue(self, call: WaitingCall) -> Acd:
        if any(w.call_id == call.call_id for w in self.waiting):
            return self
        ordered = sorted((*self.waiting, call), key=WaitingCall.priority_key)
        return replace(self, waiting=tuple(ordered))

    def position(self, call_id: str) -> int | None:
        """1-based place in line, counting only calls not already ringing an agent."""
        line = [w.call_id for w in self.waiting if w.call_id not in self.offered]
        return line.index(call_id) + 1 if call_id in line else None

    def serving_agents(self, utility: Utility | None) -> int | None:
        """Skilled agents available or busy; None when no skilled agent is logged in."""
        skilled = [a for a in self.agents.values()
                   if a.serves(utility) is not None and a.state != AgentState.LOGGED_OUT]
        return sum(a.state in WORKING for a in skilled) if skilled else None

    def expected_wait(self, call_id: str, default_handle_seconds: float) -> int | None:
        """Minutes this waiting caller may expect, rounded up; None: no estimate."""
        position = self.position(call_id)
        call = next((w for w in self.waiting if w.call_id == call_id), None)
        if position is None or call is None:
            return None
        handle_seconds = self.handle_times.mean(default_handle_seconds)
        return expected_wait_minutes(position - 1, self.serving_agents(call.utility),
                                     handle_seconds)

    def leave(self, call_id: str) -> Acd:
        """The caller hung up while waiting (or was served elsewhere)."""
        offered = {c: a for c, a in self.offered.items() if c != call_id}
        waiting = tuple(w for w in self.waiting if w.call_id != call_id)
        agents = dict(self.agents)
        if call_id in self.offered:
            agent = agents[self.offered[call_id]]
            agents[agent.id] = replace(agent, state=AgentState.AVAILABLE, call_id=None)
        return replace(self, waiting=waiting, offered=offered, agents=agents)

    def to_callback(self, call_id: str) -> Acd:
        """Keep the caller's place in line but serve them by calling back."""
        waiting = tuple(replace(w, callback=True) if w.call_id == call_id else w
                        for w in self.waiting)
        return replace(self, waiting=waiting)

    def dispatch(self, now: datetime) -> tuple[Acd, list[Offer]]:
        """Ring the best available agent for each waiting call, in order of service."""
        acd, offers = self, []
        for call in self.waiting:
            if call.call_id in acd.offered:
                continue
            agent = acd._best_agent(call.utility)
            if agent is None:
                continue
            ringing = replace(agent, state=AgentState.RINGING, since=now, call_id=call.call_id)
            acd = replace(acd.set_agent(ringing), offered={**acd.offered, call.call_id: agent.id})
            offers.append(Offer(call.call_id, agent.id, agent.endpoint, call.callback))
        return acd, offers

    def _best_agent(self, utility: Utility | None) -> Agent | None:
        candidates = [
            a for a in self.agents.values()
            if a.state == AgentState.AVAILABLE and a.serves(utility) is not None
        ]
        if not candidates:
            return None
        return min(candidates, key=lambda a: (-(a.serves(utility) or 0), a.since or NEVER))

    def answered(self, call_id: str, now: datetime) -> Acd:
        agent = self._agent(self.offered.get(call_id, ""))
        on_call = replace(agent, state=AgentState.ON_CALL, since=now)
        waiting = tuple(w for w in self.waiting if w.call_id != call_id)
        offered = {c: a for c, a in self.offered.items() if c != call_id}
        return replace(self.set_agent(on_call), waiting=waiting, offered=offered,
                       handling={**self.handling, agent.id: now})

    def not_answered(self, call_id: str, now: datetime) -> Acd:
        """The agent let it ring out: pause them, and the call stays first in its line."""
        agent = self._agent(self.offered.get(call_id, ""))
        paused = replace(agent, state=AgentState.PAUSED, since=now, pause_reason="no_answer",
                         call_id=None)
        offered = {c: a for c, a in self.offered.items() if c != call_id}
        return replace(self.set_agent(paused), offered=offered)

    def call_ended(self, agent_id: str, now: datetime) -> Acd:
        agent = self._agent(agent_id)
        wrap = replace(agent, state=AgentState.AFTER_CALL_WORK, since=now, call_id=None)
        return self.set_agent(wrap)
