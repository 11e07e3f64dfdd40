"""`hotline12319 user add --id ID --role ROLE [--agency AGENCY] [--name NAME] --password-stdin`.

The password is read from standard input (never an argument: it would show in `ps`).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime

from ari_app.errors import CommandError
from ari_app.settings import load_settings
from routing.db import make_engine, make_sessionmaker
from routing.transitions import Role
from routing.users import UserError, add_user


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="create a user")
    add.add_argument("--id", required=True)
    add.add_argument("--name")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--agency", help="the agency id (role agency only)")
    add.add_argument("--password-stdin", action="store_true", required=True)
    add.add_argument("--database-url", help="default: the configured DATABASE_URL")


async def _add(args: argparse.Namespace, password: str) -> None:
    engine = make_engine(args.database_url or load_settings().database_url)
    try:
        async with make_sessionmaker(engine).begin() as session:
            await add_user(
                session,
                user_id=args.id,
                name=args.name or args.id,
                role=Role(args.role),
                agency_id=args.agency,
                password=password,
                now=datetime.now(UTC),
            )
    finally:
        await engine.dispose()


def run(args: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\n")
    try:
        asyncio.run(_add(args, password))
    except UserError as exc:
        raise CommandError(str(exc)) from exc
    print(f"user {args.id} ({args.role}) added")
    return 0
