"""Supervisors listen to, whisper to, or barge into an agent's call (ARI snoop).

The decisions are pure (`routing.floor.snoop_rules`: who may, which channel or bridge,
which directions); `SnoopService` carries them out. The supervisor's phone is rung
first; once it answers,
listen and whisper put it in a bridge of its own with a snoop channel on the agent's leg
(spy both directions: the supervisor hears caller and agent; whisper "out": what the
supervisor says goes only towards the agent), and barge adds it to the conversation's
bridge, where everyone hears everyone. Either side ending ends the other: the snoop channel
goes when the agent's leg goes, and a barged supervisor leaves when the conversation's
bridge is torn down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from ari_app.client import AriClient, AriError
from ari_app.queue import QueueService
from routing.floor.snoop_rules import Conversation, SnoopPlan, SnoopRefused

log = logging.getLogger(__name__)

SUPERVISOR_ARG, SNOOP_ARG = "supervisor", "snoop"
ENDS = frozenset({"StasisEnd", "ChannelDestroyed"})


def conversations(queue: QueueService) -> list[Conversation]:
    """The ACD's answered agent legs that are bridged with their caller now."""
    return [
        Conversation(leg.call_id, leg.agent_id, leg.channel_id, queue.bridges[leg.call_id])
        for leg in queue.legs.values()
        if leg.kind == "agent" and leg.answered and leg.call_id in queue.bridges
    ]


# -- the ARI side ------------------------------------------------------------------------


@dataclass
class SnoopSession:
    id: str
    plan: SnoopPlan
    supervisor_channel: str
    snoop_channel: str | None = None
    bridge_id: str | None = None
    answered: bool = False

    def as_json(self) -> dict[str, Any]:
        c = self.plan.conversation
        return {
            "snoop_id": self.id, "mode": self.plan.mode.value, "call_id": c.call_id,
            "agent_id": c.agent_id, "agent_channel": c.agent_channel,
            "supervisor_channel": self.supervisor_channel, "answered": self.answered,
        }


class SnoopService:
    def __init__(self, ari: AriClient, app: str, queue: QueueService, endpoint: str) -> None:
        self.ari, self.app, self.queue = ari, app, queue
        self.endpoint = endpoint  # e.g. "PJSIP/{number}@callers": where phones are rung
        self.sessions: dict[str, SnoopSession] = {}
        self.lock = asyncio.Lock()

    def conversations(self) -> list[Conversation]:
        """The agent legs bridged with their caller now (what a supervisor may snoop on)."""
        return conversations(self.queue)

    async def start(self, plan: SnoopPlan, supervisor_sip: str) -> SnoopSession:
        """Ring the supervisor; the rest happens when their phone answers."""
        snoop_id = uuid.uuid4().hex[:12]
        session = SnoopSession(snoop_id, plan, f"supervisor-{snoop_id}")
        endpoint = (supervisor_sip if supervisor_sip.startswith("PJSIP/")
                    else self.endpoint.format(number=supervisor_sip))
        async with self.lock:
            self.sessions[snoop_id] = session
            try:
                await self.ari.originate(
                    endpoint=endpoint, app=self.app, appArgs=f"{SUPERVISOR_ARG},{snoop_id}",
                    channelId=session.supervisor_channel, timeout=30, callerId="12319",
                )
            except AriError as exc:  # the web answers 502 supervisor-not-rung
                self.sessions.pop(snoop_id, None)
                raise SnoopRefused("supervisor-not-rung", 502, str(exc)) from exc
        return session

    def wants(self, event: dict[str, Any]) -> bool:
        """The event is about a supervisor's leg or a snoop channel of ours."""
        if event.get("type") == "StasisStart" and event.get("args", [""])[:1] in (
            [SUPERVISOR_ARG], [SNOOP_ARG]
        ):
            return True
        return self._session_of(event.get("channel", {}).get("id", "")) is not None

    async def drop_left_over(self, channel_id: str) -> bool:
        """A supervisor's leg or snoop channel we no longer know (our process restarted):
        hung up, since nobody can end it any more; True when it was one."""
        if not channel_id.startswith(("supervisor-", "snoop-")):
            return False
        if self._session_of(channel_id) is None:
            await self._hang_up(channel_id)
        return True

    def _session_of(self, channel_id: str) -> SnoopSession | None:
        return next((s for s in self.sessions.values()
                     if channel_id in (s.supervisor_channel, s.snoop_channel)), None)

    async def on_event(self, event: dict[str, Any]) -> None:
        async with self.lock:
            channel_id = event.get("channel", {}).get("id", "")
            session = self._session_of(channel_id)
            if session is None:
                if event.get("type") == "StasisStart":
                    await self._hang_up(channel_id)  # its session ended meanwhile
                return
            kind = event.get("type")
            is_supervisor = channel_id == session.supervisor_channel
            if kind == "StasisStart" and is_supervisor:
                session.answered = True
                await self._supervisor_answered(session)
            elif kind == "StasisStart":
                await self._snoop_ready(session)
            elif kind in ENDS or (kind == "ChannelLeftBridge" and is_supervisor
                                  and session.plan.join_bridge is not None):
                await self._end(session)

    async def _supervisor_answered(self, session: SnoopSession) -> None:
        plan = session.plan
        try:
            if plan.join_bridge is not None:
                await self.ari.add_to_bridge(plan.join_bridge, [session.supervisor_channel])
                return
            session.snoop_channel = f"snoop-{session.id}"
            await self.ari.request(
                "POST", f"/channels/{plan.conversation.agent_channel}/snoop",
                params={"spy": plan.spy, "whisper": plan.whisper, "app": self.app,
                        "appArgs": f"{SNOOP_ARG},{session.id}",
                        "snoopId": session.snoop_channel},
            )
        except AriError as exc:  # the call ended while the supervisor's phone rang
            log.info("snoop %s: the call is gone (%s)", session.id, exc)
            await self._end(session)

    async def _snoop_ready(self, session: SnoopSession) -> None:
        session.bridge_id = f"snoopbr-{session.id}"
        try:
            await self.ari.create_bridge(session.bridge_id)
            await self.ari.add_to_bridge(
                session.bridge_id, [session.supervisor_channel, session.snoop_channel or ""]
            )
        except AriError as exc:
            log.info("snoop %s: cannot bridge (%s)", session.id, exc)
            await self._end(session)

    async def _end(self, session: SnoopSession) -> None:
        if self.sessions.pop(session.id, None) is None:
            return
        for channel in (session.supervisor_channel, session.snoop_channel):
            await self._hang_up(channel)
        if session.bridge_id is not None:
            with contextlib.suppress(AriError):
                await self.ari.destroy_bridge(session.bridge_id)

    async def _hang_up(self, channel_id: str | None) -> None:
        if channel_id:
            with contextlib.suppress(AriError):
                await self.ari.hangup(channel_id)
