"""A simulated citizen: real SIP calls from the caller Asterisk, driven over its own ARI.

The caller listens the way a person does: Asterisk's talk detection on the caller's channel
tells when the hotline starts and stops speaking, and keys are pressed while a prompt plays.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import time
import uuid
import wave
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from ari_app.client import AriClient, AriError, read_events

# The hotline's prompts have pauses under a second; a longer quiet means the prompt ended.
SILENCE_MS = 1200
# The hotline must answer within three rings; the originate itself gives up after 30 s.
ANSWER_WAIT_SECONDS = 40.0

log = logging.getLogger(__name__)


@dataclass
class Scenario:
    keys: list[str]
    say: Path | None = None
    caller_number: str = "13800000000"
    hang_up_after_keys: bool = False
    key_delay: float = 1.0
    timeout: float = 120.0
    # Seconds to wait before each key (instead of key_delay), e.g. to press during a queue.
    key_delays: list[float] | None = None
    # Press each key only after the prompt has ended, and time key -> hotline heard again.
    wait_prompt_end: bool = False
    # Called after each key with its index: lets a test break things mid-call.
    after_key: Callable[[int], Awaitable[None]] | None = None


@dataclass
class CallTrace:
    channel_id: str
    token: str
    events: list[tuple[float, str]] = field(default_factory=list)
    answered_at: float | None = None
    ended_at: float | None = None
    keys_sent: list[str] = field(default_factory=list)
    keys_sent_at: list[float] = field(default_factory=list)  # time.monotonic()
    heard_ms: list[float] = field(default_factory=list)
    said: bool = False


@dataclass
class Answerer:
    """How a simulated softphone (an agent, or a citizen called back) treats its calls."""

    answer: bool = True
    answer_after: float = 0.3
    hang_up_after: float | None = None  # None: talk until the other side hangs up
    voice: str | None = "/srv/hotline12319/prompts/welcome"  # what it says on answering
    press: str | None = None  # a key to press once the caller has heard enough
    press_after: float = 0.0
    answered: list[str] = field(default_factory=list)  # channel ids, in order
    rung: list[str] = field(default_factory=list)


def new_trace() -> CallTrace:
    token = uuid.uuid4().hex[:12]
    return CallTrace(channel_id=f"sim-{token}", token=token)


class CallerSim:
    """One websocket for the caller instance; events are routed to calls by channel id.

    Calls *to* the caller instance (the hotline ringing an agent, or calling a citizen back)
    arrive as StasisStart with the dialled number; an `Answerer` registered for that number
    picks up like a softphone set to auto-answer.
    """

    def __init__(self, ari: AriClient, app: str, say_dir: Path, say_uri: str) -> None:
        self.ari = ari
        self.app = app
        self.say_dir = say_dir
        self.say_uri = say_uri
        self._inboxes: dict[str, asyncio.Queue[dict[str, Any]]] = {}
        self.answerers: dict[str, Answerer] = {}
        self._phones: set[asyncio.Task[None]] = set()
        self._reader: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def __aenter__(self) -> CallerSim:
        self._reader = asyncio.create_task(self._read())
        await asyncio.wait_for(self._ready.wait(), timeout=10)
        return self

    async def __aexit__(self, *exc: object) -> None:
        for task in list(self._phones):
            task.cancel()
        if self._reader:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def _read(self) -> None:
        while True:
            async with self.ari.connect_events(self.app) as ws:
                if not await self.ari.app_registered(self.app):
                    continue  # Asterisk dropped the app under this connection: connect again
                self._ready.set()
                async for event in read_events(ws):
                    self._route(event)
            log.warning("caller simulator's events websocket closed; reconnecting")
            await asyncio.sleep(0.2)

    def _route(self, event: dict[str, Any]) -> None:
        channel_id = _channel_of(event)
        inbox = self._inboxes.get(channel_id or "")
        if inbox is not None:
            inbox.put_nowait(event)
        elif event.get("type") == "StasisStart" and channel_id:
            self._ring(channel_id, (event.get("args") or [""])[0])

    def _ring(self, channel_id: str, number: str) -> None:
        answerer = self.answerers.get(number)
        if answerer is None:
            return
        answerer.rung.append(channel_id)
        inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._inboxes[channel_id] = inbox
        task = asyncio.create_task(self._pick_up(channel_id, answerer, inbox))
        self._phones.add(task)
        task.add_done_callback(self._phones.discard)

    async def _pick_up(
        self, channel_id: str, answerer: Answerer, inbox: asyncio.Queue[dict[str, Any]]
    ) -> None:
        try:
            if not answerer.answer:
                return  # let it ring until the hotline gives up
            await asyncio.sleep(answerer.answer_after)
            await self.ari.answer(channel_id)
            answerer.answered.append(channel_id)
            if answerer.voice:
                await self.ari.play(channel_id, f"voice-{channel_id}", [f"sound:{answerer.voice}"])
            if answerer.press:
                await asyncio.sleep(answerer.press_after)
                await self.ari.send_dtmf(channel_id, answerer.press)
            if answerer.hang_up_after is not None:
                await asyncio.sleep(answerer.hang_up_after)
                await self.ari.hangup(channel_id)
        except AriError:
            pass  # the hotline hung up first
        finally:
            self._inboxes.pop(channel_id, None)

    async def place(
        self, scenario: Scenario, number: str = "12319", trace: CallTrace | None = None
    ) -> CallTrace:
        """`trace`: one the test made (`new_trace()`) to watch what the caller hears live."""
        trace = trace or new_trace()
        inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._inboxes[trace.channel_id] = inbox
        try:
            await asyncio.wait_for(self._drive(scenario, number, trace, inbox), scenario.timeout)
        except TimeoutError:
            trace.events.append((time.monotonic(), "timeout"))
            with contextlib.suppress(AriError, aiohttp.ClientError, RuntimeError):
                await self.ari.hangup(trace.channel_id)
        finally:
            self._inboxes.pop(trace.channel_id, None)
        return trace

    async def _drive(
        self,
        scenario: Scenario,
        number: str,
        trace: CallTrace,
        inbox: asyncio.Queue[dict[str, Any]],
    ) -> None:
        call = _Call(self, trace, inbox)
        await self.ari.originate(
            endpoint=f"PJSIP/{number}@hotline",
            app=self.app,
            channelId=trace.channel_id,
            callerId=f'"sim-{trace.token}" <{scenario.caller_number}>',
            timeout=30,
        )
        # The originate rings for at most 30 s; after that the call can only be lost.
        await asyncio.wait_for(call.until("StasisStart"), ANSWER_WAIT_SECONDS)
        trace.answered_at = time.monotonic()
        await self.ari.set_variable(trace.channel_id, "TALK_DETECT(set)", f"{SILENCE_MS}")
        await call.keep_line_open()
        await call.until("ChannelTalkingStarted")  # the greeting: the hotline is there
        for index, key in enumerate(scenario.keys):
            if scenario.wait_prompt_end:
                await call.press_after_prompt(key)
            else:
                # The next prompt starts within milliseconds of a key, so a caller who knows
                # the menu presses the next key a moment into it, as people do.
                delays = scenario.key_delays
                await asyncio.sleep(delays[index] if delays else scenario.key_delay)
                await call.press(key)
            if scenario.after_key is not None:
                await scenario.after_key(index)
        if scenario.hang_up_after_keys:
            await asyncio.sleep(1.0)
            await self.ari.hangup(trace.channel_id)
        elif scenario.say is not None:
            await call.say_after_prompt(scenario.say)
        await call.until_hangup()

    def stage(self, wav: Path, token: str) -> str:
        """Copy the utterance where the caller Asterisk can play it; return its media URI."""
        with wave.open(str(wav)) as audio:
            if (audio.getframerate(), audio.getnchannels(), audio.getsampwidth()) != (8000, 1, 2):
                raise ValueError(f"{wav}: need 8 kHz mono 16-bit WAV")
        self.say_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(wav, self.say_dir / f"say-{token}.wav")
        return f"sound:{self.say_uri}/say-{token}"


class _Call:
    def __init__(self, sim: CallerSim, trace: CallTrace, inbox: asyncio.Queue[dict[str, Any]]):
        self.sim = sim
        self.trace = trace
        self.inbox = inbox
        self.hung_up = False
        self.talking = False

    async def until(self, *kinds: str) -> dict[str, Any]:
        while True:
            event = await self.inbox.get()
            kind = event.get("type", "")
            self.trace.events.append((time.monotonic(), kind))
            if kind in ("ChannelTalkingStarted", "ChannelTalkingFinished"):
                self.talking = kind == "ChannelTalkingStarted"
            if kind in ("StasisEnd", "ChannelDestroyed"):
                self.hung_up = True
                self.trace.ended_at = time.monotonic()
                if kind not in kinds:
                    raise HotlineHungUp()
            if kind in kinds:
                return event

    async def press(self, key: str) -> None:
        await self.sim.ari.send_dtmf(self.trace.channel_id, key)
        self.trace.keys_sent.append(key)
        self.trace.keys_sent_at.append(time.monotonic())
        await self.keep_line_open()

    async def press_after_prompt(self, key: str) -> None:
        if self.talking:
            await self.until("ChannelTalkingFinished")
        sent = time.monotonic()
        await self.press(key)
        await self.until("ChannelTalkingStarted")
        self.trace.heard_ms.append(round((time.monotonic() - sent) * 1000, 1))

    async def keep_line_open(self) -> None:
        # A phone sends audio all the time; without it the hotline cannot hear silence.
        with contextlib.suppress(AriError):
            await self.sim.ari.start_silence(self.trace.channel_id)

    async def say_after_prompt(self, wav: Path) -> None:
        media = self.sim.stage(wav, self.trace.token)
        await asyncio.sleep(0.5)  # let the next prompt begin
        if self.talking:
            await self.until("ChannelTalkingFinished")  # prompt and tone over: recording
        playback_id = f"say-{self.trace.token}"
        await self.sim.ari.play(self.trace.channel_id, playback_id, [media])
        await self.until("PlaybackFinished")
        self.trace.said = True
        await self.keep_line_open()

    async def until_hangup(self) -> None:
        if not self.hung_up:
            with contextlib.suppress(HotlineHungUp):
                await self.until("StasisEnd", "ChannelDestroyed")


class HotlineHungUp(Exception):
    pass


def _channel_of(event: dict[str, Any]) -> str | None:
    if "channel" in event:
        return str(event["channel"].get("id"))
    for key in ("playback", "recording"):
        uri = event.get(key, {}).get("target_uri", "")
        if uri.startswith("channel:"):
            return str(uri.split(":", 1)[1])
    return None


async def hotline_call(
    http: aiohttp.ClientSession, api_url: str, token: str, *, wait: float = 15.0
) -> dict[str, Any] | None:
    """The hotline's record of our call, once it has ended and its recording is stored."""
    deadline = time.monotonic() + wait
    found: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        async with http.get(f"{api_url}/api/calls", params={"caller_name": f"sim-{token}"}) as r:
            calls = (await r.json()).get("calls", [])
        found = dict(calls[0]) if calls else None
        if found and found["ended_at"] and _recording_settled(found):
            return found
        await asyncio.sleep(0.2)
    return found


def _recording_settled(call: dict[str, Any]) -> bool:
    order = call.get("order")
    return order is None or not order["recording"]["name"] or order["recording"]["stored"]
