"""Another unit's user cannot reach an order by its number (issue 18's security battery,
IDOR): every agency route that takes an order number, tried by the gas unit on an order
dispatched to the water unit, is refused or not found, discloses nothing of the order and
changes nothing; the water unit itself gets through."""

from __future__ import annotations

import json

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from aiohttp.web_urldispatcher import AbstractRoute

from tests.integration.orders_support import agency, api, login

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # fixtures used by name

Client = TestClient[web.Request, web.Application]
ORDER = {"utility": "water", "order_type": "maintenance", "description": "泉城路水表井冒水",
         "caller_number": "13912340000", "district": "历下区", "address": "泉城路88号"}
BODIES = {  # valid bodies, so a refusal is the ownership check and not the validation
    "result": {"handled": True, "reason": "已处理"},
    "extension": {"reason": "需要开挖许可", "new_due": "2099-01-01T00:00:00+08:00"},
    "pending": {"reason": "需要协调", "document": "函件"},
    "return": {"reason": "不属本单位"},
}


def _unit_routes(app: web.Application) -> list[AbstractRoute]:
    return [r for r in app.router.routes() if r.method not in ("HEAD", "*")
            and r.resource is not None and "{number}" in r.resource.canonical
            and r.resource.canonical.startswith("/api/agency/")]


async def _dispatched(api: Client) -> tuple[str, dict[str, str]]:
    staff = await login(api, "staff")
    async with api.post("/api/orders", json=ORDER, headers=staff) as r:
        number = str((await r.json())["number"])
    async with api.post(f"/api/orders/{number}/events", json={"event": "dispatch"},
                        headers=staff) as r:
        assert (await r.json())["agency_id"] == "industry-water"
    return number, staff


async def test_another_units_user_reaches_no_route_of_an_order_not_theirs(api: Client) -> None:
    number, staff = await _dispatched(api)
    async with api.get(f"/api/orders/{number}", headers=staff) as r:
        before = await r.json()
    gas = await login(api, "gas")
    routes = _unit_routes(api.app)
    assert len(routes) >= 8
    answers = {}
    for route in routes:
        info = route.get_info()
        url = info["formatter"].format(number=number, photo_id="1")
        body = BODIES.get(url.rsplit("/", 1)[-1], {})
        async with api.request(route.method, url, json=body, headers=gas) as r:
            answers[f"{route.method} {info.get('formatter')}"] = (r.status, await r.text())
    leaked = {k: s for k, (s, text) in answers.items()
              if s not in (403, 404) or ORDER["address"] in text or "水表井" in text}
    assert not leaked, leaked
    async with api.get(f"/api/orders/{number}", headers=staff) as r:
        after = await r.json()
    assert (after["status"], after["version"]) == (before["status"], before["version"])
    async with api.get(f"/api/agency/orders/{number}", headers=await login(api, "water")) as r:
        assert r.status == 200 and json.loads(await r.text())["number"] == number


async def test_a_units_live_feed_carries_only_its_own_dispatches(api: Client) -> None:
    """/api/agency/live: the water unit hears of its dispatch (the number only); the gas
    unit, listening at the same time, hears nothing of it."""
    water, gas = await login(api, "water"), await login(api, "gas")
    async with api.ws_connect("/api/agency/live", headers=water) as mine, \
            api.ws_connect("/api/agency/live", headers=gas) as theirs:
        assert (await mine.receive_json(timeout=5))["data"] == {"agency_id": "industry-water"}
        assert (await theirs.receive_json(timeout=5))["data"] == {"agency_id": "industry-gas"}
        number, _ = await _dispatched(api)
        heard = await mine.receive_json(timeout=5)
        assert heard["topic"] == "order_dispatched" and heard["data"] == {"number": number}
        with pytest.raises(TimeoutError):
            await theirs.receive_json(timeout=1)
