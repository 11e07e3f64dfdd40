"""Callback survey calls (回访, L 1.3(1)): the hotline phones citizens back from 12319.

A durable loop: the surveys live in the database (`routing.followup.survey_store`); each round plans
new ones, then claims as many due ones as the policy's lines allow — none while a caller
waits in the inbound queue — and rings each citizen through our Asterisk, as the duty calls
ring agencies (ari_app/duty_calls.py). The call reads the order number and what the unit
reported, then asks for 1/2/3/0; what the key means is `routing.followup.survey.verdict`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, Protocol

from ari_app.client import AriClient, AriError
from ari_app.outbound_legs import END_EVENTS, OutboundLegs, next_event, read_and_wait_key
from ari_app.queue import QueueService
from ivr import events as ev
from routing.enums import Utility
from routing.followup.survey import SurveyStatus, Verdict, free_lines, verdict
from routing.followup.survey_policy import SurveyPolicy, load_survey_policy, with_overrides
from routing.followup.survey_store import (
    SurveyCall,
    claim_due,
    plan_new,
    record_agent,
    record_answer,
    record_reached,
    record_unreached,
    release_stale_claims,
)
from routing.orders.order_service import OrderEngine
from routing.orders.repository import utcnow

log = logging.getLogger(__name__)


class SurveySettings(Protocol):
    """What the survey worker reads of the settings (the root's Settings has it)."""

    @property
    def survey_policy_file(self) -> Path: ...
    @property
    def survey_delay_seconds(self) -> float | None: ...
    @property
    def survey_hours(self) -> str | None: ...
    @property
    def ari_app(self) -> str: ...
    @property
    def prompts_uri(self) -> str: ...
    @property
    def survey_endpoint(self) -> str: ...

# The order a survey call is about, in a SIP header (the sandbox's citizen phone reads it).
ORDER_HEADER = "X-Hotline-Order"
READINGS = 2  # the question is read twice before the call counts as unanswered
KEY_WAIT_SECONDS = 8.0  # after the question ends


class SurveyCaller:
    def __init__(
        self, *, ari: AriClient, app: str, engine: OrderEngine, policy: SurveyPolicy,
        queue: QueueService, prompts_uri: str, endpoint: str,
    ) -> None:
        self.ari, self.app, self.engine, self.policy = ari, app, engine, policy
        self.queue, self.prompts_uri, self.endpoint = queue, prompts_uri, endpoint
        self.legs = OutboundLegs()
        self.tasks: set[asyncio.Task[None]] = set()

    def owns(self, channel_id: str) -> bool:
        return channel_id in self.legs

    def wants(self, event: dict[str, Any]) -> bool:
        """Whether the event is about one of our calls (playbacks name their channel)."""
        return self.legs.wants(event)

    def deliver(self, event: dict[str, Any]) -> None:
        self.legs.deliver(event)

    def waiting_callers(self) -> int:
        return len(self.queue.acd.waiting)

    async def run(self, interval: float) -> None:
        async with self.engine.sessions.begin() as session:
            if released := await release_stale_claims(session, now=utcnow()):
                log.info("survey calls interrupted by a restart, tried again: %d", released)
        while True:
            try:
                await self._round()
            except Exception:  # the next round tries again; a bad round must not stop us
                log.exception("survey round failed")
            await asyncio.sleep(interval)

    async def _round(self) -> None:
        async with self.engine.sessions.begin() as session:
            await plan_new(session, policy=self.policy, now=utcnow())
        # Re-checked just before claiming: a caller who joined the queue meanwhile comes first.
        lines = free_lines(active=len(self.tasks), waiting_callers=self.waiting_callers(),
                           policy=self.policy)
        if lines == 0:
            return
        async with self.engine.sessions.begin() as session:
            calls = await claim_due(session, now=utcnow(), limit=lines, policy=self.policy)
        for call in calls:
            task = asyncio.create_task(self._call(call))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _call(self, call: SurveyCall) -> None:
        channel_id = f"survey-{uuid.uuid4().hex[:16]}"
        self.legs.open(channel_id)
        result = "failed"
        try:
            async with asyncio.timeout(self.policy.ring_seconds + 180):
                result = await self._converse(channel_id, call)
        except (AriError, TimeoutError) as exc:  # not lost: tried again, or the manual list
            result = await self._unreached(call, f"failed: {type(exc).__name__}")
        finally:
            self.legs.close(channel_id)
            with contextlib.suppress(AriError):
                await self.ari.hangup(channel_id)
        log.info("survey call for order %s (try %d): %s", call.order_number, call.attempt, result)

    async def _converse(self, channel_id: str, call: SurveyCall) -> str:
        inbox = self.legs.inboxes[channel_id]
        await self.ari.originate(
            endpoint=self.endpoint.format(number=call.caller_number), app=self.app,
            appArgs=f"survey,{call.order_number}", channelId=channel_id,
            timeout=self.policy.ring_seconds, callerId="12319",
            variables={f"PJSIP_HEADER(add,{ORDER_HEADER})": call.order_number},
        )
        answered = await next_event(inbox, {"StasisStart", *END_EVENTS})
        if answered["type"] != "StasisStart":
            return await self._unreached(call, "no_answer")
        async with self.engine.sessions.begin() as session:
            await record_reached(session, survey_id=call.survey_id, now=utcnow())
        for reading in range(READINGS):
            key = await read_and_wait_key(
                self.ari, channel_id, inbox, tag=f"q{reading}",
                media=self._reading(call, first=reading == 0),
                key_wait_seconds=KEY_WAIT_SECONDS,
                silence=True)  # the citizen's phone hears the question end as silence
            if key is None:
                return await self._unreached(call, "hung_up")
            if (decided := verdict(key)) is not None:
                return await self._decided(channel_id, inbox, call, decided)
        return await self._unreached(call, "no_key")

    def _reading(self, call: SurveyCall, *, first: bool) -> list[str]:
        reported = "survey_handled" if call.reported == "handled" else "survey_not_handled"
        digits = [f"digit_{d}" for d in call.order_number if d.isdigit()]
        names = ["survey_intro", *digits, reported, "survey_question"] if first else [
            "survey_question"]
        return [f"sound:{self.prompts_uri}/{name}" for name in names]

    async def _play(self, channel_id: str, tag: str, media: list[str]) -> None:
        await self.ari.play(channel_id, f"{channel_id}-{tag}", media)

    async def _unreached(self, call: SurveyCall, result: str) -> str:
        async with self.engine.sessions.begin() as session:
            status = await record_unreached(session, survey_id=call.survey_id, result=result,
                                            now=utcnow(), policy=self.policy)
        return f"{result} -> {status.value}"

    async def _decided(self, channel_id: str, inbox: asyncio.Queue[dict[str, Any]],
                       call: SurveyCall, decided: Verdict) -> str:
        if decided.status is SurveyStatus.AGENT:
            return await self._to_agent(channel_id, inbox, call)
        result = await record_answer(self.engine, call=call, verdict=decided, now=utcnow())
        closing = "survey_reopen" if decided.satisfaction == "not_satisfied" else "survey_thanks"
        await self._play(channel_id, "bye", [f"sound:{self.prompts_uri}/{closing}"])
        await next_event(inbox, {"PlaybackFinished", *END_EVENTS})
        return result

    async def _to_agent(self, channel_id: str, inbox: asyncio.Queue[dict[str, Any]],
                        call: SurveyCall) -> str:
        """Key 0: the citizen waits for an agent, whose screen shows the order (screen-pop)."""
        flow_events: asyncio.Queue[Any] = asyncio.Queue()  # the queue's notes to the caller
        queued = await self.queue.enqueue(
            call_id=channel_id, utility=_utility(call.utility), emergency=False,
            inbox=flow_events, caller_number=call.caller_number,
            context={"order_number": call.order_number, "survey": True},
        )
        async with self.engine.sessions.begin() as session:
            await record_agent(session, survey_id=call.survey_id, now=utcnow(), put_through=queued)
        if not queued:
            await self._play(channel_id, "busy", [f"sound:{self.prompts_uri}/agent_busy_message"])
            await next_event(inbox, {"PlaybackFinished", *END_EVENTS})
            return "key_0 -> no agent -> manual"
        await self._play(channel_id, "transfer", [f"sound:{self.prompts_uri}/agent_transfer"])
        try:  # talking with the agent until either hangs up
            await _first_of(next_event(inbox, END_EVENTS), _agent_left(flow_events))
        finally:
            await self.queue.caller_gone(channel_id)
        return "key_0 -> agent"


def _utility(value: str | None) -> Utility | None:
    return Utility(value) if value else None


async def _agent_left(events: asyncio.Queue[Any]) -> None:
    while not isinstance(await events.get(), ev.AgentLeft):
        pass


async def _first_of(*waits: Coroutine[Any, Any, Any]) -> None:
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()


def survey_caller(
    settings: SurveySettings, *, ari: AriClient, engine: OrderEngine, queue: QueueService
) -> SurveyCaller:
    """The survey worker as serve's settings configure it (policy file plus overrides)."""
    policy = with_overrides(
        load_survey_policy(settings.survey_policy_file),
        delay_seconds=settings.survey_delay_seconds, hours=settings.survey_hours,
    )
    return SurveyCaller(ari=ari, app=settings.ari_app, engine=engine, policy=policy,
                        queue=queue, prompts_uri=settings.prompts_uri,
                        endpoint=settings.survey_endpoint)
