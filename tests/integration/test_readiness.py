"""Liveness and readiness apart (issue 18, acceptance 4): /ready fails (503) while the
database is stopped — a real PostgreSQL of the test's own, stopped and started again — or
while ARI is unreachable; /health, the liveness probe, answers all along."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from hotline12319.serve import init_app
from routing.store.migrate import upgrade
from tests.integration.orders_support import orders_settings
from tests.integration.private_postgres import PrivatePostgres, private_postgres

pytestmark = pytest.mark.integration

Client = TestClient[web.Request, web.Application]


@pytest.fixture(scope="module")
def cluster() -> Iterator[PrivatePostgres]:
    with private_postgres() as pg:
        upgrade(pg.url)
        yield pg


async def _client(tmp: Path, database_url: str, **overrides: Any) -> Client:
    settings = orders_settings(tmp, "http://127.0.0.1:9/none", database_url)
    settings = settings.model_copy(update={"ari_app": "hotline12319-ready-test", **overrides})
    client = TestClient(TestServer(init_app(settings), host="127.0.0.1", port=0),
                        cookie_jar=aiohttp.DummyCookieJar())
    await client.start_server()
    return client


@pytest.fixture
async def app(cluster: PrivatePostgres, tmp_path: Path) -> AsyncIterator[Client]:
    client = await _client(tmp_path, cluster.url)
    yield client
    await client.close()


async def _ready(client: Client) -> tuple[int, dict[str, Any]]:
    async with client.get("/ready") as r:
        return r.status, await r.json()


async def _until(client: Client, status: int, within: float = 20.0) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while True:
        got, body = await _ready(client)
        if got == status or time.monotonic() > deadline:
            assert got == status, body
            return body
        await asyncio.sleep(0.3)


async def test_given_postgres_stops_then_not_ready_while_alive_and_ready_again_after(
    app: Client, cluster: PrivatePostgres
) -> None:
    assert await _until(app, 200) == {"ready": True, "database": True, "ari": True}
    await asyncio.to_thread(cluster.stop)
    try:
        status, body = await _ready(app)
        assert status == 503 and body == {"ready": False, "database": False, "ari": True}
        async with app.get("/health") as r:
            assert r.status == 200  # alive: a restart would not bring the database back
    finally:
        await asyncio.to_thread(cluster.start)
    assert (await _until(app, 200))["database"] is True


async def test_given_ari_unreachable_then_not_ready(cluster: PrivatePostgres,
                                                    tmp_path: Path) -> None:
    client = await _client(tmp_path, cluster.url, ari_url="http://127.0.0.1:9/ari",
                           ari_reconnect_max_seconds=1.0)
    try:
        await asyncio.sleep(1.0)
        status, body = await _ready(client)
        assert status == 503 and body == {"ready": False, "database": True, "ari": False}
    finally:
        await client.close()
