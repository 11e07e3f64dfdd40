"""`hotline12319 loadtest`: many real calls through the whole IVR, and what they measured.

Two views of latency: the hotline's own (StasisStart -> answered, key received -> next
prompt started, from each call session's metrics) and the caller's ear (key sent -> the
caller's talk detection hears the hotline again; needs `--heard`, which waits for each prompt
to end before pressing, like a first-time caller). `--number 12320` runs the same scenario
against the pure-dialplan IVR on the same Asterisk: the baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from bisect import bisect_right
from pathlib import Path
from statistics import quantiles
from typing import Any

import aiohttp

from ari_app.client import AriClient
from hotline12319.settings import Settings, load_settings
from tools import cluster_nodes
from tools.caller import SAY_SUBDIR
from tools.callersim import CallerSim, CallTrace, Scenario, hotline_call


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=5)
    parser.add_argument("--number", default="12319", help="12320: the dialplan baseline")
    parser.add_argument("--rate", type=float,
                        help="calls arriving per second (Poisson, seeded), as a day's callers "
                             "do; default: all at once, up to --concurrency")
    parser.add_argument("--heard", action="store_true",
                        help="press each key after the prompt ends; time key -> audio heard")
    parser.add_argument("--seed", type=int, default=12319)
    parser.add_argument("--say-dir", type=Path,
                        help="each call speaks one of these 8 kHz WAVs after the tone")
    parser.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    if args.calls < 1 or not 1 <= args.concurrency <= 400 or (args.rate is not None
                                                               and args.rate <= 0):
        print("loadtest: --calls >= 1, 1 <= --concurrency <= 400, --rate > 0", file=sys.stderr)
        return 2
    result = asyncio.run(load(load_settings(), args))
    print(json.dumps(result, indent=2) if args.json else _table(result))
    return 0 if result["failed"] == 0 else 1


def arrival_offsets(calls: int, rate: float | None, rng: random.Random) -> list[float]:
    """Seconds after the start at which each call dials: a Poisson stream at `rate` a second,
    or all at once (the worst case: every caller's menus in step)."""
    if rate is None:
        return [0.0] * calls
    offsets, at = [], 0.0
    for _ in range(calls):
        offsets.append(at)
        at += rng.expovariate(rate)
    return offsets


def in_progress(traces: list[CallTrace]) -> list[tuple[float, int]]:
    """(time, calls answered and not yet ended) after each answer and each end."""
    changes = sorted([(t.answered_at, 1) for t in traces if t.answered_at is not None]
                     + [(t.ended_at, -1) for t in traces
                        if t.answered_at is not None and t.ended_at is not None])
    level, steps = 0, []
    for at, change in changes:
        level += change
        steps.append((at, level))
    return steps


def keys_at_load(traces: list[CallTrace], steps: list[tuple[float, int]], level: int) -> float:
    """The share of keys sent while at least `level` calls were in progress."""
    key_times = [at for t in traces for at in t.keys_sent_at]
    if not key_times:
        return 0.0
    times = [at for at, _ in steps]
    loaded = sum(1 for at in key_times
                 if (i := bisect_right(times, at)) and steps[i - 1][1] >= level)
    return round(loaded / len(key_times), 3)


def mixed_keys(rng: random.Random) -> list[str]:
    """A utility and a request type, as the day's calls spread over the menu."""
    return [str(rng.randint(1, 9)), str(rng.randint(1, 4))]


async def load(settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    voices = sorted(args.say_dir.glob("*.wav")) if args.say_dir else []
    scenarios = [
        Scenario(keys=mixed_keys(rng), wait_prompt_end=args.heard, timeout=180,
                 say=voices[n % len(voices)] if voices else None)
        for n in range(args.calls)
    ]
    offsets = arrival_offsets(args.calls, args.rate, rng)
    gate = asyncio.Semaphore(args.concurrency)
    cpu_before, started = _cpu_seconds(), time.monotonic()
    async with aiohttp.ClientSession() as http:
        ari = AriClient(http, settings.caller_ari_url, settings.ari_user, settings.ari_password)
        say_dir = settings.sandbox_root / SAY_SUBDIR
        async with CallerSim(ari, settings.caller_ari_app, say_dir, f"/{SAY_SUBDIR}") as sim:

            async def one(scenario: Scenario, offset: float) -> CallTrace:
                await asyncio.sleep(started + offset - time.monotonic())
                async with gate:
                    return await sim.place(scenario, args.number)

            traces = await asyncio.gather(
                *(one(s, o) for s, o in zip(scenarios, offsets, strict=True)))
        wall = time.monotonic() - started
        records = await _hotline_records(http, settings, traces, args.number)
    cpu_after = _cpu_seconds()
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return _summary(traces, records, wall, cpu, args)


async def _hotline_records(
    http: aiohttp.ClientSession, settings: Settings, traces: list[CallTrace], number: str
) -> list[dict[str, Any] | None]:
    if number != "12319":
        return [None for _ in traces]
    api = cluster_nodes.api_url(settings)
    return list(await asyncio.gather(*(hotline_call(http, api, t.token) for t in traces)))


def _summary(
    traces: list[CallTrace], records: list[dict[str, Any] | None], wall: float,
    cpu: float | None, args: argparse.Namespace,
) -> dict[str, Any]:
    answered = [t for t in traces if t.answered_at is not None]
    completed = [r for r in records if r and r["outcome"] == "completed" and r["order"]]
    ours = args.number == "12319"
    failed = len(traces) - (len(completed) if ours else len([t for t in answered if t.ended_at]))
    answer = [r["metrics"]["answer_ms"] for r in records if r and r["metrics"].get("answer_ms")]
    dtmf = [ms for r in records if r for ms in r["metrics"].get("dtmf_to_prompt_ms", [])]
    our_share = [ms for r in records if r
                 for ms in r["metrics"].get("dtmf_to_play_request_ms", [])]
    asterisk_share = [ms for r in records if r
                      for ms in r["metrics"].get("play_request_to_started_ms", [])]
    heard = [ms for t in traces for ms in t.heard_ms]
    steps = in_progress(traces)
    return {
        "number": args.number, "calls": len(traces), "concurrency": args.concurrency,
        "rate": args.rate, "peak_in_progress": max((n for _, n in steps), default=0),
        "keys_at_95pct_load": keys_at_load(traces, steps, int(args.concurrency * 0.95)),
        "answered": len(answered), "completed": len(completed) if ours else None,
        "failed": failed, "wall_seconds": round(wall, 1),
        "serve_cpu_seconds": None if cpu is None else round(cpu, 2),
        "stasis_to_answer_ms": percentiles(answer),
        "dtmf_to_prompt_ms": percentiles(dtmf),
        "dtmf_to_play_request_ms": percentiles(our_share),
        "play_request_to_started_ms": percentiles(asterisk_share),
        "key_to_heard_ms": percentiles(heard),
    }


def percentiles(values: list[float]) -> dict[str, float | int] | None:
    if not values:
        return None
    ordered = sorted(values)
    cuts = quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else ordered * 99
    return {"n": len(ordered), "p50": round(cuts[49], 2), "p99": round(cuts[98], 2),
            "max": round(ordered[-1], 2)}


def serve_usage() -> dict[str, float] | None:
    """CPU seconds and resident memory (MiB) of the `serve` process (from /proc), if it
    runs on this machine."""
    for cmdline_path in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            cmdline = cmdline_path.read_bytes().split(b"\0")
            if b"serve" not in cmdline or not any(b"hotline12319" in c or b"hotline12319.cli" in c
                                                  for c in cmdline):
                continue
            fields = (cmdline_path.parent / "stat").read_text().rsplit(")", 1)[1].split()
            rss_pages = int((cmdline_path.parent / "statm").read_text().split()[1])
        except (OSError, ValueError, IndexError):
            continue
        return {"cpu_seconds": (int(fields[11]) + int(fields[12])) / 100.0,
                "rss_mib": round(rss_pages * 4096 / 2**20, 1)}
    return None


def _cpu_seconds() -> float | None:
    usage = serve_usage()
    return None if usage is None else usage["cpu_seconds"]


def _table(result: dict[str, Any]) -> str:
    lines = [f"{k}: {v}" for k, v in result.items()]
    return "\n".join(lines)
