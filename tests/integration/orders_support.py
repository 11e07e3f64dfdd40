"""Fixtures for the order-engine tests: their own PostgreSQL database, the app in-process
(`init_app` under a test ARI app name, never "hotline12319"), a test agency webhook server
that verifies signatures, and logged-in clients per role."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from hotline12319.serve import init_app
from hotline12319.settings import PROJECT_ROOT, Settings, load_settings
from routing.admin.users import add_user
from routing.dispatch.webhook import IDEMPOTENCY_HEADER
from routing.dispatch.webhook_standard import whsec
from routing.orders.transitions import Role
from routing.store.db import make_engine, make_sessionmaker
from routing.store.migrate import upgrade
from tests.db_reset import empty_public_schema

ORDERS_DB = os.environ.get(
    "HOTLINE_ORDERS_TEST_DATABASE_URL",
    "postgresql+asyncpg://hotline:hotline@127.0.0.1:5432/hotline_orders",
)
SECRET_ENV = "HOTLINE_AGENCY_WATER_WEBHOOK_SECRET"
SECRET = "orders-test-secret-0123456789abcdef"
PASSWORD = "correct horse 12319"
USERS = {  # id -> (role, agency)
    "staff": (Role.CENTER_STAFF, None), "business": (Role.BUSINESS_SECTION, None),
    "supervision": (Role.SUPERVISION_SECTION, None), "duty": (Role.DUTY_SUPERVISOR, None),
    "leader": (Role.LEADER, None), "water": (Role.AGENCY, "industry-water"),
    "gas": (Role.AGENCY, "industry-gas"),
}


@dataclass
class AgencyStub:
    server: TestServer
    received: list[dict[str, Any]] = field(default_factory=list)


async def reset_database(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            stale.unlink(missing_ok=True)
        await asyncio.to_thread(upgrade, url)
        return
    await empty_public_schema(url)
    # Alembic's env runs its own event loop: give it a thread of its own.
    await asyncio.to_thread(upgrade, url)


async def add_users(url: str) -> None:
    engine = make_engine(url)
    async with make_sessionmaker(engine).begin() as session:
        for user_id, (role, agency) in USERS.items():
            await add_user(session, user_id=user_id, name=user_id, role=role, agency_id=agency,
                           password=PASSWORD, now=datetime.now(UTC))
    await engine.dispose()


async def start_agency() -> AgencyStub:
    state: dict[str, AgencyStub] = {}

    async def orders(request: web.Request) -> web.Response:
        raw = await request.read()
        try:  # as an agency would, with a Standard Webhooks verifier
            Webhook(whsec(SECRET.encode())).verify(raw, dict(request.headers))
        except WebhookVerificationError as exc:
            return web.json_response({"error": str(exc)}, status=401)
        state["a"].received.append({**json.loads(raw),
                                    "header_key": request.headers.get(IDEMPOTENCY_HEADER)})
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/12319/orders", orders)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    state["a"] = AgencyStub(server)
    return state["a"]


def agencies_file(tmp: Path, url: str) -> Path:
    data = yaml.safe_load(
        (PROJECT_ROOT / "routing" / "agencies" / "agencies.yaml").read_text("utf-8")
    )
    for agency in data["agencies"]:
        if agency["id"] == "industry-water":
            agency.update(webhook_url=url, webhook_secret_env=SECRET_ENV)
    path = tmp / "agencies.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return path


def orders_settings(tmp: Path, agency_url: str, database_url: str = ORDERS_DB) -> Settings:
    return load_settings(
        database_url=database_url,
        ari_app="hotline12319-orders-test",
        agencies_file=agencies_file(tmp, agency_url),
        recordings_dir=tmp / "recordings",
        sweeper_interval_seconds=3600.0,  # the tests call sweep_once themselves
        # This app shares the sandbox with the call tests: it must not ring duty lines of
        # its own, nor start speech workers it does not need.
        duty_poll_seconds=3600.0,
        speech_in_calls=False,
        ingest_fallback_messages=False,
        auto_dispatch=False,  # the tests dispatch themselves (test_auto_dispatch: serve's)
    )


@pytest.fixture(scope="session")
async def agency() -> AsyncIterator[AgencyStub]:
    test_agency = await start_agency()
    yield test_agency
    await test_agency.server.close()


@pytest.fixture(scope="session")
async def api(
    agency: AgencyStub, orders_db: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    # orders_db: PostgreSQL or SQLite, one session each (tests/integration/conftest.py).
    await reset_database(orders_db)
    await add_users(orders_db)
    os.environ[SECRET_ENV] = SECRET
    settings = orders_settings(
        tmp_path_factory.mktemp("orders"), str(agency.server.make_url("/12319/orders")), orders_db
    )
    # No cookie jar: each request carries the cookie of the role the test names.
    client = TestClient(
        TestServer(init_app(settings), host="127.0.0.1", port=0),
        cookie_jar=aiohttp.DummyCookieJar(),
    )
    await client.start_server()
    yield client
    await client.close()


async def login(api: TestClient[web.Request, web.Application], user: str) -> dict[str, str]:
    """The cookie header of a fresh session of `user`."""
    async with api.post("/api/login", json={"user": user, "password": PASSWORD}) as r:
        assert r.status == 200, await r.text()
        assert (
            "HttpOnly" in r.headers["Set-Cookie"] and "SameSite=Strict" in r.headers["Set-Cookie"]
        )
        return {"Cookie": f"hotline_session={r.cookies['hotline_session'].value}"}
