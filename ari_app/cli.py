"""The `hotline12319` console script: one subcommand per job, each implemented in its part.

Subcommand modules are imported only when their command runs, so `sandbox status` does not
pay for SQLAlchemy and `sla` does not need Asterisk.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from ari_app.errors import CommandError

# subcommand -> "module:function"; each module also offers `add_arguments(parser)`.
COMMANDS: dict[str, tuple[str, str]] = {
    "sandbox": ("tools.sandbox", "the local Asterisk pair: up | down | status"),
    "serve": ("ari_app.serve", "run the ARI application and the web/API"),
    "migrate": ("routing.migrate", "bring the database schema up to date"),
    "call": ("tools.caller", "place one real simulated call and print what happened"),
    "sla": ("routing.sla_cli", "the deadlines that apply to an order"),
    "analyze": ("recordings.analyze_cli", "transcribe a recording and say what it asks for"),
    "user": ("console.users_cli", "console and agency-portal users: add, list, disable, "
             "enable, passwd, role, unlock"),
    "open311-key": ("console.open311_cli", "Open311 clients' api keys: add, list, revoke"),
    "kpi": ("routing.kpi_cli", "closure rates of a month by the formulas of L 3.1.5"),
    "staffing": ("routing.staffing_cli", "agents needed for a load (Erlang C)"),
    "loadtest": ("tools.loadtest", "many real calls through the whole IVR, with latencies"),
    "citizen": ("tools.citizen", "the sandbox citizen's phone answers the hotline's call-back"),
    "backup": ("routing.backup_cli", "archive the data: important daily, ordinary weekly"),
    "restore": ("routing.backup_cli", "check a backup archive and restore it"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hotline12319", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text)
        sub_parser.set_defaults(module=module_name)
        # argparse needs the options before parsing; import only the chosen command's module
        # fully, but every module must be importable cheaply for --help.
        if _wanted(name):
            module = importlib.import_module(module_name)
            module.add_arguments(sub_parser)
    return parser


def _wanted(name: str) -> bool:
    argv = sys.argv[1:]
    return bool(argv) and argv[0] == name


def main(argv: Sequence[str] | None = None) -> int:
    if argv is not None:
        sys.argv = [sys.argv[0], *argv]
    parser = build_parser()
    args = parser.parse_args()
    module = importlib.import_module(args.module)
    run: Callable[[argparse.Namespace], int] = module.run
    try:
        return run(args)
    except CommandError as exc:
        print(f"hotline12319 {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
