"""The ACD's adapter: rings agents over ARI, bridges and records conversations, calls back.

Decisions come from the pure `routing.agents.acd.Acd`; this class carries them out. Every entry
point changes the queue's state under one lock and awaits nothing while it holds it: what the
change asks of Asterisk and the database (ring, bridge, hang up, write the agent's state) goes
onto one line of actions, carried out in the order decided by a single worker. A slow ARI
answer or database write so delays only the actions behind it, never a caller joining the
queue or an agent changing state; an action whose outcome matters (a ring refused, a bridge
made) comes back through the lock as a new, re-checked decision.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from ari_app.action_line import ActionLine
from ari_app.client import AriClient, AriError
from ari_app.queue_legs import Leg, Waiter, agent_caller_id
from ari_app.queue_moments import QueueMoments
from events.hub import LiveHub
from ivr import events as ev
from routing.agents.acd import Acd, AcdError, Agent, AgentState, Offer, WaitingCall
from routing.agents.agent_repository import AgentStore
from routing.agents.queue_estimate import DEFAULT_HANDLE_SECONDS, DEFAULT_HANDLE_WINDOW, HandleTimes
from routing.agents.queue_view import agent_json, queue_snapshot
from routing.enums import Utility
from routing.floor.wallboard_repository import AGENT_ANSWERED, QUEUE_ENTERED
from routing.orders.repository import utcnow

log = logging.getLogger(__name__)


class QueueService:
    def __init__(
        self,
        ari: AriClient,
        app: str,
        store: AgentStore,
        *,
        ring_seconds: int,
        wrap_up_seconds: float,
        callback_endpoint: str,
        hub: LiveHub,
        default_handle_seconds: float = DEFAULT_HANDLE_SECONDS,
        handle_window: int = DEFAULT_HANDLE_WINDOW,
        moments: QueueMoments | None = None,
    ) -> None:
        self.ari, self.app, self.store = ari, app, store
        self.ring_seconds, self.wrap_up_seconds = ring_seconds, wrap_up_seconds
        self.callback_endpoint = callback_endpoint  # e.g. "PJSIP/{number}@callers"
        self.default_handle_seconds = default_handle_seconds  # until calls were handled
        self.acd = Acd(handle_times=HandleTimes(handle_window))
        self.waiters: dict[str, Waiter] = {}
        self.legs: dict[str, Leg] = {}
        self.bridges: dict[str, str] = {}  # call id -> bridge id
        self.lock = asyncio.Lock()  # held for state changes only: no await inside
        self.hub = hub
        self.moments = moments  # what the wallboard and staffing count, as it happens
        # Ring and wrap-up ends, and the actions' worker: serve cancels them all.
        self.timers: set[asyncio.Task[None]] = set()
        self._line = ActionLine(self.timers)

    async def load(self) -> None:
        """Agents from the database; a call they were on did not survive our restart."""
        for _, agent in await self.store.all():
            if agent.state in (AgentState.RINGING, AgentState.ON_CALL):
                agent = Agent(
                    agent.id, agent.endpoint, agent.skills, AgentState.AVAILABLE, utcnow()
                )
            self.acd = self.acd.set_agent(agent)

    # -- callers ------------------------------------------------------------------------

    async def enqueue(
        self,
        *,
        call_id: str,
        utility: Utility | None,
        emergency: bool,
        inbox: asyncio.Queue[Any],
        caller_number: str | None,
        context: dict[str, Any],
    ) -> bool:
        """Put the caller in line; False when nobody logged in could ever take the call."""
        async with self.lock:
            if not any(
                a.state != AgentState.LOGGED_OUT and a.serves(utility) is not None
                for a in self.acd.agents.values()
            ):
                return False
            self.waiters[call_id] = Waiter(call_id, inbox, caller_number, context)
            entered = utcnow()
            self.acd = self.acd.enqueue(WaitingCall(call_id, utility, emergency, entered))
            self._note(call_id, QUEUE_ENTERED, entered,
                       {"utility": utility.value if utility else None, "emergency": emergency})
            self._dispatch()
            return True

    def ahead(self, call_id: str) -> int:
        position = self.acd.position(call_id)
        return 0 if position is None else position - 1

    def position(self, call_id: str) -> ev.QueuePosition:
        """The answer to the flow's QueryPosition: place in line and expected wait."""
        wait = self.acd.expected_wait(call_id, self.default_handle_seconds)
        return ev.QueuePosition(self.ahead(call_id), wait)

    async def request_callback(self, call_id: str) -> None:
        async with self.lock:
            self.acd = self.acd.to_callback(call_id)

    async def caller_gone(self, call_id: str) -> None:
        """The caller hung up (waiting, ringing or talking): free whoever was on it."""
        async with self.lock:
            waiter = self.waiters.pop(call_id, None)
            if waiter is None:
                return
            self.acd = self.acd.leave(call_id)
            for leg in [leg for leg in self.legs.values() if leg.call_id == call_id]:
                self._hang_up(leg.channel_id)
            self._end_bridge(call_id)

    # -- agents -------------------------------------------------------------------------

    async def define(self, agent: Agent) -> None:
        async with self.lock:
            known = self.acd.agents.get(agent.id)
            if known is not None:
                agent = Agent(
                    agent.id,
                    agent.endpoint,
                    agent.skills,
                    known.state,
                    known.since,
                    known.pause_reason,
                    known.call_id,
                )
            self.acd = self.acd.set_agent(agent)

    async def adopt_new(self) -> None:
        """Agents provisioned outside this process (`hotline12319 user add`) join the queue
        as they stand in the database (logged out); agents known here are left as they are."""
        stored = [agent for _, agent in await self.store.all() if agent.id not in self.acd.agents]
        async with self.lock:
            for agent in stored:
                if agent.id not in self.acd.agents:  # defined meanwhile through the API
                    self.acd = self.acd.set_agent(agent)

    async def set_state(
        self, agent_id: str, state: AgentState, reason: str | None, actor: str
    ) -> Agent:
        """Change the agent's state; returns once the change is also in the database."""
        if agent_id not in self.acd.agents:
            await self.adopt_new()
        async with self.lock:
            self.acd = self.acd.change_state(agent_id, state, utcnow(), reason)
            agent = self.acd.agents[agent_id]
            written = self._line.then(self._state_writer(agent, actor=actor, detail={}))
            self.hub.publish("agent_state", agent_json(agent))
            self._dispatch()
        await written
        return agent

    # -- ringing and bridging -------------------------------------------------------------

    def _dispatch(self) -> None:
        self.acd, offers = self.acd.dispatch(utcnow())
        for offer in offers:
            self._ring(offer)
        self.hub.publish("queue", self.snapshot())

    def snapshot(self) -> dict[str, Any]:
        numbers = {w.call_id: w.caller_number for w in self.waiters.values()}
        return queue_snapshot(self.acd, numbers)

    def _ring(self, offer: Offer) -> None:
        channel_id = f"agent-{uuid.uuid4().hex[:16]}"
        self.legs[channel_id] = Leg(
            channel_id, offer.call_id, offer.agent_id, "agent", offer.callback
        )
        waiter = self.waiters.get(offer.call_id)
        caller_id = agent_caller_id(waiter.caller_number if waiter else None)

        async def ring() -> None:
            try:
                await self.ari.originate(
                    endpoint=offer.endpoint, app=self.app, appArgs=f"agent,{offer.call_id}",
                    channelId=channel_id, timeout=self.ring_seconds, callerId=caller_id,
                )
            except AriError as exc:
                log.warning("cannot ring agent %s: %s", offer.agent_id, exc)
                async with self.lock:
                    if (leg := self.legs.pop(channel_id, None)) is not None:
                        self._not_answered(leg)
                return
            # Recorded once the phone rings: the audit row is not worth a caller's wait.
            self._record(offer.agent_id, "ringing")
            # If Asterisk never tells us the ring ended, stop waiting for it anyway.
            self._later(self.ring_seconds + 3, lambda: self._ring_expired(channel_id))

        self._line.do(ring)

    def _later(self, delay: float, job: Callable[[], Awaitable[None]]) -> None:
        """Run `job` after `delay` seconds in a task kept in `timers` (it re-checks state)."""

        async def later() -> None:
            await asyncio.sleep(delay)
            await job()

        task = asyncio.create_task(later())
        self.timers.add(task)
        task.add_done_callback(self.timers.discard)

    async def _ring_expired(self, channel_id: str) -> None:
        async with self.lock:
            leg = self.legs.get(channel_id)
            if leg is None or leg.answered:
                return
            self.legs.pop(channel_id)
            self._hang_up(channel_id)
            self._not_answered(leg)

    def owns(self, channel_id: str) -> bool:
        return channel_id in self.legs

    async def on_event(self, event: dict[str, Any]) -> None:
        async with self.lock:
            channel_id = event.get("channel", {}).get("id", "")
            leg = self.legs.get(channel_id)
            if leg is None:
                return
            kind = event.get("type")
            if kind == "StasisStart":
                leg.answered = True
                self._leg_answered(leg)
            elif kind in ("StasisEnd", "ChannelDestroyed"):
                self.legs.pop(channel_id, None)
                self._leg_ended(leg)

    def _leg_answered(self, leg: Leg) -> None:
        if leg.kind == "agent" and leg.callback:
            self._call_back_citizen(leg)
            return
        other = leg.call_id if leg.kind == "agent" else self._agent_leg_of(leg.call_id)
        if other is None:
            return
        waiter = self.waiters.get(leg.call_id)
        if waiter is not None and leg.kind == "agent":
            # Tell the caller's flow first: it stops the queue announcement, and Asterisk
            # adds a channel to a bridge only once its playback has ended.
            waiter.inbox.put_nowait(ev.AgentConnected(leg.agent_id))
        bridge_id = self.bridges[leg.call_id] = f"conv-{leg.call_id}"

        async def connect() -> None:
            try:
                await self._bridge(bridge_id, [other, leg.channel_id])
            except AriError as exc:  # one side hung up as the agent answered: its end follows
                log.warning("could not connect call %s to agent %s: %s",
                            leg.call_id, leg.agent_id, exc)
                return
            async with self.lock:
                self._connected(leg, waiter)

        self._line.do(connect)

    def _connected(self, leg: Leg, waiter: Waiter | None) -> None:
        """The two legs are bridged: the agent is on the call (re-checked, under the lock)."""
        agent = self.acd.agents.get(leg.agent_id)
        if agent is None or agent.state != AgentState.RINGING or agent.call_id != leg.call_id:
            return  # the call was given up meanwhile
        answered = utcnow()
        self.acd = self.acd.answered(leg.call_id, answered)
        if waiter is not None and not leg.callback:  # a call-back is not the line's wait
            self._note(leg.call_id, AGENT_ANSWERED, answered, {"agent_id": leg.agent_id})
        self._record(leg.agent_id, "on_call")
        if leg.channel_id not in self.legs:  # it ended while the bridge was being made
            self._wrap_up(leg.agent_id)
        if waiter is not None:
            self.hub.publish("screen_pop", {
                "agent_id": leg.agent_id, "call_id": leg.call_id, "callback": leg.callback,
                "caller_number": waiter.caller_number, **waiter.context,
            })

    def _call_back_citizen(self, agent_leg: Leg) -> None:
        waiter = self.waiters.get(agent_leg.call_id)
        number = waiter.caller_number if waiter else None
        if not number:
            self._hang_up(agent_leg.channel_id)
            return
        channel_id = f"callback-{uuid.uuid4().hex[:16]}"
        self.legs[channel_id] = Leg(
            channel_id, agent_leg.call_id, agent_leg.agent_id, "citizen", True
        )

        async def call_back() -> None:
            try:
                await self.ari.originate(
                    endpoint=self.callback_endpoint.format(number=number), app=self.app,
                    appArgs=f"callback,{agent_leg.call_id}", channelId=channel_id,
                    timeout=30, callerId="12319",
                )
            except AriError as exc:
                log.warning("call-back to %s failed: %s", number, exc)
                async with self.lock:
                    self.legs.pop(channel_id, None)
                    self._hang_up(agent_leg.channel_id)

        self._line.do(call_back)

    def _agent_leg_of(self, call_id: str) -> str | None:
        return next(
            (
                leg.channel_id
                for leg in self.legs.values()
                if leg.call_id == call_id and leg.kind == "agent"
            ),
            None,
        )

    def _leg_ended(self, leg: Leg) -> None:
        if not leg.answered:
            if leg.kind == "agent":
                self._not_answered(leg)
            else:  # the citizen did not pick up the call-back
                self._hang_up(self._agent_leg_of(leg.call_id) or "")
            return
        if self.acd.agents[leg.agent_id].state == AgentState.ON_CALL:
            self._wrap_up(leg.agent_id)
        waiter = self.waiters.pop(leg.call_id, None) if leg.callback else None
        if waiter is None and leg.kind == "agent":
            waiter = self.waiters.get(leg.call_id)
            if waiter is not None:
                waiter.inbox.put_nowait(ev.AgentLeft())
        for other in [x for x in self.legs.values() if x.call_id == leg.call_id]:
            self._hang_up(other.channel_id)
        self._end_bridge(leg.call_id)

    def _not_answered(self, leg: Leg) -> None:
        with contextlib.suppress(AcdError):
            self.acd = self.acd.not_answered(leg.call_id, utcnow())
            self._record(leg.agent_id, "no_answer")
        self._dispatch()

    def _wrap_up(self, agent_id: str) -> None:
        now = utcnow()
        self.acd = self.acd.call_ended(agent_id, now)
        self._later(self.wrap_up_seconds, lambda: self._wrap_up_done(agent_id, now))

    async def _wrap_up_done(self, agent_id: str, started: datetime) -> None:
        async with self.lock:
            agent = self.acd.agents.get(agent_id)
            # Re-check: the agent may have paused or logged out meanwhile.
            if agent is None or agent.state != AgentState.AFTER_CALL_WORK or agent.since != started:
                return
            self.acd = self.acd.change_state(agent_id, AgentState.AVAILABLE, utcnow())
            self._record(agent_id, "wrap_up_done")
            self._dispatch()

    async def _bridge(self, bridge_id: str, channels: list[str]) -> None:
        await self.ari.create_bridge(bridge_id)
        await self.ari.add_to_bridge(bridge_id, channels)
        with contextlib.suppress(AriError):
            await self.ari.record_bridge(bridge_id, bridge_id)

    def _end_bridge(self, call_id: str) -> None:
        bridge_id = self.bridges.pop(call_id, None)
        if bridge_id is not None:
            self._line.do(lambda: self._ari_quietly(self.ari.destroy_bridge(bridge_id)))

    def _hang_up(self, channel_id: str) -> None:
        if channel_id:
            self._line.do(lambda: self._ari_quietly(self.ari.hangup(channel_id)))

    @staticmethod
    async def _ari_quietly(request: Awaitable[Any]) -> None:
        with contextlib.suppress(AriError):  # already gone: what we wanted
            await request

    def _note(self, call_id: str, action: str, at: datetime, detail: dict[str, Any]) -> None:
        if self.moments is not None:
            self.moments.note(call_id, action, at, detail)

    def _record(self, agent_id: str, why: str) -> None:
        agent = self.acd.agents.get(agent_id)
        if agent is not None:
            self._line.do(self._state_writer(agent, actor="acd", detail={"event": why}))
            self.hub.publish("agent_state", agent_json(agent))

    def _state_writer(self, agent: Agent, *, actor: str, detail: dict[str, Any]
                      ) -> Callable[[], Awaitable[None]]:
        """Writes the agent's state as decided now, when its turn on the line comes."""
        return lambda: self.store.record_state(agent, actor=actor, detail=detail)
