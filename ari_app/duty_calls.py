"""Phoning for an order's receipt (L 3.2.4(2)-(4): 确定责任单位收到信息).

The automatic dispatcher (right after an emergency's dispatch) and the sweeper's receipt
chase queue `voice_escalation` notices; this worker claims them, rings the contact each names
(the unit's duty line or backup contact, or the center's duty supervisor) through our
Asterisk, reads the order number, and takes DTMF 1 from the unit as its receipt (签收),
applied through the order engine like any agency action (a receipt already given on the
portal or by webhook is not given twice: the lifecycle refuses it). The unit's 2 says its
crew is on site: the receipt if not given yet, and the arrival (issue 16). The duty supervisor's 1
acknowledges the alarm; it is no receipt. A claimed notice is marked at once, so nobody is
rung twice for one notice, even by two workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Any

from ari_app.client import AriClient, AriError
from ari_app.outbound_legs import END_EVENTS, OutboundLegs, next_event, read_and_wait_key
from routing.agencies.directory import AgencyDirectory, Duty
from routing.dispatch.voice_escalation import (
    VoiceEscalation,
    due_voice_escalations,
    mark_voice_escalation,
)
from routing.orders.lifecycle import Command
from routing.orders.order_service import OrderEngine, apply_event
from routing.orders.repository import utcnow
from routing.orders.transitions import Event, OrderError, Role

log = logging.getLogger(__name__)

KEY_WAIT_SECONDS = 6.0  # after the reading ends


class DutyCaller:
    def __init__(
        self,
        *,
        ari: AriClient,
        app: str,
        engine: OrderEngine,
        directory: AgencyDirectory,
        prompts_uri: str,
        endpoint: str,
        answer_seconds: float = 60.0,
        supervisor: Duty | None = None,
    ) -> None:
        self.ari, self.app, self.engine, self.directory = ari, app, engine, directory
        self.prompts_uri, self.endpoint = prompts_uri, endpoint
        self.answer_seconds, self.supervisor = answer_seconds, supervisor
        self.legs = OutboundLegs()
        self.tasks: set[asyncio.Task[None]] = set()

    def owns(self, channel_id: str) -> bool:
        return channel_id in self.legs

    def wants(self, event: dict[str, Any]) -> bool:
        """Whether the event is about one of our calls (playbacks name their channel)."""
        return self.legs.wants(event)

    def deliver(self, event: dict[str, Any]) -> None:
        self.legs.deliver(event)

    async def run(self, interval: float) -> None:
        while True:
            try:
                for escalation in await self._claim():
                    task = asyncio.create_task(self._call(escalation))
                    self.tasks.add(task)
                    task.add_done_callback(self.tasks.discard)
            except Exception:  # the next round tries again; a bad round must not stop us
                log.exception("duty-call round failed")
            await asyncio.sleep(interval)

    async def _claim(self) -> list[VoiceEscalation]:
        async with self.engine.sessions.begin() as session:
            due = await due_voice_escalations(
                session, now=utcnow(), directory=self.directory, supervisor=self.supervisor
            )
            for escalation in due:
                await mark_voice_escalation(
                    session,
                    notification_id=escalation.notification_id,
                    result="calling",
                    at=utcnow(),
                )
            return due

    async def _call(self, escalation: VoiceEscalation) -> None:
        result = "no_line"  # the directory names no endpoint for this contact
        if escalation.sip:
            channel_id = f"duty-{uuid.uuid4().hex[:16]}"
            self.legs.open(channel_id)
            try:
                # asyncio.timeout, not wait_for: 3.11's wait_for can drop a shutdown's cancel
                async with asyncio.timeout(self.answer_seconds + 60):
                    result = await self._converse(channel_id, escalation)
            except (AriError, TimeoutError) as exc:
                result = f"failed: {exc}"[:64]
            finally:
                self.legs.close(channel_id)
                with contextlib.suppress(AriError):
                    await self.ari.hangup(channel_id)
        log.info("duty call for order %s: %s", escalation.order_number, result)
        async with self.engine.sessions.begin() as session:
            await mark_voice_escalation(
                session, notification_id=escalation.notification_id, result=result, at=utcnow()
            )

    async def _converse(self, channel_id: str, escalation: VoiceEscalation) -> str:
        inbox = self.legs.inboxes[channel_id]
        await self.ari.originate(
            endpoint=self.endpoint.format(sip=escalation.sip),
            app=self.app,
            appArgs=f"duty,{escalation.order_number}",
            channelId=channel_id,
            timeout=int(self.answer_seconds),
            callerId="12319",
        )
        if (await next_event(inbox, {"StasisStart", *END_EVENTS}))["type"] != "StasisStart":
            return "no_answer"
        for attempt in range(2):  # read it twice before giving up on a key
            key = await read_and_wait_key(
                self.ari,
                channel_id,
                inbox,
                tag=f"duty-{attempt}",
                media=self._reading(escalation),
                key_wait_seconds=KEY_WAIT_SECONDS,
            )
            if key == "1":
                return await self._receipt(channel_id, escalation)
            if key == "2" and escalation.contact != "supervisor":
                return await self._on_site(channel_id, escalation)
            if key is None:
                return "hung_up"
        return "no_confirmation"

    def _reading(self, escalation: VoiceEscalation) -> list[str]:
        digits = [f"digit_{d}" for d in escalation.order_number]
        return [f"sound:{self.prompts_uri}/{p}" for p in ("duty_intro", *digits, "duty_confirm")]

    async def _play(self, channel_id: str, tag: str, media: list[str]) -> None:
        await self.ari.play(channel_id, f"{channel_id}-{tag}", media)

    async def _receipt(self, channel_id: str, escalation: VoiceEscalation) -> str:
        if escalation.contact == "supervisor":
            await self._play(channel_id, "thanks", [f"sound:{self.prompts_uri}/duty_received"])
            await asyncio.sleep(5)
            return "acknowledged_dtmf1"
        command = Command(
            event=Event.RECEIVE,
            actor=f"{escalation.contact}-line:{escalation.agency_id}",
            role=Role.AGENCY,
            at=utcnow(),
            actor_agency=escalation.agency_id,
        )
        try:
            await apply_event(self.engine, number=escalation.order_number, command=command)
        except OrderError as exc:  # e.g. signed for on the portal a moment ago
            log.info("duty receipt for %s not applied: %s", escalation.order_number, exc)
        await self._play(channel_id, "thanks", [f"sound:{self.prompts_uri}/duty_received"])
        await asyncio.sleep(5)
        return "receipt_dtmf1"

    async def _on_site(self, channel_id: str, escalation: VoiceEscalation) -> str:
        """DTMF 2, the crew is on site (issue 16): the receipt if none was given yet, then the
        arrival the on-site limit is held to, both as the unit through the order engine."""
        for event in (Event.RECEIVE, Event.ARRIVE):
            command = Command(
                event=event,
                actor=f"duty-line:{escalation.agency_id}",
                role=Role.AGENCY,
                at=utcnow(),
                actor_agency=escalation.agency_id,
            )
            try:
                await apply_event(self.engine, number=escalation.order_number, command=command)
            except OrderError as exc:  # signed for already, or arrival reported on the portal
                log.info("duty %s for %s not applied: %s", event, escalation.order_number, exc)
        await self._play(channel_id, "thanks", [f"sound:{self.prompts_uri}/duty_received"])
        await asyncio.sleep(5)
        return "onsite_dtmf2"
