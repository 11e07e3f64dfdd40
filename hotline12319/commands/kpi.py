"""`hotline12319 kpi --month YYYY-MM --json`: the closure rates of L 3.1.5 from the database.

Reads every order dispatched in the month's year up to the statistics day after it (the
cumulative rate needs the whole year), turns each into a KPI record and lets the pure
`routing.reports.kpi` compute; `--html FILE` also writes a report a person would read.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from hotline12319.errors import CommandError
from hotline12319.settings import load_settings
from routing.agencies.directory import load_directory
from routing.followup.survey_store import survey_records
from routing.knowledge_base.knowledge_repository import consultation_records
from routing.orders.order_store import to_order
from routing.reports.kpi import (
    KpiReport,
    OrderRecord,
    kpi_report,
    load_config,
    rate_json,
    rates_json,
    record_of,
)
from routing.reports.kpi_consultations import ConsultationRecord, consultation_report
from routing.reports.kpi_onsite import OnsiteReport, onsite_report
from routing.reports.kpi_report import render_html
from routing.reports.kpi_survey import SurveyRecord, survey_json, survey_report
from routing.store.db import make_engine, make_sessionmaker
from routing.store.models import WorkOrder


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--month", required=True, help="YYYY-MM")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--html", type=Path, help="also write an HTML report here")
    parser.add_argument("--database-url", help="default: the configured DATABASE_URL")


def run(args: argparse.Namespace) -> int:
    match = re.fullmatch(r"(\d{4})-(\d{2})", args.month)
    if not match or not 1 <= int(match[2]) <= 12:
        raise CommandError(f"--month takes YYYY-MM, not {args.month!r}")
    year, month = int(match[1]), int(match[2])
    url = args.database_url or load_settings().database_url
    records = asyncio.run(_records(url, year))
    report = kpi_report(records=records, year=year, month=month, config=load_config())
    document = report_json(report)
    document["callback_survey"] = survey_json(
        survey_report(  # 回访: satisfaction and reach
            records=asyncio.run(_survey_records(url, year)), window=report.window
        )
    )
    document["onsite_timeliness"] = onsite_json(
        onsite_report(records=records, window=report.window)
    )
    document["consultations"] = consultation_report(  # L 3.2.3(1): answered on the spot
        records=asyncio.run(_consultation_records(url, year)), window=report.window
    )
    if args.html:
        names = {a.id: a.name for a in load_directory().agencies.values()}
        args.html.write_text(render_html(document, names), encoding="utf-8")
    if args.json:
        json.dump(document, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(_summary(document))
    return 0


async def _records(url: str, year: int) -> list[OrderRecord]:
    engine = make_engine(url)
    start = datetime(year - 1, 12, 1, tzinfo=UTC)  # a margin for the Shanghai offset
    try:
        async with make_sessionmaker(engine)() as session:
            query = select(WorkOrder).where(WorkOrder.dispatched_at >= start)
            rows = (await session.execute(query)).scalars().all()
            return [record_of(to_order(row)) for row in rows]
    finally:
        await engine.dispose()


async def _survey_records(url: str, year: int) -> list[SurveyRecord]:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            return await survey_records(session, since=datetime(year - 1, 12, 1, tzinfo=UTC))
    finally:
        await engine.dispose()


async def _consultation_records(url: str, year: int) -> list[ConsultationRecord]:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            return await consultation_records(session, since=datetime(year - 1, 12, 1, tzinfo=UTC))
    finally:
        await engine.dispose()


def onsite_json(report: OnsiteReport) -> dict[str, Any]:
    """On-site timeliness (routing.reports.kpi_onsite) overall, per utility and per unit."""
    return {
        "overall": rate_json(report.overall),
        "by_utility": {k: rate_json(v) for k, v in report.by_utility.items()},
        "by_agency": {k: rate_json(v) for k, v in report.by_agency.items()},
    }


def report_json(report: KpiReport) -> dict[str, Any]:
    window = report.window
    return {
        "window": {name: _iso(getattr(window, name)) for name in window.__dataclass_fields__},
        "overall": rates_json(report.overall),
        "by_utility": {k: rates_json(v) for k, v in report.by_utility.items()},
        "by_agency": {k: rates_json(v) for k, v in report.by_agency.items()},
        "by_type": {k: rates_json(v) for k, v in report.by_type.items()},
        "targets": [
            {
                "utility": t.utility.value,
                "metric": t.metric.value,
                "order_types": [o.value for o in t.order_types] if t.order_types else None,
                "target_percent": float(t.target),
                "actual": rate_json(t.actual),
                "met": t.met,
                "clauses": list(t.clauses),
                "cases": list(t.cases) if t.cases else None,
            }
            for t in report.targets
        ],
    }


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return float(value) if isinstance(value, Decimal) else value


def _summary(document: dict[str, Any]) -> str:
    overall = document["overall"]
    lines = [f"window {document['window']}"]
    for name, value in overall.items():
        lines.append(f"{name:20} {value['percent']}% ({value['numerator']}/{value['denominator']})")
    missed = [t for t in document["targets"] if t["met"] is False]
    lines.append(f"targets missed: {len(missed)} of {len(document['targets'])}")
    return "\n".join(lines)
