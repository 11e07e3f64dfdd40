"""Guessing passwords is slowed and stopped (issue 18, acceptance 2; L 3.1.4(4)): 20 wrong
passwords lock the user (audited) until a supervisor unlocks it; too many failures from one
address get 429 with Retry-After. Users are looked after from the command line."""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import delete, select, update

from console.api import ACCESS_POLICY
from routing.admin.users import add_user
from routing.orders.transitions import Role
from routing.store.access_tables import LoginAttempt
from routing.store.db import make_engine, make_sessionmaker
from routing.store.models import AuditEvent
from routing.store.order_tables import User, UserSession
from tests.integration.orders_support import PASSWORD, agency, api, login

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # fixtures used by name

Client = TestClient[web.Request, web.Application]
ORDER = {"utility": "water", "order_type": "maintenance", "description": "水表漏水",
         "caller_number": "13800007777"}


async def _db(url: str, *statements: object) -> list[object]:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine).begin() as session:
            return [await session.execute(s) for s in statements]  # type: ignore[call-overload]
    finally:
        await engine.dispose()


async def _new_user(url: str, user_id: str, role: Role = Role.CENTER_STAFF) -> None:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine).begin() as session:
            await add_user(session, user_id=user_id, name=user_id, role=role, agency_id=None,
                           password=PASSWORD, now=datetime.now(UTC))
    finally:
        await engine.dispose()


async def _try(api: Client, user: str, password: str) -> tuple[int, dict[str, object], str | None]:
    async with api.post("/api/login", json={"user": user, "password": password}) as r:
        return r.status, await r.json(), r.headers.get("Retry-After")


async def _forget_failures(url: str) -> None:
    await _db(url, delete(LoginAttempt).where(LoginAttempt.ok.is_(False)))


async def test_given_20_wrong_passwords_then_the_user_is_locked_audited_and_unlocked_by_a_supervisor(  # noqa: E501
    api: Client, orders_db: str
) -> None:
    await _forget_failures(orders_db)
    await _new_user(orders_db, "guessed")
    wrong = [(await _try(api, "guessed", f"guess {n}"))[0] for n in range(20)]
    assert wrong == [401] * 20
    status, body, _ = await _try(api, "guessed", PASSWORD)  # even the right one now
    assert (status, body["error"]) == (403, "account-locked")
    [found] = await _db(orders_db, select(AuditEvent).where(
        AuditEvent.entity_id == "guessed", AuditEvent.action == "locked"))
    locked = found.scalars().all()  # type: ignore[attr-defined]
    assert len(locked) == 1 and locked[0].detail["failures"] == 20

    async with api.post("/api/users/guessed/unlock", headers=await login(api, "staff")) as r:
        assert r.status == 403  # agents do not unlock each other
    async with api.post("/api/users/guessed/unlock", headers=await login(api, "duty")) as r:
        assert r.status == 200, await r.text()
    assert (await _try(api, "guessed", PASSWORD))[0] == 200
    [found] = await _db(orders_db, select(AuditEvent.actor).where(
        AuditEvent.entity_id == "guessed", AuditEvent.action == "unlocked"))
    assert found.scalars().all() == ["duty"]  # type: ignore[attr-defined]


async def test_given_too_many_failures_from_one_address_then_429_with_retry_after(
    api: Client, orders_db: str
) -> None:
    await _forget_failures(orders_db)
    limit = api.app[ACCESS_POLICY].login.ip_failures  # the policy file's, as read
    try:
        statuses = [(await _try(api, f"nobody{n}", "x"))[0] for n in range(limit)]
        status, body, retry = await _try(api, "staff", PASSWORD)
    finally:
        await _forget_failures(orders_db)
    assert statuses == [401] * limit
    assert (status, body["error"]) == (429, "too-many-attempts")
    assert retry is not None and 1 <= int(retry) <= 15 * 60 + 1
    assert (await _try(api, "staff", PASSWORD))[0] == 200  # the window forgotten: back in


async def test_a_password_past_its_age_must_be_changed_before_anything_else(
    api: Client, orders_db: str
) -> None:
    await _new_user(orders_db, "oldpass")
    long_ago = datetime.now(UTC) - timedelta(days=91)
    await _db(orders_db, update(User).where(User.id == "oldpass")
              .values(password_changed_at=long_ago))
    assert (await _try(api, "staff", PASSWORD))[1]["password_expired"] is False
    old = await login(api, "oldpass")
    async with api.get("/api/me", headers=old) as r:
        assert (await r.json())["password_expired"] is True
    async with api.post("/api/orders", json=ORDER, headers=old) as r:
        assert (r.status, (await r.json())["error"]) == (403, "password-expired")
    change = {"old_password": "not it", "new_password": "brand new 12319"}
    async with api.post("/api/me/password", json=change, headers=old) as r:
        assert (r.status, (await r.json())["error"]) == (403, "bad-credentials")
    same = {"old_password": PASSWORD, "new_password": PASSWORD}
    async with api.post("/api/me/password", json=same, headers=old) as r:
        assert r.status == 422
    async with api.post("/api/me/password", json=change | {"old_password": PASSWORD},
                        headers=old) as r:
        assert r.status == 200, await r.text()
    async with api.get("/api/me", headers=old) as r:
        assert r.status == 401  # every session ended with the change
    status, body, _ = await _try(api, "oldpass", "brand new 12319")
    assert status == 200 and body["password_expired"] is False
    async with api.post("/api/orders", json=ORDER, headers=await login_as(
            api, "oldpass", "brand new 12319")) as r:
        assert r.status == 201


async def login_as(api: Client, user: str, password: str) -> dict[str, str]:
    async with api.post("/api/login", json={"user": user, "password": password}) as r:
        assert r.status == 200
        return {"Cookie": f"hotline_session={r.cookies['hotline_session'].value}"}


async def test_a_session_idle_past_the_policy_ends(api: Client, orders_db: str) -> None:
    idle = api.app[ACCESS_POLICY].login.idle
    busy, quiet = await login(api, "staff"), await login(api, "staff")
    for cookie in (busy, quiet):
        async with api.get("/api/me", headers=cookie) as r:
            assert r.status == 200
    token = quiet["Cookie"].partition("=")[2]
    await _db(orders_db, update(UserSession)
              .where(UserSession.token_hash == hashlib.sha256(token.encode()).hexdigest())
              .values(last_seen_at=datetime.now(UTC) - idle - timedelta(minutes=1)))
    async with api.get("/api/me", headers=quiet) as r:
        assert (r.status, (await r.json())["error"]) == (401, "not-logged-in")
    async with api.get("/api/me", headers=busy) as r:
        assert r.status == 200


def _cli(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hotline12319.cli", "user", *args, "--database-url", url],
        input=stdin, capture_output=True, text=True, timeout=60, check=False,
    )


async def test_user_list_disable_passwd_and_role_from_the_command_line(
    api: Client, orders_db: str
) -> None:
    await _new_user(orders_db, "cliuser")
    cookie = await login(api, "cliuser")
    run = asyncio.to_thread
    listed = await run(_cli, orders_db, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert {"id": "cliuser", "role": "center_staff"}.items() <= next(
        u for u in json.loads(listed.stdout) if u["id"] == "cliuser").items()

    assert (await run(_cli, orders_db, "disable", "--id", "cliuser")).returncode == 0
    async with api.get("/api/me", headers=cookie) as r:
        assert r.status == 401  # the open session ended with the disable
    assert (await _try(api, "cliuser", PASSWORD))[0] == 401
    assert (await run(_cli, orders_db, "enable", "--id", "cliuser")).returncode == 0

    done = await run(_cli, orders_db, "passwd", "--id", "cliuser", "--password-stdin",
                     stdin="a new secret 12319\n")
    assert done.returncode == 0, done.stderr
    assert (await _try(api, "cliuser", PASSWORD))[0] == 401
    assert (await _try(api, "cliuser", "a new secret 12319"))[0] == 200

    assert (await run(_cli, orders_db, "role", "--id", "cliuser", "--role", "leader")
            ).returncode == 0
    status, body, _ = await _try(api, "cliuser", "a new secret 12319")
    assert (status, body["role"]) == (200, "leader")
    refused = await run(_cli, orders_db, "role", "--id", "nobody", "--role", "leader")
    assert refused.returncode != 0 and "no user nobody" in refused.stderr
    await _forget_failures(orders_db)
