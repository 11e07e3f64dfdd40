"""`hotline12319 call`: one real simulated call, and what the hotline made of it."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from pathlib import Path
from typing import Any

import aiohttp

from ari_app.client import AriClient
from hotline12319.errors import CommandError
from hotline12319.settings import Settings, load_settings
from tools import cluster_nodes
from tools.callersim import CallerSim, CallTrace, Scenario, hotline_call

SAY_SUBDIR = "srv/hotline12319/caller/say"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--keys", default="", help="keys to press, comma-separated: 3,1")
    parser.add_argument("--say", type=Path, help="8 kHz mono WAV to speak after the tone")
    parser.add_argument("--caller", default="13800000000", help="the caller's number")
    parser.add_argument("--number", default="12319", help="number to dial")
    parser.add_argument(
        "--hangup-after-keys",
        action="store_true",
        help="hang up a second after the last key (abandon mid-menu)",
    )
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    keys = [k.strip() for k in args.keys.split(",") if k.strip()]
    if any(len(k) != 1 or k not in "0123456789*#" for k in keys):
        raise CommandError(f"--keys takes DTMF keys separated by commas, not {args.keys!r}")
    if args.say is not None and not args.say.is_file():
        raise CommandError(f"--say: no such file {args.say}")
    scenario = Scenario(
        keys=keys,
        say=args.say,
        caller_number=args.caller,
        hang_up_after_keys=args.hangup_after_keys,
        timeout=args.timeout,
    )
    result = asyncio.run(place_call(load_settings(), scenario, args.number))
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        _print_human(result)
    if not result["completed"]:
        print("hotline12319 call: the scenario did not complete (keys not all sent, "
              "no answer, or timed out)", file=sys.stderr)
    return 0 if result["hotline"] is not None and result["completed"] else 1


def completed(scenario: Scenario, trace: CallTrace) -> bool:
    """Every key was sent, the words were said if there were any, and nothing timed out."""
    return (trace.answered_at is not None and trace.keys_sent == scenario.keys
            and (scenario.say is None or trace.said)
            and all(kind != "timeout" for _, kind in trace.events))


async def place_call(settings: Settings, scenario: Scenario, number: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http:
        ari = AriClient(http, settings.caller_ari_url, settings.ari_user, settings.ari_password)
        say_dir = settings.sandbox_root / SAY_SUBDIR
        # An ARI app of its own: a second `call` running at once would otherwise take the
        # shared app's event stream and this call would hear no keys or prompts.
        app = f"{settings.caller_ari_app}-call-{uuid.uuid4().hex[:8]}"
        try:
            async with CallerSim(ari, app, say_dir, f"/{SAY_SUBDIR}") as sim:
                trace = await sim.place(scenario, number)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise CommandError(f"caller simulator unreachable ({exc}); run `sandbox up`") from exc
        api = cluster_nodes.api_url(settings)
        try:
            hotline = await hotline_call(http, api, trace.token)
        except aiohttp.ClientError as exc:
            raise CommandError(f"hotline API unreachable at {api} ({exc}); run `serve`") from exc
    return {**summarise(trace, hotline), "completed": completed(scenario, trace)}


def summarise(trace: CallTrace, hotline: dict[str, Any] | None) -> dict[str, Any]:
    order = (hotline or {}).get("order")
    duration = None
    if trace.answered_at and trace.ended_at:
        duration = round(trace.ended_at - trace.answered_at, 2)
    return {
        "channel": trace.channel_id,
        "keys_sent": trace.keys_sent,
        "said": trace.said,
        "call_seconds": duration,
        "order": order,
        "order_number": order["number"] if order else None,
        "path": (hotline or {}).get("path"),
        "outcome": (hotline or {}).get("outcome"),
        "metrics": (hotline or {}).get("metrics"),
        "hotline": hotline,
    }


def _print_human(result: dict[str, Any]) -> None:
    print(
        f"call {result['channel']}: keys {','.join(result['keys_sent'])} "
        f"-> {result['outcome']} in {result['call_seconds']} s"
    )
    print(f"IVR path: {' > '.join(result['path'] or [])}")
    order = result["order"]
    if order:
        print(
            f"order {order['number']}: {order['utility']} {order['order_type']}, "
            f"recording {order['recording']['bytes']} bytes"
        )
    else:
        print("no order")
