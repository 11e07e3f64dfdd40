"""Issue 11's benchmark: how long an emergency phoned in waits for its unit.

N real gas-emergency calls (keys 3, 1) through the running hotline, C at a time; the unit's
duty line on the caller simulator answers and presses 1 after `--press-after` seconds (a duty
officer's reaction, subtracted from nothing: the figure is what a citizen's order waits).
From each order's audit trail: commit -> dispatch (the automatic dispatcher) and
commit -> receipt (the duty line's DTMF 1). Needs `hotline12319 serve` running on the
database given by --database-url (default: the configured one).

    .venv/bin/python -m tools.dispatch_benchmark --calls 50 --concurrency 10 --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

import aiohttp
from sqlalchemy import select

from ari_app.client import AriClient
from hotline12319.settings import Settings, load_settings
from routing.store.db import make_engine, make_sessionmaker
from routing.store.models import AuditEvent
from tools.caller import SAY_SUBDIR
from tools.callersim import Answerer, CallerSim, Scenario, hotline_call
from tools.loadtest import percentiles

DUTY = "duty-industry-gas"


async def place_calls(settings: Settings, args: argparse.Namespace) -> list[str]:
    """The order numbers the calls left."""
    gate = asyncio.Semaphore(args.concurrency)
    async with aiohttp.ClientSession() as http:
        ari = AriClient(http, settings.caller_ari_url, settings.ari_user, settings.ari_password)
        say_dir = settings.sandbox_root / SAY_SUBDIR
        async with CallerSim(ari, settings.caller_ari_app, say_dir, f"/{SAY_SUBDIR}") as sim:
            sim.answerers[DUTY] = Answerer(voice=None, press="1", press_after=args.press_after)
            api = f"http://{settings.http_host}:{settings.http_port}"

            async def one(index: int) -> str | None:
                async with gate:
                    trace = await sim.place(Scenario(keys=["3", "1"], timeout=150,
                                                     caller_number=f"1390000{index:04d}"))
                record = await hotline_call(http, api, trace.token)
                number = ((record or {}).get("order") or {}).get("number")
                return str(number) if number else None

            numbers = await asyncio.gather(*(one(i) for i in range(args.calls)))
            await asyncio.sleep(args.settle)  # the last duty calls still ringing
    return [n for n in numbers if n]


async def trails(url: str, numbers: list[str]) -> dict[str, dict[str, float]]:
    """number -> {action: first time (epoch seconds)} for created, dispatch, receive."""
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            rows = await session.execute(
                select(AuditEvent.entity_id, AuditEvent.action, AuditEvent.at)
                .where(AuditEvent.entity_id.in_(numbers),
                       AuditEvent.action.in_(("created", "dispatch", "receive"))))
            found: dict[str, dict[str, float]] = {}
            for number, action, at in rows:
                found.setdefault(number, {}).setdefault(action, at.timestamp())
            return found
    finally:
        await engine.dispose()


def summary(found: dict[str, dict[str, float]], calls: int, wall: float) -> dict[str, Any]:
    def waits(action: str) -> list[float]:
        return [(t[action] - t["created"]) * 1000 for t in found.values()
                if "created" in t and action in t]

    dispatched, received = waits("dispatch"), waits("receive")
    return {"calls": calls, "orders": len(found), "dispatched": len(dispatched),
            "received": len(received), "wall_seconds": round(wall, 1),
            "commit_to_dispatch_ms": percentiles(dispatched),
            "commit_to_receipt_ms": percentiles(received)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--press-after", type=float, default=1.0)
    parser.add_argument("--settle", type=float, default=20.0)
    parser.add_argument("--database-url")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    settings = load_settings()
    started = time.monotonic()
    numbers = asyncio.run(place_calls(settings, args))
    found = asyncio.run(trails(args.database_url or settings.database_url, numbers))
    result = summary(found, args.calls, time.monotonic() - started)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
