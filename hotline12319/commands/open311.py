"""`hotline12319 open311-key add --client NAME | list [--json] | revoke --client NAME`.

`add` prints the new key once; only its SHA-256 is stored, so a lost key is replaced by
running `add` again (the old one stops working)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
from datetime import UTC, datetime

from hotline12319.errors import CommandError
from hotline12319.settings import load_settings
from routing.admin.open311_keys import KeyError311, issue_key, list_clients, revoke_key
from routing.store.db import make_engine, make_sessionmaker


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    for name, help_text in (("add", "issue a key (printed once)"), ("revoke", "stop a key")):
        one = sub.add_parser(name, help=help_text)
        one.add_argument("--client", required=True)
        one.add_argument("--database-url", help="default: the configured DATABASE_URL")
    listing = sub.add_parser("list", help="clients and whether their key is live")
    listing.add_argument("--json", action="store_true")
    listing.add_argument("--database-url", help="default: the configured DATABASE_URL")


async def _run(args: argparse.Namespace) -> str:
    engine = make_engine(args.database_url or load_settings().database_url)
    actor, now = f"cli:{getpass.getuser()}"[:64], datetime.now(UTC)
    try:
        async with make_sessionmaker(engine).begin() as session:
            if args.action == "add":
                return await issue_key(session, client=args.client, actor=actor, now=now)
            if args.action == "revoke":
                await revoke_key(session, client=args.client, actor=actor, now=now)
                return f"open311 client {args.client}: key revoked"
            rows = [{"client": c.id, "created_at": c.created_at.isoformat(),
                     "revoked": c.revoked_at is not None} for c in await list_clients(session)]
    finally:
        await engine.dispose()
    if args.json:
        return json.dumps(rows)
    return "\n".join(f"{r['client']:<32} {'revoked' if r['revoked'] else 'live'}" for r in rows)


def run(args: argparse.Namespace) -> int:
    try:
        print(asyncio.run(_run(args)))
    except KeyError311 as exc:
        raise CommandError(str(exc)) from exc
    return 0
