"""`hotline12319 citizen answer`: the sandbox citizen's phone, rung by the hotline (回访).

The caller simulator's dialplan hands a call to a mobile number to the `citizen` ARI app
when one listens (dialplans/caller/extensions.conf, [to-citizen]); this command is that app
for one call. It answers like a person: Asterisk's talk detection on the citizen's channel
tells when the hotline speaks and when it stops; each key is pressed once the hotline has
stopped talking (the question is over). It prints what it heard (talk spells), what it
pressed, and the order number the call is about, which the hotline sends with the call.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import aiohttp

from ari_app.client import AriClient, AriError, read_events
from hotline12319.errors import CommandError
from hotline12319.settings import load_settings

CITIZEN_APP = "citizen"  # the app [to-citizen] hands calls to
ORDER_HEADER = "X-Hotline-Order"  # set by ari_app/survey_calls.py on the call
SILENCE_MS = 1200  # quiet this long after talk: the hotline stopped speaking
END_EVENTS = frozenset({"StasisEnd", "ChannelDestroyed"})


@dataclass
class Heard:
    """What the citizen's phone went through on one call."""

    number: str = ""  # the number the hotline dialled
    caller_id: str = ""
    order_number: str | None = None
    answered: bool = False
    talk: list[dict[str, float]] = field(default_factory=list)  # spells of hotline speech, s
    keys: list[str] = field(default_factory=list)
    hung_up_by: str | None = None  # "hotline" | "citizen"
    seconds: float = 0.0


class _Phone:
    def __init__(self, ari: AriClient, events: asyncio.Queue[dict[str, Any]]) -> None:
        self.ari, self.events = ari, events
        self.heard = Heard()
        self.channel_id = ""
        self.started = 0.0
        self._talk_from: float | None = None

    async def ring(self) -> None:
        event = await self._until({"StasisStart"})
        channel = event["channel"]
        self.channel_id, self.started = channel["id"], time.monotonic()
        self.heard.number = (event.get("args") or [""])[0]
        self.heard.caller_id = channel.get("caller", {}).get("number", "")
        with contextlib.suppress(AriError):
            value = await self.ari.request(
                "GET", f"/channels/{self.channel_id}/variable",
                params={"variable": f"PJSIP_HEADER(read,{ORDER_HEADER})"})
            self.heard.order_number = (value or {}).get("value") or None

    async def pick_up(self) -> None:
        await self.ari.answer(self.channel_id)
        self.heard.answered = True
        await self.ari.set_variable(self.channel_id, "TALK_DETECT(set)", str(SILENCE_MS))
        await self.ari.start_silence(self.channel_id)  # a phone sends audio all the time

    async def press_after_talk(self, key: str) -> None:
        await self._until({"ChannelTalkingStarted"})
        await self._until({"ChannelTalkingFinished"})
        await self.ari.send_dtmf(self.channel_id, key)
        self.heard.keys.append(key)
        with contextlib.suppress(AriError):
            await self.ari.start_silence(self.channel_id)

    async def listen_to_the_end(self) -> None:
        with contextlib.suppress(_HungUp):
            await self._until(set())

    async def _until(self, kinds: set[str]) -> dict[str, Any]:
        while True:
            event = await self.events.get()
            kind = event.get("type", "")
            if self.channel_id and _channel_of(event) not in ("", self.channel_id):
                continue
            self._note_talk(kind)
            if kind in END_EVENTS:
                self.heard.hung_up_by = self.heard.hung_up_by or "hotline"
                raise _HungUp()
            if kind in kinds:
                return event

    def _note_talk(self, kind: str) -> None:
        now = time.monotonic() - self.started
        if kind == "ChannelTalkingStarted":
            self._talk_from = now
        elif kind == "ChannelTalkingFinished" and self._talk_from is not None:
            self.heard.talk.append({"start": round(self._talk_from, 2),
                                    "seconds": round(now - self._talk_from, 2)})
            self._talk_from = None


class _HungUp(Exception):
    pass


def _channel_of(event: dict[str, Any]) -> str:
    return str(event.get("channel", {}).get("id", ""))


async def answer_next(ari: AriClient, *, keys: list[str], within: float, pick_up: bool = True,
                      on_listening: Callable[[], None] | None = None) -> Heard:
    """Wait for the hotline's next call to a citizen, answer it, press `keys`; what happened."""
    events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    async with ari.connect_events(CITIZEN_APP) as ws:
        if not await ari.app_registered(CITIZEN_APP):
            raise CommandError("the caller simulator did not register the citizen app")
        if on_listening is not None:
            on_listening()
        reader = asyncio.create_task(_pump(ws, events))
        phone = _Phone(ari, events)
        try:
            async with asyncio.timeout(within):
                await _converse(phone, keys, pick_up)
        except TimeoutError:
            if not phone.channel_id:
                raise CommandError(f"no call from the hotline within {within:g} s") from None
            phone.heard.hung_up_by = "citizen"
            with contextlib.suppress(AriError):
                await ari.hangup(phone.channel_id)
        finally:
            reader.cancel()
    phone.heard.seconds = round(time.monotonic() - phone.started, 2) if phone.started else 0.0
    return phone.heard


async def _converse(phone: _Phone, keys: list[str], pick_up: bool) -> None:
    await phone.ring()
    if not pick_up:
        await phone.listen_to_the_end()  # let it ring until the hotline gives up
        return
    await phone.pick_up()
    try:
        for key in keys:
            await phone.press_after_talk(key)
    except _HungUp:
        return
    await phone.listen_to_the_end()


async def _pump(ws: aiohttp.ClientWebSocketResponse, events: asyncio.Queue[dict[str, Any]]
                ) -> None:
    async for event in read_events(ws):
        events.put_nowait(event)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["answer"], help="answer the hotline's next call")
    parser.add_argument("--keys", default="", help="keys to press after the question: 1")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds to wait for the call and talk in all")
    parser.add_argument("--no-answer", action="store_true", help="let it ring, never answer")
    parser.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    keys = [k.strip() for k in args.keys.split(",") if k.strip()]
    if any(len(k) != 1 or k not in "0123456789*#" for k in keys):
        raise CommandError(f"--keys takes DTMF keys separated by commas, not {args.keys!r}")
    heard = asyncio.run(_answer(keys, args.timeout, not args.no_answer))
    if args.json:
        json.dump(asdict(heard), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(f"call to {heard.number} from {heard.caller_id} about order {heard.order_number}: "
              f"{len(heard.talk)} spells of speech, pressed {','.join(heard.keys) or 'nothing'}")
    return 0


async def _answer(keys: list[str], within: float, pick_up: bool) -> Heard:
    settings = load_settings()
    async with aiohttp.ClientSession() as http:
        ari = AriClient(http, settings.caller_ari_url, settings.ari_user, settings.ari_password)
        try:
            return await answer_next(ari, keys=keys, within=within, pick_up=pick_up,
                                     on_listening=_say_listening)
        except (aiohttp.ClientError, AriError) as exc:
            raise CommandError(f"caller simulator unreachable ({exc}); run `sandbox up`") from exc


def _say_listening() -> None:
    print("citizen: listening", file=sys.stderr, flush=True)  # a script may wait for this
