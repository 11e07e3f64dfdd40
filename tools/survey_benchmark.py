"""Issue 11's second benchmark: how many callback survey calls a minute the box places without
raising the inbound callers' DTMF -> prompt p99 by more than 10 ms.

One run, several phases against one running `serve`: in each, the same inbound load (real
calls through the IVR, Poisson arrivals, each key pressed after its prompt ends, as
`hotline12319 loadtest --heard`) while units report orders handled at a rising rate, so the
survey worker rings that many citizens a minute on the caller simulator (who answer and press
1). Phase 0 has no surveys: the baseline. For each phase: the surveys rung and answered, and
the hotline's own DTMF -> prompt percentiles over the phase's inbound keys. Needs `serve`
started with HOTLINE_SURVEY_DELAY_SECONDS=0, HOTLINE_SURVEY_HOURS covering now and a survey
policy whose `max_concurrent` does not cap the rates (scripts/survey_benchmark.sh does this).

    scripts/survey_benchmark.sh --rates 0,10,20,40 --calls 24 --arrivals 0.4 --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from datetime import UTC, datetime
from typing import Any

import aiohttp

from ari_app.client import AriClient
from hotline12319.settings import Settings, load_settings
from routing.agencies.directory import load_directory
from routing.dispatch.assignment import dispatch
from routing.enums import OrderType, Utility
from routing.orders.lifecycle import Command
from routing.orders.order_service import Intake, OrderEngine, apply_event, create_order
from routing.orders.transitions import Event, Role
from routing.store.db import make_engine, make_sessionmaker
from tools.caller import SAY_SUBDIR
from tools.callersim import Answerer, CallerSim, CallTrace, Scenario, hotline_call
from tools.loadtest import arrival_offsets, mixed_keys, percentiles, serve_usage

UNIT = "industry-water"
BUDGET_MS = 10.0  # the p99 rise a survey rate may cost


async def received_order(engine: OrderEngine, citizen: str) -> str:
    """A water maintenance order dispatched to its unit and signed for: ready to report."""
    intake = Intake(utility=Utility.WATER, order_type=OrderType.MAINTENANCE,
                    description="survey benchmark: 水表漏水", caller_number=citizen,
                    district="历下区")
    row = await create_order(engine, intake=intake, actor="bench", now=datetime.now(UTC))
    await dispatch(engine, number=row.number, actor="bench", role=Role.BUSINESS_SECTION,
                   at=datetime.now(UTC), agency_id=UNIT)
    await _unit_says(engine, row.number, Event.RECEIVE)
    return row.number


async def _unit_says(engine: OrderEngine, number: str, event: Event) -> None:
    command = Command(event=event, actor="bench-unit", role=Role.AGENCY, at=datetime.now(UTC),
                      actor_agency=UNIT, reason="已修复，试水正常")
    await apply_event(engine, number=number, command=command)


async def report_at_rate(engine: OrderEngine, numbers: list[str], per_minute: float,
                         done: list[str]) -> None:
    """Report orders handled, one every 60/per_minute s, until cancelled (or none left)."""
    if per_minute <= 0:
        return
    gap, started = 60.0 / per_minute, time.monotonic()
    for number in numbers:
        await _unit_says(engine, number, Event.REPORT_HANDLED)
        done.append(number)
        await asyncio.sleep(max(0.0, started + len(done) * gap - time.monotonic()))


async def inbound(sim: CallerSim, http: aiohttp.ClientSession, args: argparse.Namespace
                  ) -> list[float]:
    """The phase's inbound calls (the same in every phase); the hotline's DTMF -> prompt
    times of their keys."""
    rng = random.Random(args.seed)
    offsets = arrival_offsets(args.calls, args.arrivals, rng)
    scenarios = [Scenario(keys=mixed_keys(rng), wait_prompt_end=True, timeout=180)
                 for _ in offsets]
    started = time.monotonic()

    async def one(scenario: Scenario, offset: float) -> CallTrace:
        await asyncio.sleep(started + offset - time.monotonic())
        return await sim.place(scenario)

    traces = await asyncio.gather(*(one(s, o) for s, o in zip(scenarios, offsets, strict=True)))
    records = await asyncio.gather(*(hotline_call(http, args.api, t.token) for t in traces))
    return [ms for r in records if r for ms in r["metrics"].get("dtmf_to_prompt_ms", [])]


async def phase(sim: CallerSim, http: aiohttp.ClientSession, engine: OrderEngine,
                args: argparse.Namespace, rate: float, index: int) -> dict[str, Any]:
    """Inbound calls while units report at `rate` a minute, for as long as the calls last."""
    citizens = [f"1371{index:02d}{n:05d}" for n in range(int(rate * args.max_minutes) + 1)]
    answerer = Answerer(voice=None, press="1", press_after=args.press_after)
    numbers = [await received_order(engine, c) for c in citizens]
    sim.answerers.update(dict.fromkeys(citizens, answerer))
    reported: list[str] = []
    cpu_before, started = serve_usage(), time.monotonic()
    reports = asyncio.create_task(report_at_rate(engine, numbers, rate, reported))
    dtmf = await inbound(sim, http, args)
    reports.cancel()
    wall, cpu_after = time.monotonic() - started, serve_usage()
    cpu = (cpu_after["cpu_seconds"] - cpu_before["cpu_seconds"]
           if cpu_before and cpu_after else None)
    await asyncio.sleep(args.settle)  # the last survey calls end
    return {"surveys_per_minute_asked": rate, "reported": len(reported),
            "survey_calls_rung": len(answerer.rung),
            "survey_calls_answered": len(answerer.answered),
            "survey_calls_per_minute": round(len(answerer.rung) / wall * 60, 1),
            "wall_seconds": round(wall, 1),
            "serve_cpu_share": None if cpu is None else round(cpu / wall, 3),
            "dtmf_to_prompt_ms": percentiles(dtmf)}


def verdict(phases: list[dict[str, Any]]) -> dict[str, Any]:
    """The highest survey rate whose p99 stayed within the budget of the baseline's."""
    base = (phases[0]["dtmf_to_prompt_ms"] or {}).get("p99")
    within = [p for p in phases[1:] if base is not None and p["dtmf_to_prompt_ms"]
              and p["dtmf_to_prompt_ms"]["p99"] <= base + BUDGET_MS]
    best = max(within, key=lambda p: p["survey_calls_per_minute"], default=None)
    return {"baseline_p99_ms": base, "budget_ms": BUDGET_MS,
            "max_survey_calls_per_minute_within_budget":
                best["survey_calls_per_minute"] if best else 0.0}


async def run(settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    args.api = f"http://{settings.http_host}:{settings.http_port}"
    db = make_engine(args.database_url or settings.database_url)
    engine = OrderEngine(sessions=make_sessionmaker(db), directory=load_directory())
    try:
        async with aiohttp.ClientSession() as http:
            ari = AriClient(http, settings.caller_ari_url, settings.ari_user,
                            settings.ari_password)
            say_dir = settings.sandbox_root / SAY_SUBDIR
            async with CallerSim(ari, settings.caller_ari_app, say_dir, f"/{SAY_SUBDIR}") as sim:
                phases = [await phase(sim, http, engine, args, rate, i)
                          for i, rate in enumerate(args.rates)]
    finally:
        await db.dispose()
    return {"phases": phases, **verdict(phases)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", type=lambda s: [float(r) for r in s.split(",")],
                        default=[0.0, 10.0, 20.0, 40.0],
                        help="survey reports a minute per phase; the first should be 0")
    parser.add_argument("--calls", type=int, default=24, help="inbound calls per phase")
    parser.add_argument("--arrivals", type=float, default=0.4, help="inbound calls a second")
    parser.add_argument("--max-minutes", type=float, default=3.0,
                        help="orders prepared per phase: rate x this (a phase lasts ~2 min)")
    parser.add_argument("--press-after", type=float, default=6.0)
    parser.add_argument("--settle", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=12319)
    parser.add_argument("--database-url")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(load_settings(), args)), indent=2))


if __name__ == "__main__":
    main()
