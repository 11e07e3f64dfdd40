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

from ari_app.client import AriClient, AriError, AriNotFound
from ari_app.queue import QueueService
from ari_app.speech import CallSpeech
from ari_app.state_writer import StateWriter
from ari_app.storage import CallStore
from console.live import LiveHub
from ivr import commands as cmd
from ivr import events as ev
from ivr.flow import CallState, FlowEngine
from ivr.queueing import ENDED
from recordings.store import keep_copy, wav_seconds
from routing.announcement_board import AnnouncementBoard
from routing.enums import CallOutcome, OrderType
from routing.repository import utcnow

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
    speech: CallSpeech | None = None
    announcements: AnnouncementBoard | None = None
    background: set[asyncio.Task[Any]] = field(default_factory=set)


@dataclass
class CallMetrics:
    answer_ms: float | None = None
    dtmf_to_prompt_ms: list[float] = field(default_factory=list)
    # Our share of it: key read off the websocket -> the play request leaving for Asterisk.
    dtmf_to_play_request_ms: list[float] = field(default_factory=list)
    digit_seen_at: float | None = None  # set by the websocket reader, before the inbox
    pending_digit_at: float | None = None
    awaited_playback: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"answer_ms": self.answer_ms, "dtmf_to_prompt_ms": self.dtmf_to_prompt_ms,
                "dtmf_to_play_request_ms": self.dtmf_to_play_request_ms}


class CallRunner:
    def __init__(self, ctx: CallContext, channel_id: str) -> None:
        self.ctx = ctx
        self.channel_id = channel_id
        self.inbox: asyncio.Queue[ev.CallEvent | PlaybackStarted] = asyncio.Queue()
        self.metrics = CallMetrics()
        self.state: CallState | None = None
        self.caller_number: str | None = None
        self._timers: list[asyncio.TimerHandle] = []
        self.writer = StateWriter(ctx.store, channel_id)

    async def run_new(self, channel: dict[str, Any], received_at: float) -> None:
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
        self.state, self.caller_number = state, caller_number
        await self._feed(first)
        await self._loop()

    async def _loop(self) -> None:
        try:
            while self.state is not None and self.state.phase != ENDED:
                event = await self.inbox.get()
                if isinstance(event, PlaybackStarted):
                    self._playback_started(event.playback_id)
                    continue
                await self._feed(event)
        finally:
            for timer in self._timers:
                timer.cancel()
            await self.writer.close()

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
        self.writer.write(self.state.snapshot(), utcnow() if answered else None)

    # -- carrying out commands --------------------------------------------------------------

    async def _execute(self, commands: list[cmd.Command], received_at: float | None = None) -> None:
        for command in commands:
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
                self._expect_playback(playback_id)
                self._play_requested()
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
                    self._keep_recording(command.recording_name, number, command)
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
                await self.writer.flush()  # the end must not be overtaken by an older state
                if outcome == CallOutcome.ANSWERED:
                    await self.ctx.queue.caller_gone(self.channel_id)
                await self.ctx.store.end(
                    channel_id=self.channel_id,
                    outcome=outcome,
                    path=list(self.state.path),
                    metrics=self.metrics.as_json(),
                    ended_at=utcnow(),
                )
                self.ctx.hub.publish(
                    "call_ended", {**self._public_state(), "outcome": outcome.value}
                )

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

    # -- measurements -------------------------------------------------------------------------

    def _expect_playback(self, playback_id: str) -> None:
        self.metrics.awaited_playback = playback_id

    def _play_requested(self) -> None:
        m = self.metrics
        if m.pending_digit_at is not None:
            m.dtmf_to_play_request_ms.append(
                round((time.monotonic() - m.pending_digit_at) * 1000, 2))

    def _playback_started(self, playback_id: str) -> None:
        m = self.metrics
        if m.pending_digit_at is not None and playback_id == m.awaited_playback:
            m.dtmf_to_prompt_ms.append(round((time.monotonic() - m.pending_digit_at) * 1000, 2))
            m.pending_digit_at = None

    # -- recordings -----------------------------------------------------------------------

    def _keep_recording(self, name: str, order_number: str, order: cmd.CreateOrder) -> None:
        self._in_background(self._copy_recording(name, order_number, order))

    def _in_background(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(work)
        self.ctx.background.add(task)
        task.add_done_callback(self.ctx.background.discard)

    async def _copy_recording(self, name: str, order_number: str, order: cmd.CreateOrder) -> None:
        try:
            path, data = await keep_copy(self.ctx.ari, name, self.ctx.recordings_dir, order_number)
        except (AriError, OSError) as exc:
            log.error(
                "order %s: recording %s not stored (%s); Asterisk's spool still holds it",
                order_number, name, exc,
            )
            await self.ctx.store.recording_not_stored(
                order_number=order_number, recording_name=name, error=f"{type(exc).__name__}: {exc}"
            )
            return
        await self.ctx.store.attach_recording(
            order_number=order_number, path=str(path), size=len(data), seconds=wav_seconds(data)
        )
        if self.ctx.speech is not None:
            await self.ctx.speech.attach(
                order_number=order_number,
                recording=path,
                keys_utility=order.utility,
                keys_type=order.order_type,
            )


@dataclass(frozen=True, slots=True)
class PlaybackStarted:
    """Only measured, never given to the engine."""

    playback_id: str
