"""`hotline12319 user add|list|disable|enable|passwd|role|unlock`.

    user add --id ID --role ROLE [--agency AGENCY] [--name NAME]
             [--endpoint PJSIP/EXT --skills gas=3,general=1] --password-stdin
    user list [--json]
    user disable --id ID | user enable --id ID
    user passwd --id ID --password-stdin
    user role --id ID --role ROLE [--agency AGENCY]
    user unlock --id ID

Passwords are read from standard input (never an argument: it would show in `ps`). Every
change is audited with the actor `cli:<login name>` and ends the user's sessions.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from console.agents_http import AgentDefinition
from hotline12319.errors import CommandError
from hotline12319.settings import load_settings
from routing.admin.login_guard import unlock
from routing.admin.user_admin import find_user, list_users, set_disabled, set_password, set_role
from routing.admin.users import UserError, add_user
from routing.agencies.directory import AgencyDirectory, load_directory
from routing.agents.agent_repository import add_profile
from routing.orders.transitions import Role
from routing.store.db import make_engine, make_sessionmaker
from routing.store.order_tables import User

Action = Callable[[AsyncSession, argparse.Namespace], Awaitable[str]]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    add = _sub(sub, "add", "create a user")
    add.add_argument("--name")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--agency", help="the agency id (role agency only)")
    add.add_argument("--endpoint", help="an agent's softphone, PJSIP/... (center_staff only)")
    add.add_argument("--skills", help="an agent's skills per utility, levels 1-5: gas=3,general=1")
    add.add_argument("--password-stdin", action="store_true", required=True)
    listing = sub.add_parser("list", help="every user: role, unit, disabled, locked")
    listing.add_argument("--json", action="store_true")
    listing.add_argument("--database-url", help="default: the configured DATABASE_URL")
    _sub(sub, "disable", "refuse the user's logins and end its sessions")
    _sub(sub, "enable", "let a disabled user log in again")
    _sub(sub, "unlock", "unlock a user locked by too many wrong passwords")
    passwd = _sub(sub, "passwd", "set a new password (read from stdin)")
    passwd.add_argument("--password-stdin", action="store_true", required=True)
    role = _sub(sub, "role", "change the user's role")
    role.add_argument("--role", required=True, choices=[r.value for r in Role])
    role.add_argument("--agency", help="the agency id (role agency only)")


def _sub(sub: Any, name: str, help_text: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help_text)
    parser.add_argument("--id", required=True)
    parser.add_argument("--database-url", help="default: the configured DATABASE_URL")
    return parser


def _actor() -> str:
    return f"cli:{getpass.getuser()}"[:64]


async def _add(session: AsyncSession, args: argparse.Namespace) -> str:
    now = datetime.now(UTC)
    await add_user(session, user_id=args.id, name=args.name or args.id, role=Role(args.role),
                   agency_id=args.agency, password=args.password, now=now)
    profile: AgentDefinition | None = args.profile
    if profile is None:
        return f"user {args.id} ({args.role}) added"
    try:
        await add_profile(session, agent_id=args.id, name=profile.name,
                          endpoint=profile.endpoint, skills=profile.skills, actor=_actor(),
                          now=now)
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    return f"user {args.id} ({args.role}) added, agent profile {profile.skills}"


def agent_profile(args: argparse.Namespace) -> AgentDefinition | None:
    """The agent profile `user add` makes with a center_staff user, checked like the API's."""
    if args.endpoint is None and args.skills is None:
        return None
    if args.endpoint is None or args.skills is None:
        raise CommandError("--endpoint and --skills go together")
    if args.role != Role.CENTER_STAFF.value or not args.id.isidentifier() or len(args.id) > 32:
        raise CommandError("an agent profile is for a center_staff user whose id is letters, "
                           "digits and _ (at most 32)")
    try:
        pairs = (part.split("=", 1) for part in args.skills.split(","))
        profile = AgentDefinition(name=args.name or args.id, endpoint=args.endpoint,
                                  skills={k.strip(): int(v) for k, v in pairs})
        profile.checked_skills()
    except ValueError as exc:  # pydantic's ValidationError too
        raise CommandError(f"--skills/--endpoint: {exc}") from exc
    return profile


async def _list(session: AsyncSession, args: argparse.Namespace) -> str:
    rows = [_user_json(u) for u in await list_users(session)]
    if args.json:
        return json.dumps(rows, ensure_ascii=False)
    return "\n".join(
        f"{r['id']:<16} {r['role']:<20} {r['agency_id'] or '-':<20}"
        f"{' disabled' if r['disabled_at'] else ''}{' locked' if r['locked_at'] else ''}"
        for r in rows
    )


def _user_json(user: User) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {"id": user.id, "name": user.name, "role": user.role.value,
            "agency_id": user.agency_id, "disabled_at": iso(user.disabled_at),
            "locked_at": iso(user.locked_at),
            "password_changed_at": iso(user.password_changed_at)}


async def _disable(session: AsyncSession, args: argparse.Namespace) -> str:
    disabled = args.action == "disable"
    await set_disabled(session, user_id=args.id, disabled=disabled, actor=_actor(),
                       now=datetime.now(UTC))
    return f"user {args.id} {'disabled' if disabled else 'enabled'}"


async def _passwd(session: AsyncSession, args: argparse.Namespace) -> str:
    await set_password(session, user_id=args.id, password=args.password, actor=_actor(),
                       now=datetime.now(UTC))
    return f"user {args.id}: password set"


async def _role(session: AsyncSession, args: argparse.Namespace) -> str:
    await set_role(session, user_id=args.id, role=Role(args.role), agency_id=args.agency,
                   actor=_actor())
    return f"user {args.id} is now {args.role}"


async def _unlock(session: AsyncSession, args: argparse.Namespace) -> str:
    await unlock(session, user=await find_user(session, args.id), actor=_actor())
    return f"user {args.id} unlocked"


ACTIONS: dict[str, Action] = {"add": _add, "list": _list, "disable": _disable,
                              "enable": _disable, "passwd": _passwd, "role": _role,
                              "unlock": _unlock}


async def _run(args: argparse.Namespace) -> str:
    engine = make_engine(args.database_url or load_settings().database_url)
    try:
        async with make_sessionmaker(engine).begin() as session:
            return await ACTIONS[args.action](session, args)
    finally:
        await engine.dispose()


def check_agency(agency_id: str | None, directory: AgencyDirectory) -> None:
    """An agency user's unit must be one of the directory's (routing/agencies/agencies.yaml)."""
    if agency_id is not None and agency_id not in directory.agencies:
        raise CommandError(f"--agency {agency_id}: no such unit; one of "
                           + ", ".join(sorted(directory.agencies)))


def run(args: argparse.Namespace) -> int:
    if getattr(args, "agency", None) is not None:
        check_agency(args.agency, load_directory(load_settings().agencies_file))
    if args.action == "add":
        args.profile = agent_profile(args)
    if getattr(args, "password_stdin", False):
        args.password = sys.stdin.readline().rstrip("\n")
    try:
        print(asyncio.run(_run(args)))
    except UserError as exc:
        raise CommandError(str(exc)) from exc
    return 0
