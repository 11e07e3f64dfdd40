"""Who read an order is on record (L 3.1.4): an agency user's read leaves an audit row that
the supervision section sees at /api/audit and an agent may not."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from hotline12319.serve import init_app
from tests.integration.orders_support import agency, api, login, orders_settings

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # `api` prepares the database and users

Client = TestClient[web.Request, web.Application]
ORDER = {"utility": "water", "order_type": "maintenance", "description": "水管漏水",
         "caller_number": "13912345678", "district": "历下区", "address": "泉城路8号"}


@pytest.fixture(scope="module")
async def production(api: Client, orders_db: str, tmp_path_factory: pytest.TempPathFactory
                     ) -> AsyncIterator[Client]:
    settings = orders_settings(tmp_path_factory.mktemp("audit"), "http://127.0.0.1:9/none",
                               orders_db)
    settings = settings.model_copy(update={
        "environment": "production", "ari_password": "not-the-sandbox-secret",
        "ari_app": "hotline12319-read-audit-test",
    })
    client = TestClient(TestServer(init_app(settings), host="127.0.0.1", port=0),
                        cookie_jar=aiohttp.DummyCookieJar())
    await client.start_server()
    yield client
    await client.close()


async def _call(client: Client, method: str, path: str, who: dict[str, str],
                body: Any = None) -> tuple[int, Any]:
    async with client.request(method, path, headers=who, json=body) as r:
        return r.status, await r.json()


async def _dispatched_order(client: Client) -> str:
    staff = await login(client, "staff")
    status, order = await _call(client, "POST", "/api/orders", staff, ORDER)
    assert status == 201, order
    number: str = order["number"]
    status, order = await _call(client, "POST", f"/api/orders/{number}/events", staff,
                                {"event": "dispatch"})
    assert (status, order["agency_id"]) == (200, "industry-water"), order
    return number


async def _trail(client: Client, number: str) -> list[dict[str, Any]]:
    status, found = await _call(client, "GET", f"/api/audit?order={number}",
                                await login(client, "supervision"))
    assert status == 200 and found["order"] == number, found
    events: list[dict[str, Any]] = found["events"]
    return events


async def test_an_agency_read_is_on_record_for_the_supervision_section_not_for_the_agent(
    production: Client,
) -> None:
    number = await _dispatched_order(production)
    water = await login(production, "water")
    status, order = await _call(production, "GET", f"/api/agency/orders/{number}", water)
    assert status == 200 and order["caller_number_masked"] == "*******5678", order
    assert "caller_number" not in order and "recording" not in order

    trail = await _trail(production, number)
    assert [(e["actor"], e["action"], e["kind"]) for e in trail] == [
        ("staff", "created", "change"), ("staff", "dispatch", "change"),
        ("water", "agency_read_order", "read"),
    ]
    read = trail[-1]
    assert (read["role"], read["ip"]) == ("agency", "127.0.0.1")
    assert read["detail"]["fields"] == ["caller_number_masked", "address", "transcript"]

    for user, refused in (("staff", 403), ("water", 403), (None, 401)):
        who = await login(production, user) if user else {}
        status, answer = await _call(production, "GET", f"/api/audit?order={number}", who)
        assert status == refused, (user, answer)
        assert "events" not in answer


async def test_lists_are_audited_per_order_and_refused_reads_leave_nothing(
    production: Client,
) -> None:
    number = await _dispatched_order(production)
    gas, water = await login(production, "gas"), await login(production, "water")
    status, _ = await _call(production, "GET", f"/api/agency/orders/{number}", gas)
    assert status == 404  # another agency's order: not even its existence
    status, _ = await _call(production, "GET", f"/api/orders/{number}", water)
    assert status == 403
    status, mine = await _call(production, "GET", "/api/agency/orders?limit=500", water)
    assert status == 200 and number in [o["number"] for o in mine["orders"]]
    leader = await login(production, "leader")
    newest = f"/api/orders?caller_number={ORDER['caller_number']}&limit=1"
    status, found = await _call(production, "GET", newest, leader)
    assert status == 200 and [o["number"] for o in found["orders"]] == [number]

    reads = [e for e in await _trail(production, number) if e["kind"] == "read"]
    assert [(e["actor"], e["role"], e["action"]) for e in reads] == [
        ("water", "agency", "agency_list_orders"), ("leader", "leader", "list_orders"),
    ]
    assert reads[0]["detail"]["listed"] == len(mine["orders"])
    assert "recording" in reads[1]["detail"]["fields"]


async def test_bad_audit_queries_are_refused_with_a_stable_id(production: Client) -> None:
    duty = await login(production, "duty")
    for query in ("", "?order=", "?order=12;drop", "?order=1&who=x"):
        status, answer = await _call(production, "GET", f"/api/audit{query}", duty)
        assert status == 400 and answer["error"] in ("bad-parameter", "unknown-parameter")
