"""Benchmark of the work-order engine on PostgreSQL (DESIGN.md "Performance targets").

Two measurements, on a scratch database whose schema is dropped and migrated afresh:

1. create + dispatch: `routing.orders.order_service.create_order` then `dispatch` (the code the API
   runs; the packaged agency directory has no webhooks, so no HTTP), driven open-loop: order
   i arrives at t0 + i/rate whatever happened to the ones before, so a slow system builds a
   queue instead of slowing the generator down. Latency runs from the scheduled arrival to the
   dispatch's commit (queueing included); `service` from the actual start.
2. deadline sweep: N open orders bulk-loaded with one INSERT ... SELECT generate_series
   (statuses spread over the open states, about 1 % late), VACUUM ANALYZE, then one
   `routing.dispatch.sweeper.sweep_once` (wall time) against the baseline a user would write
   instead:
   SELECT every open order (all columns) and keep the late ones in Python. Both must find the
   same late set; the sweep runs a second time at the same instant (every notice exists:
   the ON CONFLICT DO NOTHING path).

    .venv/bin/python -m tools.bench_orders --json --orders 1000000 --rate 50 75 100 250 500 \\
        --seconds 20 --database-url postgresql+asyncpg://hotline:hotline@127.0.0.1:5432/hotline_bench

Only a database whose name ends in `_bench` is reset unless --force-reset is given.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import random
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from routing.agencies.directory import load_directory
from routing.dispatch.assignment import dispatch
from routing.dispatch.sweeper import RECEIPT_STATES, RESOLVE_STATES, SweepPolicy, _late, sweep_once
from routing.enums import OrderType, Utility
from routing.orders.lifecycle import Command, Event, Order, apply, as_json
from routing.orders.order_service import Intake, OrderEngine, create_order
from routing.orders.transitions import Role, State
from routing.store.db import make_engine, make_sessionmaker
from routing.store.migrate import upgrade
from routing.store.models import WorkOrder
from routing.store.order_tables import Notification

DEFAULT_URL = "postgresql+asyncpg://hotline:hotline@127.0.0.1:5432/hotline_bench"
TARGET_P99_MS = 20.0
TARGET_RATE = 500.0
TARGET_SWEEP_S = 1.0
SUSTAINED_SHARE = 0.97  # achieved / offered rate that counts as keeping up
SUSTAINED_DRAIN_S = 1.0  # ... with the queue gone this soon after the last arrival
WARMUP_ORDERS = 50
ACTOR = "bench-agent"
DESCRIPTIONS = ("小区门口路面塌陷，有积水", "路灯不亮已经三天了", "家里停水，没有通知",
                "闻到燃气味，楼道里很明显", "暖气不热，室温只有十四度", "河道有垃圾漂浮")


# --- pure helpers -------------------------------------------------------------------------

def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank q-th percentile (0 < q <= 100) of values: a value that occurred."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 < q <= 100:
        raise ValueError(f"q must be in (0, 100], not {q}")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p90/p99/max/mean of durations given in seconds, in milliseconds."""
    if not seconds:
        return {}
    ms = [s * 1000 for s in seconds]
    return {"p50": round(percentile(ms, 50), 2), "p90": round(percentile(ms, 90), 2),
            "p99": round(percentile(ms, 99), 2), "max": round(max(ms), 2),
            "mean": round(sum(ms) / len(ms), 2)}


def arrival_offsets(rate: float, seconds: float) -> list[float]:
    """Open-loop schedule: the offsets (s) of evenly spaced arrivals at `rate` per second."""
    if rate <= 0 or seconds <= 0:
        raise ValueError("rate and seconds must be positive")
    return [i / rate for i in range(int(rate * seconds))]


def late_pairs(rows: Sequence[tuple[int, str, datetime | None, datetime | None]],
               now: datetime) -> set[tuple[int, str]]:
    """The naive sweeper's filter: (order id, "receipt" | "resolve") of every late limit, from
    (id, status, receipt_due, resolve_due) rows; the same states as `routing.dispatch.sweeper`."""
    late: set[tuple[int, str]] = set()
    for order_id, status, receipt_due, resolve_due in rows:
        if status in RECEIPT_STATES and receipt_due is not None and receipt_due <= now:
            late.add((order_id, "receipt"))
        if status in RESOLVE_STATES and resolve_due is not None and resolve_due <= now:
            late.add((order_id, "resolve"))
    return late


# --- CPU accounting (Linux /proc) ---------------------------------------------------------

def _ticks() -> float:
    return float(os.sysconf("SC_CLK_TCK"))


def postgres_cpu() -> dict[int, float]:
    """CPU seconds so far of every process named postgres (server and backends), by pid."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, rest = stat.read_text().split(") ", 1)
        except (OSError, ValueError):
            continue
        if name.endswith("(postgres"):
            fields = rest.split()
            found[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / _ticks()
    return found


def machine_busy() -> float:
    """Busy CPU seconds of the whole machine so far, all cores (idle and iowait excluded)."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0
    ticks = [int(x) for x in first[:8]]
    return (sum(ticks) - ticks[3] - ticks[4]) / _ticks()


class CpuMeter:
    """CPU used during a block, in % of one core (a 2-core machine tops out at 200): this
    process, the PostgreSQL processes, and the machine as a whole. Backends come and go (the
    pool's overflow connections), so PostgreSQL is sampled every `every` seconds and each
    backend counts from its first to its last sighting (a backend's last moments are lost)."""

    def __init__(self, every: float = 0.5) -> None:
        self.every = every
        self._task: asyncio.Task[None] | None = None
        self._base: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._start = (0.0, 0.0, 0.0)
        self.result: dict[str, float] = {}

    def _sample(self) -> None:
        for pid, cpu in postgres_cpu().items():
            self._base.setdefault(pid, 0.0)  # born during the block: count it all
            self._last[pid] = cpu

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            self._sample()

    async def __aenter__(self) -> CpuMeter:
        self._base = postgres_cpu()
        self._last = dict(self._base)
        self._start = (time.perf_counter(), time.process_time(), machine_busy())
        self._task = asyncio.create_task(self._poll())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._sample()
        wall = max(time.perf_counter() - self._start[0], 1e-9)
        postgres = sum(self._last[pid] - self._base[pid] for pid in self._last)
        self.result = {
            "bench_process_pct": round(100 * (time.process_time() - self._start[1]) / wall, 1),
            "postgres_pct": round(100 * postgres / wall, 1),
            "machine_pct": round(100 * (machine_busy() - self._start[2]) / wall, 1)}


# --- the scratch database -----------------------------------------------------------------

def check_scratch(url: str, force: bool) -> None:
    name = make_url(url).database or ""
    if not (name.endswith("_bench") or force):
        raise SystemExit(f"bench_orders: refusing to reset database {name!r} (not *_bench); "
                         "pass --force-reset if it really is a scratch database")


async def _drop_schema(url: str) -> None:
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


def reset_schema(url: str) -> float:
    """Empty the database and migrate it to head; returns the seconds it took."""
    started = time.perf_counter()
    asyncio.run(_drop_schema(url))
    upgrade(url)  # alembic runs its own event loop: call it outside ours
    return time.perf_counter() - started


def order_engine(url: str) -> tuple[AsyncEngine, OrderEngine]:
    """The same engine and pool the server builds (routing.store.db.make_engine)."""
    engine = make_engine(url)
    return engine, OrderEngine(sessions=make_sessionmaker(engine), directory=load_directory())


# --- 1. create + dispatch -----------------------------------------------------------------

def intakes(count: int, seed: int, districts: Sequence[str]) -> list[Intake]:
    """A seeded mix of the nine utilities, the request types and the districts."""
    rng = random.Random(seed)
    kinds = [OrderType.MAINTENANCE] * 4 + [OrderType.COMPLAINT] * 2 + [
        OrderType.EMERGENCY_REPAIR, OrderType.HELP, OrderType.CONSULTATION]
    return [Intake(
        utility=rng.choice(list(Utility)), order_type=rng.choice(kinds),
        description=rng.choice(DESCRIPTIONS), caller_number=f"139{rng.randrange(10**8):08d}",
        district=rng.choice([*districts, None]), address=f"经十路{rng.randint(1, 9999)}号",
    ) for _ in range(count)]


@dataclass
class RateRun:
    rate: float
    scheduled: int = 0
    latency: list[float] = field(default_factory=list)  # scheduled arrival -> dispatched
    service: list[float] = field(default_factory=list)  # actual start -> dispatched
    create: list[float] = field(default_factory=list)
    dispatch: list[float] = field(default_factory=list)
    start_lag: list[float] = field(default_factory=list)  # actual start - scheduled arrival
    errors: dict[str, int] = field(default_factory=dict)
    in_flight: int = 0
    max_in_flight: int = 0
    t0: float = 0.0  # the first arrival (event-loop clock)
    last_arrival: float = 0.0
    last_done: float = 0.0


async def one_order(engine: OrderEngine, intake: Intake, run: RateRun, scheduled: float) -> None:
    loop = asyncio.get_running_loop()
    began = loop.time()
    run.start_lag.append(began - scheduled)
    run.in_flight += 1
    run.max_in_flight = max(run.max_in_flight, run.in_flight)
    try:
        row = await create_order(engine, intake=intake, actor=ACTOR, now=datetime.now(UTC))
        created = loop.time()
        await dispatch(engine, number=row.number, actor=ACTOR, role=Role.CENTER_STAFF,
                       at=datetime.now(UTC))
    except Exception as exc:  # counted and reported: a benchmark run goes on
        run.errors[type(exc).__name__] = run.errors.get(type(exc).__name__, 0) + 1
        return
    finally:
        run.in_flight -= 1
    done = loop.time()
    run.create.append(created - began)
    run.dispatch.append(done - created)
    run.service.append(done - began)
    run.latency.append(done - scheduled)
    run.last_done = max(run.last_done, done)


async def drive(engine: OrderEngine, orders: Sequence[Intake], rate: float) -> RateRun:
    """Launch orders[i] at t0 + i/rate (open loop) and wait for all of them."""
    loop = asyncio.get_running_loop()
    t0 = loop.time() + 0.05
    run = RateRun(rate=rate, scheduled=len(orders), t0=t0,
                  last_arrival=t0 + (len(orders) - 1) / rate)
    tasks: list[asyncio.Task[None]] = []
    for intake, offset in zip(orders, arrival_offsets(rate, len(orders) / rate), strict=True):
        delay = t0 + offset - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one_order(engine, intake, run, t0 + offset)))
    await asyncio.gather(*tasks)
    run.last_done = max(run.last_done, t0)
    run.start_lag.append(0.0)
    return run


def rate_report(run: RateRun, cpu: dict[str, float]) -> dict[str, Any]:
    completed = len(run.latency)
    achieved = completed / max(run.last_done - run.t0, 1e-9)
    drain = run.last_done - run.last_arrival
    sustained = achieved >= SUSTAINED_SHARE * run.rate and drain <= SUSTAINED_DRAIN_S
    p99 = percentile(run.latency, 99) * 1000 if run.latency else math.inf
    return {
        "target_rate": run.rate, "orders": run.scheduled, "completed": completed,
        "errors": run.errors, "achieved_rate": round(achieved, 1),
        "drain_after_last_arrival_s": round(drain, 3), "sustained": sustained,
        "latency_ms": summary_ms(run.latency), "service_ms": summary_ms(run.service),
        "create_ms": summary_ms(run.create), "dispatch_ms": summary_ms(run.dispatch),
        "max_start_lag_ms": round(max(run.start_lag) * 1000, 2),
        "max_in_flight": run.max_in_flight, "cpu": cpu,
        "meets_target": bool(sustained and p99 <= TARGET_P99_MS and run.rate >= TARGET_RATE),
    }


async def warm_up(orders: OrderEngine, seed: int, districts: Sequence[str]) -> None:
    """WARMUP_ORDERS created and dispatched one by one: the pool and caches warm."""
    for intake in intakes(WARMUP_ORDERS, seed, districts):
        row = await create_order(orders, intake=intake, actor=ACTOR, now=datetime.now(UTC))
        await dispatch(orders, number=row.number, actor=ACTOR, role=Role.CENTER_STAFF,
                       at=datetime.now(UTC))


async def create_dispatch(url: str, rates: Sequence[float], seconds: float, seed: int
                          ) -> list[dict[str, Any]]:
    engine, orders = order_engine(url)
    districts = list(orders.directory.districts)
    try:
        await warm_up(orders, seed - 1, districts)
        results = []
        for step, rate in enumerate(rates):
            batch = intakes(int(rate * seconds), seed + step, districts)
            async with CpuMeter() as meter:
                run = await drive(orders, batch, rate)
            results.append(rate_report(run, meter.result))
            await asyncio.sleep(1.0)  # let autovacuum and the pool settle between steps
        return results
    finally:
        await engine.dispose()


# --- 2. the deadline sweep ----------------------------------------------------------------

# Statuses by g % 20: 35 % dispatched, 35 % received, 15 % handled, 5 % each not handled,
# pending, callback; every one an open order. About 1 % of rows have a late receipt limit
# and 1 % a late resolution limit (independent hashes of g); only the states the sweeper
# watches make them late: ~0.35 % + ~0.75 % of the rows.
LOAD_SQL = """
INSERT INTO work_orders (
    number, utility, order_type, status, needs_agent, caller_number, ivr_path, created_at,
    version, agency_id, district, address, description, emergency, dispatch_due, receipt_due,
    onsite_due, resolve_due, deadline_clauses, dispatched_at, received_at, handled_at,
    extension_count, pending_approved, supervision, lifecycle, keys_words_disagree)
SELECT
    'B' || lpad(g::text, 9, '0'), u.utility,
    CASE WHEN g % 50 = 0 THEN 'emergency_repair'
         ELSE (ARRAY['maintenance', 'complaint', 'help', 'consultation'])[1 + g % 4] END,
    s.status, false, '139' || lpad((g % 100000000)::text, 8, '0'), '[]'::json, t.created,
    2, 'industry-' || replace(u.utility, '_', '-'),
    (ARRAY['lixia', 'shizhong', 'huaiyin', 'tianqiao', 'licheng', 'changqing', 'zhangqiu',
           'jiyang', 'laiwu', 'gangcheng'])[1 + g % 10],
    '经十路' || (g % 9999 + 1) || '号', '小区门口路面塌陷，有积水，请尽快处理', g % 50 = 0,
    t.created + interval '30 minutes',
    CASE WHEN l.receipt THEN :now - (6 + g % 20) * interval '1 minute'
         WHEN s.status = 'dispatched' THEN :now + (1 + g % 1440) * interval '1 minute'
         ELSE t.created + interval '31 minutes' END,
    t.created + interval '2 hours',
    CASE WHEN l.resolve THEN :now - (1 + g % 600) * interval '1 minute'
         ELSE :now + (60 + g % 43200) * interval '1 minute' END,
    '["L 3.2.4"]'::json, t.created + interval '1 minute',
    CASE WHEN s.status <> 'dispatched' THEN t.created + interval '10 minutes' END,
    CASE WHEN s.status IN ('handled', 'callback') THEN t.created + interval '1 day' END,
    0, s.status = 'pending', false, CAST(:lifecycle AS json), false
FROM generate_series(1, :n) AS g
CROSS JOIN LATERAL (SELECT (ARRAY['water', 'heating', 'gas', 'road_bridge', 'river',
    'streetlight', 'drainage', 'flood_control', 'water_saving'])[1 + g % 9] AS utility) u
CROSS JOIN LATERAL (SELECT CASE
    WHEN g % 20 < 7 THEN 'dispatched' WHEN g % 20 < 14 THEN 'received'
    WHEN g % 20 < 17 THEN 'handled' WHEN g % 20 = 17 THEN 'not_handled'
    WHEN g % 20 = 18 THEN 'pending' ELSE 'callback' END AS status) s
CROSS JOIN LATERAL (SELECT :now - interval '2 hours' - (g % 43200) * interval '1 minute'
    AS created) t
CROSS JOIN LATERAL (SELECT
    (hashint4extended(g, 1) & 2147483647) % 1000 < 10 AS receipt,
    (hashint4extended(g, 2) & 2147483647) % 1000 < 10 AS resolve) l
"""


def lifecycle_template(now: datetime) -> str:
    """A real dispatched order's lifecycle record: the rows carry its size and shape."""
    order = Order(order_id="B000000001", order_type=OrderType.MAINTENANCE,
                  utility=Utility.WATER, created_at=now - timedelta(hours=2),
                  resolve_due=now + timedelta(days=3))
    outcome = apply(order=order, command=Command(
        event=Event.DISPATCH, actor=ACTOR, role=Role.CENTER_STAFF,
        at=now - timedelta(hours=1), agency="industry-water"))
    return json.dumps(as_json(outcome.order), ensure_ascii=False)


async def bulk_load(engine: AsyncEngine, count: int, now: datetime) -> dict[str, float]:
    started = time.perf_counter()
    statement = text(LOAD_SQL).bindparams(
        bindparam("now", type_=WorkOrder.created_at.type), bindparam("n"),
        bindparam("lifecycle"))
    async with engine.begin() as conn:
        await conn.execute(text("SET LOCAL synchronous_commit = off"))
        await conn.execute(statement, {"now": now, "n": count,
                                       "lifecycle": lifecycle_template(now)})
    loaded = time.perf_counter()
    async with engine.connect() as conn:
        auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
        # A table in steady state has been vacuumed; doing it now keeps autovacuum from
        # starting in the middle of the timings.
        await auto.execute(text("VACUUM (ANALYZE) work_orders"))
        size = (await auto.execute(text(
            "SELECT pg_total_relation_size('work_orders')"))).scalar_one()
    return {"insert_s": round(loaded - started, 2),
            "vacuum_analyze_s": round(time.perf_counter() - loaded, 2),
            "table_with_indexes_mb": round(size / 2**20, 1)}


async def timed(work: Callable[[], Awaitable[Any]]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = await work()
    return result, time.perf_counter() - started


async def naive_scan(engine: AsyncEngine, now: datetime) -> set[tuple[int, str]]:
    """The baseline: every open order, all columns, streamed; the late ones kept in Python."""
    table = WorkOrder.__table__
    query = select(table).where(table.c.status != State.CLOSED)
    late: set[tuple[int, str]] = set()
    async with engine.connect() as conn:
        result = await conn.stream(query.execution_options(yield_per=10_000))
        async for part in result.partitions():
            late |= late_pairs([(r.id, r.status, r.receipt_due, r.resolve_due) for r in part],
                               now)
    return late


async def notified_pairs(orders: OrderEngine) -> set[tuple[int, str]]:
    async with orders.sessions() as session:
        rows = await session.execute(select(Notification.order_id, Notification.kind)
                                     .where(Notification.kind != "voice_escalation"))
        return {(order_id, kind.split("_", 1)[0]) for order_id, kind in rows}


async def explain(orders: OrderEngine, now: datetime, batch: int) -> dict[str, list[str]]:
    """EXPLAIN (ANALYZE, BUFFERS) of the sweeper's query for each limit: its first batch, and
    its second batch (the keyset `after` the first batch's last row), rolled back."""
    plans = {}
    for kind, column, states in (("receipt", WorkOrder.receipt_due, RECEIPT_STATES),
                                 ("resolve", WorkOrder.resolve_due, RESOLVE_STATES)):
        async with orders.sessions() as session:
            edge = (await session.execute(
                select(column, WorkOrder.id).where(WorkOrder.status.in_(states), column <= now)
                .order_by(column, WorkOrder.id).offset(batch - 1).limit(1))).first()
            afters: list[tuple[str, tuple[datetime, int] | None]] = [("first_batch", None)]
            if edge is not None and edge[0] is not None:
                afters.append(("second_batch", (edge[0], edge[1])))
            for label, after in afters:
                query = _late(column, states, now, after, batch).with_for_update(
                    skip_locked=True)
                sql = str(query.compile(
                    dialect=postgresql.dialect(),  # type: ignore[no-untyped-call]
                    compile_kwargs={"literal_binds": True}))
                rows = await session.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql))
                plans[f"{kind}_{label}"] = [line for (line,) in rows]
            await session.rollback()
    return plans


async def sweep_bench(url: str, count: int, batch: int) -> dict[str, Any]:
    engine, orders = order_engine(url)
    now = datetime.now(UTC).replace(microsecond=0)
    policy = SweepPolicy(batch=batch)
    try:
        load = await bulk_load(engine, count, now)
        async with orders.sessions() as session:
            open_orders = (await session.execute(
                select(func.count()).select_from(WorkOrder)
                .where(WorkOrder.status != State.CLOSED))).scalar_one()
        async with CpuMeter(every=0.1) as first_cpu:
            first, first_s = await timed(lambda: sweep_once(orders, now=now, policy=policy))
        found = await notified_pairs(orders)
        async with CpuMeter() as naive_cpu:
            naive, naive_s = await timed(lambda: naive_scan(engine, now))
        async with CpuMeter(every=0.1) as second_cpu:
            second, second_s = await timed(lambda: sweep_once(orders, now=now, policy=policy))
        plans = await explain(orders, now, batch)
    finally:
        await engine.dispose()
    return {
        "open_orders": open_orders, "now": now.isoformat(), "batch": batch, "load": load,
        "sweep_first": {"wall_s": round(first_s, 3), "examined": first.examined,
                        "notified": first.notified, "pushes": first.pushes,
                        "cpu": first_cpu.result},
        "sweep_second": {"wall_s": round(second_s, 3), "examined": second.examined,
                         "notified": second.notified, "pushes": second.pushes,
                         "cpu": second_cpu.result},
        "naive": {"wall_s": round(naive_s, 3), "late": len(naive), "cpu": naive_cpu.result,
                  "late_receipts": sum(1 for _, k in naive if k == "receipt"),
                  "late_resolutions": sum(1 for _, k in naive if k == "resolve")},
        "same_late_set": found == naive and first.examined == len(naive),
        "late_share_pct": round(100 * len(naive) / max(open_orders, 1), 2),
        "speedup_vs_naive": round(naive_s / max(first_s, 1e-9), 1),
        "meets_target": first_s <= TARGET_SWEEP_S,
        "explain": plans,
    }


# --- the command --------------------------------------------------------------------------

def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cores": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--rate", type=float, nargs="+", default=[50.0, 75.0, 100.0, 250.0, 500.0],
                        help="create+dispatch target rates per second, run in turn")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each rate step")
    parser.add_argument("--orders", type=int, default=1_000_000, help="open orders to sweep")
    parser.add_argument("--batch", type=int, default=SweepPolicy().batch,
                        help="the sweeper's batch (SweepPolicy.batch)")
    parser.add_argument("--seed", type=int, default=12319)
    parser.add_argument("--skip-dispatch", action="store_true")
    parser.add_argument("--skip-sweep", action="store_true")
    parser.add_argument("--keep", action="store_true",
                        help="leave the loaded tables (default: empty the schema at the end)")
    parser.add_argument("--force-reset", action="store_true",
                        help="reset a database whose name does not end in _bench")
    parser.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    check_scratch(args.database_url, args.force_reset)
    result: dict[str, Any] = {
        "command": " ".join([".venv/bin/python -m tools.bench_orders", *sys.argv[1:]]),
        "started": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
        "database": make_url(args.database_url).render_as_string(hide_password=True),
    }
    try:
        if not args.skip_dispatch:
            result["reset_s"] = round(reset_schema(args.database_url), 2)
            result["create_dispatch"] = asyncio.run(
                create_dispatch(args.database_url, args.rate, args.seconds, args.seed))
        if not args.skip_sweep:
            reset_schema(args.database_url)  # a table of the bulk-loaded orders only
            result["sweep"] = asyncio.run(sweep_bench(args.database_url, args.orders,
                                                      args.batch))
    finally:
        if not args.keep:
            asyncio.run(_drop_schema(args.database_url))
    result["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else markdown(result))
    return 0


def markdown(result: dict[str, Any]) -> str:
    box = result["machine"]
    lines = [f"`{result['command']}`", "",
             f"{box['cores']} cores ({box['cpu']}), Python {box['python']}, load average at "
             f"start {'/'.join(str(x) for x in box['load_average'])}", ""]
    if "create_dispatch" in result:
        lines += ["| target /s | achieved /s | sustained | p50 ms | p99 ms | max ms "
                  "| service p99 ms | errors | CPU bench/pg/machine % |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for r in result["create_dispatch"]:
            lat, cpu = r["latency_ms"], r["cpu"]
            lines.append(
                f"| {r['target_rate']:g} | {r['achieved_rate']} | {r['sustained']} "
                f"| {lat.get('p50')} | {lat.get('p99')} | {lat.get('max')} "
                f"| {r['service_ms'].get('p99')} | {sum(r['errors'].values())} "
                f"| {cpu['bench_process_pct']}/{cpu['postgres_pct']}/{cpu['machine_pct']} |")
        lines.append("")
    if "sweep" in result:
        s = result["sweep"]
        lines += ["| sweep over open orders | wall s | late found | notices written |",
                  "|---|---|---|---|",
                  f"| sweep_once, first | {s['sweep_first']['wall_s']} "
                  f"| {s['sweep_first']['examined']} | {s['sweep_first']['notified']} |",
                  f"| sweep_once, again (ON CONFLICT) | {s['sweep_second']['wall_s']} "
                  f"| {s['sweep_second']['examined']} | {s['sweep_second']['notified']} |",
                  f"| naive scan (all open rows) | {s['naive']['wall_s']} "
                  f"| {s['naive']['late']} | — |",
                  "", f"open orders {s['open_orders']}, same late set: {s['same_late_set']}"]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench_orders",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
