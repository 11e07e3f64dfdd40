"""Outside the sandbox, callers' personal information is only for logged-in center staff
(L 3.1.4): calls, orders, agents and the queue refuse anonymous readers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from hotline12319.serve import init_app
from tests.integration.orders_support import agency, api, login, orders_settings

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # `api` prepares the database and users

Client = TestClient[web.Request, web.Application]
PATHS = ["/api/calls", "/api/orders", "/api/orders/0000000000", "/api/agents", "/api/queue"]


@pytest.fixture
async def production(api: Client, orders_db: str, tmp_path_factory: pytest.TempPathFactory
                     ) -> AsyncIterator[Client]:
    settings = orders_settings(tmp_path_factory.mktemp("prod"), "http://127.0.0.1:9/none",
                               orders_db)
    settings = settings.model_copy(update={
        "environment": "production", "ari_password": "not-the-sandbox-secret",
        "ari_app": "hotline12319-production-test",
    })
    client = TestClient(TestServer(init_app(settings), host="127.0.0.1", port=0),
                        cookie_jar=aiohttp.DummyCookieJar())
    await client.start_server()
    yield client
    await client.close()


@pytest.mark.parametrize("path", PATHS)
async def test_anonymous_reads_are_refused_in_production(production: Client, path: str) -> None:
    async with production.get(path) as r:
        assert r.status == 401
        assert (await r.json())["error"] == "not-logged-in"


async def test_center_staff_read_and_agency_users_do_not(production: Client) -> None:
    staff, water = await login(production, "staff"), await login(production, "water")
    async with production.get("/api/orders", headers=staff) as r:
        assert r.status == 200
    async with production.get("/api/calls", headers=water) as r:
        assert r.status == 403
    async with production.put("/api/agents/x1", json={}, headers=water) as r:
        assert r.status == 403
