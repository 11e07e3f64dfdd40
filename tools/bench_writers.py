"""Order create + dispatch with several writers on one PostgreSQL (issue 14, acceptance 3).

N processes, as N hotline nodes would, each drive rate/N orders a second open-loop through
`routing.orders.order_service` (the code the API runs; tools/bench_orders.py's `drive`),
all starting at one instant; their latencies are pooled into one report per rate step.

    .venv/bin/python -m tools.bench_writers --writers 2 --rate 100 200 300 500 --seconds 20 \\
        --json --database-url postgresql+asyncpg://hotline:hotline@127.0.0.1:5432/hotline_bench

The scratch database is reset once (only a `*_bench` one unless --force-reset).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import make_url

from tools.bench_orders import (
    DEFAULT_URL,
    CpuMeter,
    RateRun,
    _drop_schema,
    check_scratch,
    drive,
    intakes,
    machine,
    order_engine,
    rate_report,
    reset_schema,
    warm_up,
)

START_MARGIN_S = 10.0  # time for every writer to import, connect and warm up before the start


def writer(url: str, rate: float, seconds: float, seed: int, start_at: float
           ) -> tuple[RateRun, dict[str, float]]:
    """One node's share, in a process of its own (started by the pool)."""
    return asyncio.run(_write(url, rate, seconds, seed, start_at))


async def _write(url: str, rate: float, seconds: float, seed: int, start_at: float
                 ) -> tuple[RateRun, dict[str, float]]:
    engine, orders = order_engine(url)
    districts = list(orders.directory.districts)
    try:
        await warm_up(orders, seed - 1, districts)
        await asyncio.sleep(max(0.0, start_at - time.monotonic()))  # one clock for all
        batch = intakes(int(rate * seconds), seed, districts)
        async with CpuMeter() as meter:
            run = await drive(orders, batch, rate)
        return run, meter.result
    finally:
        await engine.dispose()


def pooled(runs: Sequence[RateRun], rate: float) -> RateRun:
    """The writers' runs as one: arrivals of all, from the first arrival to the last done."""
    merged = RateRun(rate=rate, scheduled=sum(r.scheduled for r in runs),
                     t0=min(r.t0 for r in runs), last_arrival=max(r.last_arrival for r in runs),
                     last_done=max(r.last_done for r in runs),
                     max_in_flight=sum(r.max_in_flight for r in runs))
    for r in runs:
        merged.latency += r.latency
        merged.service += r.service
        merged.create += r.create
        merged.dispatch += r.dispatch
        merged.start_lag += r.start_lag
        for name, count in r.errors.items():
            merged.errors[name] = merged.errors.get(name, 0) + count
    return merged


def step(url: str, writers: int, rate: float, seconds: float, seed: int) -> dict[str, Any]:
    start_at = time.monotonic() + START_MARGIN_S  # CLOCK_MONOTONIC: one clock for processes
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=writers, mp_context=context) as pool:
        futures = [pool.submit(writer, url, rate / writers, seconds, seed + 1000 * n, start_at)
                   for n in range(writers)]
        results = [f.result() for f in futures]
    runs = [run for run, _ in results]
    cpu = {"bench_process_pct": round(sum(c["bench_process_pct"] for _, c in results), 1),
           "postgres_pct": results[0][1]["postgres_pct"],
           "machine_pct": results[0][1]["machine_pct"]}
    report = rate_report(pooled(runs, rate), cpu)
    report["writers"] = writers
    report["start_skew_ms"] = round(1000 * (max(r.t0 for r in runs) - min(r.t0 for r in runs)), 1)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench_writers", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--writers", type=int, default=2)
    parser.add_argument("--rate", type=float, nargs="+", default=[100.0, 200.0, 500.0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=12319)
    parser.add_argument("--force-reset", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    check_scratch(args.database_url, args.force_reset)
    result: dict[str, Any] = {
        "command": " ".join([".venv/bin/python -m tools.bench_writers", *sys.argv[1:]]),
        "started": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
        "database": make_url(args.database_url).render_as_string(hide_password=True),
        "reset_s": round(reset_schema(args.database_url), 2), "create_dispatch": []}
    try:
        for n, rate in enumerate(args.rate):
            result["create_dispatch"].append(
                step(args.database_url, args.writers, rate, args.seconds, args.seed + n))
    finally:
        asyncio.run(_drop_schema(args.database_url))
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else
          "\n".join(f"{r['target_rate']:g}/s: achieved {r['achieved_rate']}, p99 "
                    f"{r['latency_ms'].get('p99')} ms, errors {sum(r['errors'].values())}"
                    for r in result["create_dispatch"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
