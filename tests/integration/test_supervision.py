"""Handled twice and the citizen still not satisfied: the order goes to the supervision
section's queue (督办, L 3.1.1), which only supervising roles may read."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.integration.orders_support import agency, api, login

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # fixtures used by name

Client = TestClient[web.Request, web.Application]
ORDER = {"utility": "water", "order_type": "maintenance", "description": "水压一直很低",
         "caller_number": "13800007777", "district": "历下区", "address": "经七路7号"}


async def _post(api: Client, path: str, who: dict[str, str], body: Any) -> Any:
    async with api.post(path, json=body, headers=who) as r:
        assert r.status in (200, 201), await r.text()
        return await r.json()


async def test_given_two_unsatisfactory_handlings_then_in_the_supervision_queue(
    api: Client,
) -> None:
    staff, water = await login(api, "staff"), await login(api, "water")
    supervision = await login(api, "supervision")
    number = (await _post(api, "/api/orders", staff, ORDER))["number"]
    await _post(api, f"/api/orders/{number}/events", staff, {"event": "dispatch"})
    for _ in range(2):
        await _post(api, f"/api/agency/orders/{number}/receipt", water, {})
        await _post(api, f"/api/agency/orders/{number}/result", water,
                    {"handled": True, "reason": "已调压"})
        await _post(api, f"/api/orders/{number}/events", staff, {"event": "callback"})
        await _post(api, f"/api/orders/{number}/events", staff,
                    {"event": "reopen", "reason": "市民反映水压仍低"})
    async with api.get("/api/supervision/orders", headers=supervision) as r:
        assert r.status == 200
        queue = (await r.json())["orders"]
    assert number in [o["number"] for o in queue]
    async with api.get("/api/supervision/orders", headers=water) as r:
        assert r.status == 403
