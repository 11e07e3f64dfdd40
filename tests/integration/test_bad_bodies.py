"""Oversized bodies (issue 18's security battery) get a 413 in the API's error shape — the
stable id and a Chinese message, GeoReport's list on Open311 — instead of aiohttp's plain
text, and create nothing."""

from __future__ import annotations

import io

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.integration.orders_support import agency, api, login

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # fixtures used by name

Client = TestClient[web.Request, web.Application]
HUGE = b'{"description": "' + "漏".encode() * 400_000 + b'"}'  # 1.2 MB of JSON
JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize("path", ["/api/login", "/api/orders", "/api/me/password"])
async def test_an_oversized_body_is_a_413_with_a_stable_error(api: Client, path: str) -> None:
    headers = JSON | (await login(api, "staff") if path != "/api/login" else {})
    async with api.get("/api/orders?limit=500", headers=await login(api, "staff")) as r:
        before = len((await r.json())["orders"])
    async with api.post(path, data=io.BytesIO(HUGE), headers=headers) as r:
        assert (r.status, r.content_type) == (413, "application/json")
        answer = await r.json()
    assert answer["error"] == "body-too-large" and "太大" in answer["message"]
    async with api.get("/api/orders?limit=500", headers=await login(api, "staff")) as r:
        assert len((await r.json())["orders"]) == before


async def test_an_oversized_open311_post_gets_a_georeport_error(api: Client) -> None:
    async with api.post("/open311/v2/requests.json", data=io.BytesIO(HUGE), headers=JSON) as r:
        assert (r.status, r.content_type) == (413, "application/json")
        [error] = await r.json()
    assert error["code"] == 413
