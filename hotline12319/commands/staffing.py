"""`hotline12319 staffing`: agents needed (Erlang C).

  staffing --calls-per-hour N --aht SECONDS [--sl 0.8 --answer-seconds 15] [--json]
      for a load given by hand;
  staffing --observed [--date YYYY-MM-DD] [--json]
      per half hour of a day as observed in the database, against the agents logged in;
  staffing --plan [--date YYYY-MM-DD] [--json]
      the plan of a day (default tomorrow) for the foreseeable peaks of L 3.1.2(5).
The last two print what GET /api/staffing/intervals and /api/staffing/plan answer; their
service level, shrinkage and default handle time are routing/agents/staffing_peaks.yaml's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from hotline12319.errors import CommandError
from hotline12319.settings import load_settings
from routing.agents.staffing import staffing_need
from routing.agents.staffing_peaks import (
    StaffingPolicy,
    StaffingPolicyError,
    load_policy,
    local_day_bounds,
)
from routing.agents.staffing_plan import parse_day
from routing.agents.staffing_repository import StaffingRepository, observed_report, plan_report
from routing.orders.calendar import WorkingDayCalendar, local_date
from routing.store.db import make_engine, make_sessionmaker
from routing.store.models import CallSession

_BY_HAND = {"sl": 0.8, "answer_seconds": 15.0, "shrinkage": 0.3, "max_occupancy": 0.85}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--observed", action="store_true",
                      help="per half hour of --date from the database")
    mode.add_argument("--plan", action="store_true", help="the plan of --date (default tomorrow)")
    parser.add_argument("--date", help="YYYY-MM-DD, Asia/Shanghai (default today / tomorrow)")
    parser.add_argument("--database-url", help="default: the configured DATABASE_URL")
    parser.add_argument("--policy", type=Path, help="default: routing/agents/staffing_peaks.yaml")
    parser.add_argument("--calls-per-hour", type=float)
    parser.add_argument("--aht", type=float, help="average handle time, s")
    parser.add_argument("--sl", type=float, help="service level target (default 0.8)")
    parser.add_argument("--answer-seconds", type=float,
                        help="answered within this many seconds (3 rings ≈ 15 s, L 3.2.2)")
    parser.add_argument("--shrinkage", type=float, help="default 0.3")
    parser.add_argument("--max-occupancy", type=float, help="default 0.85")
    parser.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    if args.observed or args.plan:
        return _from_database(args)
    if args.calls_per_hour is None or args.aht is None:
        raise CommandError("give --calls-per-hour and --aht, or --observed / --plan")
    if args.date or args.database_url or args.policy:
        raise CommandError("--date, --database-url and --policy go with --observed / --plan")
    given = {name: getattr(args, name) for name in _BY_HAND}
    return _by_hand(args, **{k: _BY_HAND[k] if v is None else v for k, v in given.items()})


def _by_hand(args: argparse.Namespace, *, sl: float, answer_seconds: float, shrinkage: float,
             max_occupancy: float) -> int:
    try:
        need = staffing_need(
            calls_per_hour=args.calls_per_hour, aht_seconds=args.aht, service_level=sl,
            answer_seconds=answer_seconds, shrinkage=shrinkage, max_occupancy=max_occupancy,
        )
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    if args.json:
        print(json.dumps(asdict(need)))
    else:
        print(f"需在线坐席 {need.agents_on_phones} 人，排班 {need.agents_rostered} 人"
              f"（服务水平 {need.service_level:.0%}，占用率 {need.occupancy:.0%}）")
    return 0


def _from_database(args: argparse.Namespace) -> int:
    by_hand = [f"--{n.replace('_', '-')}" for n in ("calls_per_hour", "aht", *_BY_HAND)
               if getattr(args, n) is not None]
    if by_hand:
        raise CommandError(f"{', '.join(by_hand)}: only without --observed / --plan; the "
                           "policy file (--policy) sets the service level and shrinkage")
    now = datetime.now(UTC)
    day = _day(args.date, local_date(now) + timedelta(days=1 if args.plan else 0))
    try:
        policy = load_policy(args.policy)
    except (OSError, StaffingPolicyError) as exc:
        raise CommandError(str(exc)) from exc
    url = args.database_url or load_settings().database_url
    try:
        document = asyncio.run(_report(url, day, now, args.plan, policy))
        counted = None if args.plan or args.json else asyncio.run(_calls_that_day(url, day))
    except (OperationalError, ProgrammingError) as exc:
        # Most often a database nobody has migrated yet (a new SQLite file): say so plainly.
        raise CommandError(f"cannot read the calls from {make_url(url).render_as_string()}: "
                           f"{exc.orig}; is it migrated? (`hotline12319 migrate`)") from exc
    if args.json:
        print(json.dumps(document, ensure_ascii=False))
    else:
        print(_summary(document))
        if counted is not None:
            print(_what_counts(counted, document))
    return 0


def _day(raw: str | None, default: date) -> date:
    if raw is None:
        return default
    try:
        return parse_day(raw)
    except ValueError as exc:
        raise CommandError(f"--date: {exc}") from exc


async def _report(url: str, day: date, now: datetime, plan: bool, policy: StaffingPolicy
                  ) -> dict[str, Any]:
    engine = make_engine(url)
    try:
        repo = StaffingRepository(make_sessionmaker(engine))
        if plan:
            return (await plan_report(repo, day, now, policy, WorkingDayCalendar())).as_json()
        return (await observed_report(repo, day, now, policy)).as_json()
    finally:
        await engine.dispose()


async def _calls_that_day(url: str, day: date) -> int:
    start, end = local_day_bounds(day)
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            return await session.scalar(select(func.count()).select_from(CallSession).where(
                CallSession.started_at >= start, CallSession.started_at < end)) or 0
    finally:
        await engine.dispose()


def _what_counts(calls: int, document: dict[str, Any]) -> str:
    """Why the offered calls can be far fewer than the day's calls: only agent work counts."""
    offered = sum(r["offered"] for r in document["intervals"])
    return (f"当天共有 {calls} 通来电进入热线，其中 {offered} 通进入人工坐席队列"
            "（按 0 转人工，或由语音导航转给坐席），上表只统计这些来电；"
            "在语音导航中结束的来电（按键和语音已生成工单，或中途挂断）不需要坐席，不计入。")


def _basis(document: dict[str, Any]) -> str:
    """How the figures are reckoned: the policy's target, and for a plan what it comes from."""
    rules = document["rules"]
    said = (f"按 {rules['service_level']:.0%} 的来电在 {rules['answer_seconds']:.0f} 秒内接听计算"
            f"（Erlang C，依据 {'、'.join(rules['clauses'])}），排班另加 {rules['shrinkage']:.0%}"
            "的休息与缺勤")
    if "day_kind" in document:
        kind = "工作日" if document["day_kind"] == "working_day" else "休息日"
        said += (f"；预计来电为前 {len(document['history_days'])} 个{kind}同一时段来电的平均数，"
                 "乘以可预见高峰的系数")
    return said


def _summary(document: dict[str, Any]) -> str:
    busy = [r for r in document["intervals"] if r["needed"] or r.get("logged_in")]
    lines = [f"{document['date']}（共 {len(busy)} 个半小时有转人工来电或有坐席在线）",
             _basis(document)]
    for r in busy:
        start = r["start"][11:16]
        if "forecast_calls" in r:
            lines.append(f"  {start}  预计来电 {r['forecast_calls']:7.2f}  ×{r['factor']:<4}"
                         f"  需在线 {r['needed']:3}  需排班 {r['needed_rostered']:3}")
        else:
            lines.append(f"  {start}  转人工 {r['offered']:4}  接通 {r['answered']:4}"
                         f"  需在线 {r['needed']:3}  实际在线 {r['logged_in']:6.2f}"
                         f"  缺口 {r['shortfall']:.2f}")
    return "\n".join(lines)
