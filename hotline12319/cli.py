"""The `hotline12319` console script: one subcommand per job, each implemented in its part.

Subcommand modules are imported only when their command runs, so `sandbox status` does not
pay for SQLAlchemy and `sla` does not need Asterisk.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from hotline12319.errors import reported

# subcommand -> "module:function"; each module also offers `add_arguments(parser)`.
COMMANDS: dict[str, tuple[str, str]] = {
    "serve": ("hotline12319.commands.serve", "run the ARI application and the web/API"),
    "migrate": ("hotline12319.commands.migrate", "bring the database schema up to date"),
    "sla": ("hotline12319.commands.sla", "the deadlines that apply to an order"),
    "analyze": ("hotline12319.commands.analyze", "transcribe a recording and say what it asks for"),
    "user": (
        "hotline12319.commands.users",
        "console and agency-portal users: add, list, disable, enable, passwd, role, unlock",
    ),
    "open311-key": (
        "hotline12319.commands.open311",
        "Open311 clients' api keys: add, list, revoke",
    ),
    "kpi": ("hotline12319.commands.kpi", "closure rates of a month by the formulas of L 3.1.5"),
    "staffing": ("hotline12319.commands.staffing", "agents needed for a load (Erlang C)"),
    "backup": (
        "hotline12319.commands.backup",
        "archive the data: important daily, ordinary weekly",
    ),
    "restore": ("hotline12319.commands.backup", "check a backup archive and restore it"),
}

# The test tools (sandbox, call, loadtest, citizen) live in the checkout's tools/, which is
# not part of the product: when it is there, their subcommands come from this module, found by
# name. It is the one place the product names tools (docs/architecture.md).
CHECKOUT_PLUGIN = "tools.commands"


def commands() -> dict[str, tuple[str, str]]:
    """The product's subcommands, and the checkout's test tools' when there is a checkout."""
    return {**COMMANDS, **_checkout_commands()}


def _checkout_commands() -> dict[str, tuple[str, str]]:
    checkout = Path(__file__).resolve().parent.parent
    if not (checkout / Path(*CHECKOUT_PLUGIN.split("."))).with_suffix(".py").exists():
        return {}
    if str(checkout) not in sys.path:
        sys.path.append(str(checkout))
    plugin = importlib.import_module(CHECKOUT_PLUGIN)
    table: dict[str, tuple[str, str]] = plugin.COMMANDS
    return table


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hotline12319", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (module_name, help_text) in commands().items():
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
    except reported() as exc:
        print(f"hotline12319 {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
