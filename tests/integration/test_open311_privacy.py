"""Open311 reads publish only what came in through Open311, coarsened, without the people in
it (issue 18, acceptance 1; L 3.1.4: callers' numbers and addresses are personal).

One order of every source is made — a call and a message left while the app was down
(through the store the call path uses), an agent's order (POST /api/orders) and a web
request (Open311) — each full of personal details; then everything an anonymous reader can
ask Open311 for is read and searched for them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from ari_app.storage import CallStore
from ivr.commands import CreateOrder
from routing.enums import OrderType, Utility
from routing.store.db import make_engine, make_sessionmaker
from tests.integration.orders_support import agency, api, login
from tests.integration.test_open311 import new_key

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # fixtures used by name

Client = TestClient[web.Request, web.Application]
SECRETS = {  # what must never reach an anonymous reader, by where it was put
    "call_number": "13911110001", "message_number": "13911110002",
    "agent_number": "13911110003", "web_phone": "13911110004",
    "agent_description": "楼道里暖气漏水（坐席受理）", "agent_house": "经十路77号",
    "web_first": "婉清", "web_last": "欧阳", "web_email": "ouyang.wq@example.cn",
    "web_house": "英雄山路88号", "described_phone": "0531-88776655",
    "described_name": "刘德华",
}


async def _call_and_message_orders(database_url: str) -> list[str]:
    engine = make_engine(database_url)
    store, now = CallStore(make_sessionmaker(engine)), datetime.now(UTC)
    try:
        await store.open(channel_id="privacy-call-1", caller_number=SECRETS["call_number"],
                         caller_name="王大锤", started_at=now)
        call = await store.create_order(channel_id="privacy-call-1", now=now, order=CreateOrder(
            utility=Utility.GAS, order_type=OrderType.MAINTENANCE, path=("3", "2"),
            recording_name="privacy-call-1.wav", needs_agent=False))
        message = await store.order_for_message(recording_name="privacy-message-1.wav",
                                                caller_number=SECRETS["message_number"], now=now)
    finally:
        await engine.dispose()
    assert message is not None
    return [call, message]


async def _agent_order(api: Client) -> str:
    body = {"utility": "heating", "order_type": "maintenance",
            "description": SECRETS["agent_description"],
            "caller_number": SECRETS["agent_number"],
            "address": f"历下区{SECRETS['agent_house']}3单元"}
    async with api.post("/api/orders", json=body, headers=await login(api, "staff")) as r:
        assert r.status == 201, await r.text()
        return str((await r.json())["number"])


async def _web_order(api: Client, key: str) -> str:
    form = {"service_code": "water.complaint", "api_key": key,
            "description": f"我叫{SECRETS['described_name']}，水压太低，"
                           f"请打{SECRETS['described_phone']}，欧阳婉清",
            "address_string": f"市中区{SECRETS['web_house']}2单元",
            "lat": "36.6427815", "long": "117.0071234", "phone": SECRETS["web_phone"],
            "first_name": SECRETS["web_first"], "last_name": SECRETS["web_last"],
            "email": SECRETS["web_email"]}
    async with api.post("/open311/v2/requests.json", data=form) as r:
        assert r.status == 201, await r.text()
        return str((await r.json())[0]["service_request_id"])


async def _everything_anonymous_reads(api: Client, numbers: list[str]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for params in ({}, {"service_request_id": ",".join(numbers)}):
        async with api.get("/open311/v2/requests.json", params=params) as r:
            assert r.status == 200
            seen[f"list {params}"] = await r.json()
    for number in numbers:
        async with api.get(f"/open311/v2/requests/{number}.json") as r:
            seen[number] = (r.status, await r.json())
    return seen


async def test_given_an_order_of_every_source_then_anonymous_open311_reads_show_only_the_web_one_coarsened(  # noqa: E501
    api: Client, orders_db: str
) -> None:
    inside = [*await _call_and_message_orders(orders_db), await _agent_order(api)]
    web_number = await _web_order(api, await new_key(orders_db, "privacy-portal"))
    seen = await _everything_anonymous_reads(api, [*inside, web_number])

    listed = {r["service_request_id"] for key, v in seen.items() if key.startswith("list")
              for r in v}
    assert web_number in listed and not listed & set(inside)
    for number in inside:
        status, body = seen[number]
        assert status == 404 and body[0]["code"] == 404
    status, [public] = seen[web_number]
    assert status == 200
    assert public["address"] == "市中区英雄山路"
    assert (public["lat"], public["long"]) == (36.643, 117.007)
    assert "水压太低" in public["description"]
    text = json.dumps(seen, ensure_ascii=False)
    leaked = {name: value for name, value in SECRETS.items() if value in text}
    assert not leaked, f"personal details in anonymous Open311 reads: {leaked}"
    assert "88776655" not in text.replace("-", "")
