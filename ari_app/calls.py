"""One task per call: feed the flow engine the call's events, carry out its commands.

The runner owns nothing the engine decides; it only talks to Asterisk and the database and
turns what comes back into events. Events for one channel are handled strictly in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ari_app.call_metrics import CallMetrics, PlaybackStarted
from ari_app.call_recordings import keep_call_recording
from ari_app.client import AriClient, AriError, AriNotFound
from ari_app.knowledge_voice import KnowledgeVoice
from ari_app.log_context import CALL_ID, ORDER_NUMBER
from ari_app.queue import QueueService
from ari_app.queue_moments import QueueMoments
from ari_app.speech import CallSpeech
from ari_app.state_writer import CallStates
from ari_app.storage import CallStore
from events.hub import LiveHub
from ivr import commands as cmd
from ivr import events as ev
from ivr.flow import CallState, FlowEngine
from ivr.queueing import ENDED
from routing.enums import CallOutcome, OrderType
from routing.floor.announcement_board import AnnouncementBoard
from routing.floor.wallboard_repository import CLASSIFIED
from routing.orders.repository import utcnow

log = logging.getLogger(__name__)


@dataclass
class CallContext:
    """Everything a call's task needs, shared by all calls."""

    engine: FlowEngine
    ari: AriClient
    store: CallStore
    prompts_uri: str
    recordings_dir: Path
    queue: QueueService
    hub: LiveHub
    states: CallStates
    speech: CallSpeech | None = None
    announcements: AnnouncementBoard | None = None
    moments: QueueMoments | None = None  # the service level's moments (ari_app/queue_moments)
    knowledge: KnowledgeVoice | None = None  # consultation self-service (knowledge_voice.py)
    background: set[asyncio.Task[Any]] = field(default_factory=set)


class CallRunner:
    def __init__(self, ctx: CallContext, channel_id: str) -> None:
        self.ctx = ctx
        self.channel_id = channel_id
        self.inbox: asyncio.Queue[ev.CallEvent | PlaybackStarted] = asyncio.Queue()
        self.metrics = CallMetrics()
        self.state: CallState | None = None
        self.caller_number: str | None = None
        self._timers: list[asyncio.TimerHandle] = []

    async def run_new(self, channel: dict[str, Any], received_at: float) -> None:
        CALL_ID.set(self.channel_id)
        board = self.ctx.announcements
        notices = board.notices(utcnow()) if board is not None else ()
        self.state, commands = self.ctx.engine.start(self.channel_id, notices)
        await self._execute(commands, received_at=received_at)
        caller = channel.get("caller", {})
        self.caller_number = caller.get("number") or None
        await self.ctx.store.open(
            channel_id=self.channel_id,
            caller_number=caller.get("number") or None,
            caller_name=caller.get("name") or None,
            started_at=utcnow(),
        )
        self._persist(answered=True)
        self.ctx.hub.publish(
            "call_started", {"channel_id": self.channel_id, "caller_number": self.caller_number}
        )
        await self._loop()

    async def run_reclaimed(
        self, state: CallState, first: ev.CallEvent, caller_number: str | None
    ) -> None:
        CALL_ID.set(self.channel_id)
        self.state, self.caller_number = state, caller_number
        await self._feed(first)
        await self._loop()

    async def _loop(self) -> None:
        try:
            while self.state is not None and self.state.phase != ENDED:
                event = await self.inbox.get()
                if isinstance(event, PlaybackStarted):
                    self.metrics.playback_started(event.playback_id, event.asterisk_at)
                    continue
                await self._feed(event)
        finally:
            for timer in self._timers:
                timer.cancel()

    async def _feed(self, event: ev.CallEvent) -> None:
        assert self.state is not None
        received = time.monotonic()
        before = self.state
        self.state, commands = self.ctx.engine.handle(self.state, event)
        if isinstance(event, ev.DigitPressed) and any(isinstance(c, cmd.Play) for c in commands):
            self.metrics.pending_digit_at = self.metrics.digit_seen_at or received
        self.metrics.digit_seen_at = None
        await self._execute(commands)
        if self.state is not before and self.state.phase != ENDED:
            self._persist()

    def _persist(self, answered: bool = False) -> None:
        assert self.state is not None
        self.ctx.hub.publish("call_progress", self._public_state())
        answered_at = utcnow() if answered else None
        self.ctx.states.write(self.channel_id, self.state.snapshot(), answered_at)

    # -- carrying out commands --------------------------------------------------------------

    async def _execute(self, commands: list[cmd.Command], received_at: float | None = None) -> None:
        # In order, each confirmed: a play sent while the stop of the prompt before it is on
        # its way left callers' next keys unheard (tried: the walking skeleton failed).
        for command in commands:
            await self._attempt(command, received_at)

    async def _attempt(self, command: cmd.Command, received_at: float | None) -> None:
        try:
            await self._carry_out(command, received_at)
        except AriNotFound:
            log.info("call %s: %s found the channel gone", self.channel_id, command)
        except AriError as exc:
            log.warning("call %s: %s failed: %s", self.channel_id, command, exc)
            self._after_failure(command)

    async def _carry_out(self, command: cmd.Command, received_at: float | None) -> None:
        ari, channel = self.ctx.ari, self.channel_id
        match command:
            case cmd.Answer():
                await ari.answer(channel)
                if received_at is not None:
                    self.metrics.answer_ms = (time.monotonic() - received_at) * 1000
            case cmd.Play(playback_id, prompts):
                self.metrics.play_requested(playback_id)
                media = [f"sound:{self.ctx.prompts_uri}/{p}" for p in prompts]
                await ari.play(channel, playback_id, media)
            case cmd.StopPlayback(playback_id):
                with contextlib.suppress(AriNotFound):
                    await ari.stop_playback(playback_id)
            case cmd.StartTimer(token, seconds):
                await self._quiet()
                loop = asyncio.get_running_loop()
                event = ev.TimerExpired(token)
                self._timers.append(loop.call_later(seconds, self.inbox.put_nowait, event))
            case cmd.Record(name, max_seconds, max_silence):
                await ari.record(
                    channel, name, max_seconds=max_seconds, max_silence_seconds=max_silence
                )
            case _:
                await self._carry_out_domain(command)

    async def _carry_out_domain(self, command: cmd.Command) -> None:
        match command:
            case cmd.StopRecording(name):
                try:
                    await self.ctx.ari.stop_recording(name)
                except AriNotFound:  # it ended while we were away; it is stored already
                    self.inbox.put_nowait(ev.RecordingDone(name))
            case cmd.CreateOrder():
                number = await self.ctx.store.create_order(
                    channel_id=self.channel_id, order=command, now=utcnow()
                )
                ORDER_NUMBER.set(number)
                self.inbox.put_nowait(ev.OrderCreated(number))
                self._join_incident(number, command)
                self.ctx.hub.publish(
                    "order_created",
                    {
                        "number": number,
                        "channel_id": self.channel_id,
                        "utility": command.utility.value if command.utility else None,
                        "order_type": command.order_type.value,
                        "needs_agent": command.needs_agent,
                    },
                )
                if command.recording_name:
                    self._in_background(self._keep_and_hear(command.recording_name, number,
                                                            command))
            case cmd.FindAnswer():
                self._in_background(self._find_answer(command))
            case cmd.NoteSelfService() if self.ctx.knowledge is not None:
                self._in_background(self.ctx.knowledge.note(self.channel_id, command))
            case cmd.EnterQueue():
                await self._enter_queue(command)
            case cmd.QueryPosition():
                self.inbox.put_nowait(self.ctx.queue.position(self.channel_id))
            case cmd.RequestCallback():
                await self.ctx.queue.request_callback(self.channel_id)
            case cmd.LeaveQueue():
                await self.ctx.queue.caller_gone(self.channel_id)
            case cmd.Hangup():
                await self.ctx.ari.hangup(self.channel_id)
            case cmd.EndSession(outcome):
                assert self.state is not None
                # the end must not be overtaken by an older state
                await self.ctx.states.flush(self.channel_id)
                if outcome == CallOutcome.ANSWERED:
                    await self.ctx.queue.caller_gone(self.channel_id)
                await self.ctx.store.end(
                    channel_id=self.channel_id,
                    outcome=outcome,
                    path=list(self.state.path),
                    metrics=self.metrics.as_json(),
                    ended_at=utcnow(),
                )
                ended = {**self._public_state(), "outcome": outcome.value}
                # One line a call: with JSON logs it carries the call's and order's ids.
                log.info("call %s ended: %s", self.channel_id, outcome.value)
                if ended["utility"] and self.ctx.moments is not None:
                    self.ctx.moments.note(self.channel_id, CLASSIFIED, utcnow(),
                                          {"utility": ended["utility"]})
                self.ctx.hub.publish("call_ended", ended)

    async def _keep_and_hear(self, name: str, number: str, order: cmd.CreateOrder) -> None:
        """The recording kept and understood; a hazard it names reaches the call, which may
        still owe the caller advice (ivr/flows/hotline.yaml hazard_advice)."""
        hazards = await keep_call_recording(self.ctx, name, number, order)
        if hazards:
            self.inbox.put_nowait(ev.HazardsHeard(hazards))

    def _join_incident(self, number: str, order: cmd.CreateOrder) -> None:
        """A caller who heard about an outage and still reports it joins its incident; off
        the call's path, so the order number is read back without waiting for the write."""
        heard = self.state is not None and any(p.startswith("notice:") for p in self.state.path)
        if heard and self.ctx.announcements is not None:
            link = self.ctx.announcements.link_call_order(
                order_number=number, channel_id=self.channel_id, utility=order.utility,
                at=utcnow())
            self._in_background(link)

    def _public_state(self) -> dict[str, Any]:
        assert self.state is not None
        return {
            "channel_id": self.channel_id,
            "caller_number": self.caller_number,
            "node": self.state.node,
            "phase": self.state.phase,
            "path": list(self.state.path),
            "utility": self.state.vars.utility.value if self.state.vars.utility else None,
            "order_type": (
                self.state.vars.order_type.value if self.state.vars.order_type else None
            ),
        }

    async def _enter_queue(self, command: cmd.EnterQueue) -> None:
        assert self.state is not None
        emergency = self.state.vars.order_type == OrderType.EMERGENCY_REPAIR
        queued = await self.ctx.queue.enqueue(
            call_id=self.channel_id,
            utility=command.utility,
            emergency=emergency,
            inbox=self.inbox,
            caller_number=self.caller_number,
            context=self._public_state(),
        )
        if not queued:
            self.inbox.put_nowait(ev.QueueUnavailable())
        else:
            self.inbox.put_nowait(self.ctx.queue.position(self.channel_id))

    def _after_failure(self, command: cmd.Command) -> None:
        if isinstance(command, cmd.Record):
            self.inbox.put_nowait(ev.RecordingFailed(command.name, "record_failed"))
        elif isinstance(command, cmd.Play):
            self.inbox.put_nowait(ev.PlaybackDone(command.playback_id))

    async def _quiet(self) -> None:
        # Keep RTP flowing while we wait for a key, so the caller hears the prompt end.
        with contextlib.suppress(AriError):
            await self.ctx.ari.start_silence(self.channel_id)

    # -- background work --------------------------------------------------------------

    async def _find_answer(self, command: cmd.FindAnswer) -> None:
        voice = self.ctx.knowledge
        found = (await voice.find(self.ctx.ari, command) if voice is not None
                 else ev.AnswerNotFound("no-speech"))
        self.inbox.put_nowait(found)

    def _in_background(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(work)
        self.ctx.background.add(task)
        task.add_done_callback(self.ctx.background.discard)
