"""`hotline12319 staffing --calls-per-hour N --aht SECONDS [--sl 0.8 --answer-seconds 15]`."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from ari_app.errors import CommandError
from routing.staffing import staffing_need


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--calls-per-hour", type=float, required=True)
    parser.add_argument("--aht", type=float, required=True, help="average handle time, s")
    parser.add_argument("--sl", type=float, default=0.8, help="service level target")
    parser.add_argument("--answer-seconds", type=float, default=15.0,
                        help="answered within this many seconds (3 rings ≈ 15 s, L 3.2.2)")
    parser.add_argument("--shrinkage", type=float, default=0.3)
    parser.add_argument("--max-occupancy", type=float, default=0.85)
    parser.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    try:
        need = staffing_need(
            calls_per_hour=args.calls_per_hour, aht_seconds=args.aht, service_level=args.sl,
            answer_seconds=args.answer_seconds, shrinkage=args.shrinkage,
            max_occupancy=args.max_occupancy,
        )
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    if args.json:
        print(json.dumps(asdict(need)))
    else:
        print(f"{need.agents_on_phones} agents on the phones, {need.agents_rostered} rostered "
              f"(service level {need.service_level:.0%}, occupancy {need.occupancy:.0%})")
    return 0
