"""`hotline12319 sla`: print the deadlines that apply to an order.

    hotline12319 sla --utility water --type complaint --created 2026-09-30T10:00 --json

`--created` without a timezone is Asia/Shanghai local time. Instants are printed in UTC ISO
8601 (+00:00); the human table also shows them in Asia/Shanghai.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path

from hotline12319.errors import CommandError
from routing.enums import OrderType, Utility
from routing.orders.calendar import SHANGHAI, WorkingDayCalendar
from routing.orders.policy import (
    GENERAL,
    Deadlines,
    PolicyError,
    UnknownOrderError,
    compute_deadlines,
    load_policy,
)

_ROWS = (
    ("dispatch", "dispatch_due"),
    ("receipt", "receipt_due"),
    ("on site", "onsite_due"),
    ("resolve", "resolve_due"),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `hotline12319 sla`."""
    # No argparse `choices`: a bad value should be a CommandError with the valid list.
    parser.add_argument("--utility", required=True, help=", ".join(Utility))
    parser.add_argument("--type", dest="order_type", required=True, help=", ".join(OrderType))
    parser.add_argument(
        "--created", required=True, help="acceptance time, ISO 8601; no offset = Asia/Shanghai"
    )
    parser.add_argument("--case", default=GENERAL, help="specific case of the table row")
    parser.add_argument("--complex", action="store_true", help="complex complaint")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--policy", type=Path, default=None, help="another sla_policy.yaml")


def run(args: argparse.Namespace) -> int:
    """Compute and print the deadlines; CommandError on bad input."""
    created_at = parse_created(args.created)
    try:
        policy = load_policy(args.policy)
        deadlines = compute_deadlines(
            policy,
            WorkingDayCalendar(),
            utility=args.utility,
            order_type=args.order_type,
            created_at=created_at,
            complex=args.complex,
            case=args.case,
        )
    except (PolicyError, UnknownOrderError) as exc:
        raise CommandError(str(exc)) from exc
    if args.json:
        print(json.dumps(deadlines.as_json(), ensure_ascii=False, indent=2))
    else:
        print(format_table(deadlines))
    return 0


def parse_created(text: str) -> datetime:
    """ISO 8601 instant; a naive one is Asia/Shanghai local time."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--created {text!r} is not an ISO 8601 date-time (e.g. 2026-10-09T23:50)"
        ) from None
    return moment.replace(tzinfo=SHANGHAI) if moment.tzinfo is None else moment


def format_table(deadlines: Deadlines) -> str:
    """A short human-readable table: UTC, then Asia/Shanghai."""
    title = f"{deadlines.utility} / {deadlines.order_type} / {deadlines.case}"
    if deadlines.complex:
        title += " (complex)"
    lines = [f"{title}   [{deadlines.source}]", _line("accepted", deadlines.created_at)]
    lines += [_line(label, getattr(deadlines, name)) for label, name in _ROWS]
    lines.append(f"{'clauses':<9} {', '.join(deadlines.clauses)}")
    lines += [f"{'note':<9} {note}" for note in deadlines.notes]
    return "\n".join(lines)


def _line(label: str, moment: datetime | None) -> str:
    if moment is None:
        return f"{label:<9} -"
    local = moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S %a")
    return f"{label:<9} {moment.isoformat()}   {local} Asia/Shanghai"
