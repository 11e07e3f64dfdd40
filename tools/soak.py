"""A long call through the whole hotline (issue 6, "a 30-minute call"): `make soak`.

A real SIP call presses 3 then 0, is put through to an agent (an auto-answering softphone on
the caller simulator) and the two stay on the line for `--minutes`. Meanwhile `serve`'s memory
and CPU are sampled, and short IVR calls keep arriving, so a long call is shown not to hold
anything up. At the end the hotline must have the call as answered for the whole time, the
conversation recording must cover it, and a fresh call must still end with an order.

    HOTLINE_WRAP_UP_SECONDS=2 hotline12319 serve &
    python -m tools.soak --minutes 30 --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import datetime
from typing import Any

import aiohttp

from ari_app.client import AriClient, AriError
from hotline12319.settings import Settings, load_settings
from tools.api_login import admin_headers
from tools.caller import SAY_SUBDIR
from tools.callersim import Answerer, CallerSim, Scenario, hotline_call
from tools.loadtest import serve_usage
from tools.queue_benchmark import TO_AGENT

PHONE = "qagent1"
AGENT = "soak_qagent1"
WAV_BYTES_PER_SECOND = 16_000  # 8 kHz, 16-bit mono: what Asterisk records a bridge in


async def agent_state(http: aiohttp.ClientSession, api: str, state: str,
                      admin: dict[str, str]) -> None:
    if state == "available":
        body = {"name": "soak", "endpoint": f"PJSIP/{PHONE}", "skills": {"gas": 1, "general": 1}}
        async with http.put(f"{api}/api/agents/{AGENT}", json=body, headers=admin) as r:
            r.raise_for_status()
    async with http.post(f"{api}/api/agents/{AGENT}/state", json={"state": state},
                         headers=admin) as r:
        r.raise_for_status()


async def sample(samples: list[dict[str, Any]], every: float) -> None:
    started = time.monotonic()
    while True:
        usage = serve_usage()
        if usage is not None:
            samples.append({"t_s": round(time.monotonic() - started), **usage})
        await asyncio.sleep(every)


async def short_calls(sim: CallerSim, api: str, http: aiohttp.ClientSession,
                      every: float, outcomes: list[str]) -> None:
    """An IVR call now and then while the long call is up; their outcomes."""
    while True:
        await asyncio.sleep(every)
        trace = await sim.place(Scenario(keys=["9", "3"], caller_number="13900000001"))
        record = await hotline_call(http, api, trace.token)
        outcomes.append(record["outcome"] if record else "missing")


async def conversation_seconds(ari: AriClient, channel_id: str) -> float | None:
    name = f"conv-{channel_id}"
    try:
        data = await ari.request("GET", f"/recordings/stored/{name}")
    except AriError:
        return None
    size = data.get("size") if isinstance(data, dict) else None
    if size is None:
        size = len(await ari.stored_recording(name))
    return round(int(size) / WAV_BYTES_PER_SECOND, 1)


async def soak(settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    api = f"http://{settings.http_host}:{settings.http_port}"
    seconds = args.minutes * 60
    samples: list[dict[str, Any]] = []
    outcomes: list[str] = []
    async with aiohttp.ClientSession() as http:
        caller = AriClient(http, settings.caller_ari_url, settings.ari_user, settings.ari_password)
        hotline = AriClient(http, settings.ari_url, settings.ari_user, settings.ari_password)
        async with CallerSim(caller, settings.caller_ari_app, settings.sandbox_root / SAY_SUBDIR,
                             f"/{SAY_SUBDIR}") as sim:
            sim.answerers[PHONE] = Answerer(answer_after=0.3, hang_up_after=None, voice=None)
            admin = await admin_headers(settings, api)  # agent writes need a login
            await agent_state(http, api, "available", admin)
            background = [
                asyncio.create_task(sample(samples, args.sample_every)),
                asyncio.create_task(short_calls(sim, api, http, args.short_every, outcomes)),
            ]
            try:
                # The caller hangs up when the scenario's time is up: the long call's length.
                trace = await sim.place(Scenario(keys=TO_AGENT, caller_number="13900000030",
                                                 timeout=seconds))
            finally:
                for task in background:
                    task.cancel()
                await asyncio.gather(*background, return_exceptions=True)
            record = await hotline_call(http, api, trace.token, wait=30)
            final = await sim.place(Scenario(keys=["9", "3"], caller_number="13900000002"))
            final_record = await hotline_call(http, api, final.token)
            await asyncio.sleep(3)  # wrap-up
            await agent_state(http, api, "logged_out", admin)
            # The conversation is recorded under the hotline's id of the call, not ours.
            recorded = (await conversation_seconds(hotline, record["channel_id"])
                        if record else None)
    return report(args, trace.channel_id, record, final_record, recorded, samples, outcomes)


def report(args: argparse.Namespace, channel_id: str, record: dict[str, Any] | None,
           final: dict[str, Any] | None, recorded: float | None,
           samples: list[dict[str, Any]], outcomes: list[str]) -> dict[str, Any]:
    talked = None
    if record and record.get("answered_at") and record.get("ended_at"):
        talked = round((_when(record["ended_at"]) - _when(record["answered_at"])).total_seconds())
    result = {
        "minutes": args.minutes, "channel": channel_id,
        "outcome": record["outcome"] if record else None, "path": (record or {}).get("path"),
        "call_seconds": talked, "conversation_recording_seconds": recorded,
        "short_calls_during": outcomes, "after_the_soak": final["outcome"] if final else None,
        "serve_rss_mib_first_last_max": _rss(samples), "serve_cpu_seconds": _cpu(samples),
        "samples": samples,
    }
    result["ok"] = bool(
        result["outcome"] == "answered" and talked and talked >= args.minutes * 60 - 60
        and recorded and recorded >= args.minutes * 60 - 90
        and result["after_the_soak"] == "completed"
        and all(outcome == "completed" for outcome in outcomes))
    return result


def _when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def _rss(samples: list[dict[str, Any]]) -> list[float] | None:
    rss = [s["rss_mib"] for s in samples]
    return [rss[0], rss[-1], max(rss)] if rss else None


def _cpu(samples: list[dict[str, Any]]) -> float | None:
    return round(samples[-1]["cpu_seconds"] - samples[0]["cpu_seconds"], 2) if samples else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="soak", description=__doc__)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--sample-every", type=float, default=60.0, help="seconds")
    parser.add_argument("--short-every", type=float, default=120.0,
                        help="seconds between short IVR calls during the long one")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.minutes <= 0:
        print("soak: --minutes must be positive", file=sys.stderr)
        return 2
    result = asyncio.run(soak(load_settings(), args))
    print(json.dumps(result, indent=2, default=str))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
