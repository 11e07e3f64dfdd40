"""Queue entry -> caller connected to an agent: our ACD against Asterisk's own Queue().

Both run in the same process run, on the same Asterisk, with the same eight auto-answering
softphones (endpoints qagent1..8, answered by the caller simulator), the same menus (3, then
0 for a person), the same transfer prompt, ring time and wrap-up, and the same arrivals.
Times come from one clock: Asterisk's own event timestamps, seen by an ARI observer that
subscribes to everything on the hotline instance. A call's wait runs from the DTMF "0" that
asks for a person (and, the headline, from entering the queue: Queue() starting, or our
transfer prompt ending) to the moment the caller's channel shares a bridge with an agent.

    HOTLINE_WRAP_UP_SECONDS=2 HOTLINE_AGENT_RING_SECONDS=15 hotline12319 serve &
    python -m tools.queue_benchmark --calls 40 --gap 1.0 --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import datetime
from typing import Any

import aiohttp

from ari_app.client import AriClient, read_events
from hotline12319.settings import Settings, load_settings
from tools.api_login import admin_headers
from tools.caller import SAY_SUBDIR
from tools.callersim import Answerer, CallerSim, Scenario
from tools.loadtest import percentiles

SOFTPHONES = [f"qagent{n}" for n in range(1, 9)]  # as in dialplans/hotline/queues.conf
SYSTEMS = {"hotline12319": "12319", "asterisk_queue": "12321"}
TO_AGENT = ["3", "0"]


class BridgeObserver:
    """Every channel on the hotline Asterisk: when a caller asked for a person, and when
    the caller first shared a bridge with someone (the agent)."""

    def __init__(self, ari: AriClient) -> None:
        self.ari = ari
        self.asked: dict[str, datetime] = {}  # caller number -> DTMF 0
        self.channel_of: dict[str, str] = {}  # caller channel id -> caller number
        self.queued: dict[str, datetime] = {}  # caller number -> entered the queue
        self.connected: dict[str, datetime] = {}
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def __aenter__(self) -> BridgeObserver:
        self._task = asyncio.create_task(self._watch())
        await asyncio.wait_for(self._ready.wait(), 10)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()

    async def _watch(self) -> None:
        async with self.ari.connect_events("queue-benchmark", subscribe_all=True) as ws:
            self._ready.set()
            async for event in read_events(ws):
                self.see(event)

    def see(self, event: dict[str, Any]) -> None:
        kind, channel = event.get("type"), event.get("channel") or {}
        number = (channel.get("caller") or {}).get("number", "")
        if kind == "ChannelDtmfReceived" and event.get("digit") == "0" and number:
            self.asked.setdefault(number, _when(event))
            self.channel_of[channel["id"]] = number
        elif kind in ("PlaybackFinished", "ChannelDialplan"):
            self._entered_queue(event)
        elif kind == "ChannelEnteredBridge":
            members = (event.get("bridge") or {}).get("channels", [])
            for member in members:
                caller = self.channel_of.get(member)
                if caller is not None and len(members) >= 2:
                    self.connected.setdefault(caller, _when(event))


    def _entered_queue(self, event: dict[str, Any]) -> None:
        """Queue entry: Queue() starting in the dialplan, or (ours) the transfer prompt
        ending in the app, which is when the IVR puts the caller in line."""
        if event["type"] == "ChannelDialplan":
            if event.get("dialplan_app") != "Queue":
                return
            channel_id = event["channel"]["id"]
        else:
            playback = event.get("playback") or {}
            if "agent_transfer" not in playback.get("media_uri", ""):
                return
            channel_id = playback.get("target_uri", "").removeprefix("channel:")
        number = self.channel_of.get(channel_id)
        if number is not None:
            self.queued.setdefault(number, _when(event))


def _when(event: dict[str, Any]) -> datetime:
    return datetime.strptime(event["timestamp"], "%Y-%m-%dT%H:%M:%S.%f%z")


async def agents_logged_in(http: aiohttp.ClientSession, api: str, state: str,
                           admin: dict[str, str]) -> None:
    """Our ACD gets the same eight softphones as Queue() (they log out after the run)."""
    for phone in SOFTPHONES:
        if state == "available":
            body = {"name": phone, "endpoint": f"PJSIP/{phone}",
                    "skills": {"gas": 1, "general": 1}}
            async with http.put(f"{api}/api/agents/bench_{phone}", json=body,
                                headers=admin) as r:
                r.raise_for_status()
        async with http.post(f"{api}/api/agents/bench_{phone}/state",
                             json={"state": state}, headers=admin) as r:
            r.raise_for_status()


async def run_calls(sim: CallerSim, observer: BridgeObserver, system: str,
                    args: argparse.Namespace) -> dict[str, Any]:
    prefix = "1391" if system == "hotline12319" else "1392"
    numbers = [f"{prefix}{args.seed % 1000:03d}{n:04d}" for n in range(args.calls)]

    async def one(index: int, number: str) -> None:
        await asyncio.sleep(index * args.gap)
        await sim.place(Scenario(keys=TO_AGENT, caller_number=number, timeout=180),
                        SYSTEMS[system])

    await asyncio.gather(*(one(i, n) for i, n in enumerate(numbers)))
    waits = _waits(observer.queued, observer.connected, numbers)
    return {"calls": len(numbers), "connected": len(waits),
            "queue_entry_to_agent_ms": percentiles(waits),
            "key_0_to_agent_ms": percentiles(
                _waits(observer.asked, observer.connected, numbers)),
            "within_15s": sum(w <= 15_000 for w in waits)}


def _waits(start: dict[str, datetime], end: dict[str, datetime],
           numbers: list[str]) -> list[float]:
    return [(end[n] - start[n]).total_seconds() * 1000
            for n in numbers if n in start and n in end]


async def bench(settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    api = f"http://{settings.http_host}:{settings.http_port}"
    async with aiohttp.ClientSession() as http:
        hotline = AriClient(http, settings.ari_url, settings.ari_user, settings.ari_password)
        caller = AriClient(http, settings.caller_ari_url, settings.ari_user,
                           settings.ari_password)
        say_dir = settings.sandbox_root / SAY_SUBDIR
        async with (BridgeObserver(hotline) as observer,
                    CallerSim(caller, settings.caller_ari_app, say_dir, f"/{SAY_SUBDIR}") as sim):
            for phone in SOFTPHONES:
                sim.answerers[phone] = Answerer(answer_after=args.answer_after,
                                                hang_up_after=args.talk, voice=None)
            result: dict[str, Any] = {}
            for system in SYSTEMS:
                if system == "hotline12319":
                    admin = await admin_headers(settings, api)  # agent writes need a login
                    await agents_logged_in(http, api, "available", admin)
                try:
                    result[system] = await run_calls(sim, observer, system, args)
                finally:
                    if system == "hotline12319":
                        await asyncio.sleep(args.talk + 3)  # wrap-up before logging out
                        await agents_logged_in(http, api, "logged_out", admin)
    return {"softphones": len(SOFTPHONES), "gap_s": args.gap, "talk_s": args.talk,
            "answer_after_s": args.answer_after, **result}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--gap", type=float, default=1.0, help="seconds between arrivals")
    parser.add_argument("--talk", type=float, default=3.0, help="agent talk time, s")
    parser.add_argument("--answer-after", type=float, default=0.0,
                        help="softphone auto-answer delay, s")
    parser.add_argument("--seed", type=int, default=12319)
    parser.add_argument("--json", action="store_true")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="queue_benchmark", description=__doc__)
    add_arguments(parser)
    args = parser.parse_args(argv)
    if args.calls < 1 or args.gap < 0:
        print("queue_benchmark: --calls >= 1 and --gap >= 0", file=sys.stderr)
        return 2
    result = asyncio.run(bench(load_settings(), args))
    print(json.dumps(result, indent=2, default=str))
    connected = all(result[s]["connected"] == result[s]["calls"] for s in SYSTEMS)
    return 0 if connected else 1


if __name__ == "__main__":
    raise SystemExit(main())
