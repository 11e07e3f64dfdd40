"""The order API on a real PostgreSQL and a real HTTP server, with a real agency webhook."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from routing.admin.audit import Read
from routing.store.db import make_engine, make_sessionmaker
from routing.store.models import AuditEvent, WorkOrder
from tests.integration.orders_support import AgencyStub, agency, api, login

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # fixtures used by name
Client = TestClient[web.Request, web.Application]
ORDER = {"utility": "water", "order_type": "maintenance", "description": "水表井盖缺失",
         "caller_number": "13800138000", "district": "历下区", "address": "经十路1号"}


async def _post(api: Client, path: str, who: dict[str, str], body: Any) -> tuple[int, Any]:
    async with api.post(path, json=body, headers=who) as r:
        return r.status, await r.json()


async def _until(check: Any, within: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def test_given_an_intake_when_dispatched_received_handled_called_back_then_closed(
    api: Client, agency: AgencyStub, orders_db: str
) -> None:
    staff, water = await login(api, "staff"), await login(api, "water")
    status, order = await _post(api, "/api/orders", staff, ORDER)
    assert status == 201 and order["status"] == "created", order
    assert order["deadlines"]["receipt_due"] and order["district"] == "lixia"
    number = order["number"]
    status, order = await _post(api, f"/api/orders/{number}/events", staff, {"event": "dispatch"})
    assert (status, order["status"], order["agency_id"]) == (200, "dispatched", "industry-water")
    await _until(lambda: any(p["order_number"] == number for p in agency.received))
    push = next(p for p in agency.received if p["order_number"] == number)
    assert push["header_key"] == push["idempotency_key"] == f"{number}:1"
    assert push["caller_number_masked"] == "*******8000"
    async with api.get("/api/agency/orders", headers=water) as r:
        mine = (await r.json())["orders"]
    assert [o["caller_number_masked"] for o in mine if o["number"] == number] == ["*******8000"]
    assert all("caller_number" not in o for o in mine)
    steps: list[tuple[str, dict[str, str], Any, str]] = [
        (f"/api/agency/orders/{number}/receipt", water, {}, "received"),
        (f"/api/agency/orders/{number}/result", water, {"handled": True, "reason": "已补装"},
         "handled"),
        (f"/api/orders/{number}/events", staff, {"event": "callback"}, "callback"),
        (f"/api/orders/{number}/events", staff, {"event": "close"}, "closed"),
    ]
    for path, who, body, expected in steps:
        status, order = await _post(api, path, who, body)
        assert (status, order["status"]) == (200, expected), order
    assert order["received_at"] and order["completed_at"] and order["closed_at"]
    assert await _audit_actions(orders_db, number) == [
        "created", "dispatch", "receive", "report_handled", "start_callback", "close"]


async def _audit_actions(url: str, number: str) -> list[str]:
    """The order's changes (reads are audited too; test_read_audit covers those)."""
    engine = make_engine(url)
    reads = [r.value for r in Read]
    async with make_sessionmaker(engine)() as session:
        rows = await session.execute(select(AuditEvent.action).where(
            AuditEvent.entity_id == number, AuditEvent.action.not_in(reads)
        ).order_by(AuditEvent.id))
        actions = list(rows.scalars())
    await engine.dispose()
    return actions


async def _counts(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as session:
        orders = (await session.execute(select(func.count()).select_from(WorkOrder))).scalar_one()
        audits = (await session.execute(select(func.count()).select_from(AuditEvent))
                  ).scalar_one()
    await engine.dispose()
    return orders, audits


BAD = [  # (method, path, body, status, error id); path {n} is an existing created order
    ("post", "/api/orders", "{not json", 400, "malformed-json"),
    ("post", "/api/orders", {**ORDER, "colour": "red"}, 422, "invalid-body"),
    ("post", "/api/orders", {**ORDER, "utility": "electricity"}, 422, "invalid-body"),
    ("post", "/api/orders", {**ORDER, "caller_number": "call me"}, 422, "invalid-body"),
    ("post", "/api/orders", {**ORDER, "description": ""}, 422, "invalid-body"),
    ("post", "/api/orders", {**ORDER, "district": "atlantis"}, 422, "no-agency"),
    ("post", "/api/orders", {**ORDER, "call_id": "no-such-call"}, 422, "call-not-found"),
    ("post", "/api/orders/{n}/events", {"event": "fly"}, 422, "invalid-body"),
    ("post", "/api/orders/{n}/events", {"event": "close"}, 409, "transition-not-allowed"),
    ("post", "/api/orders/{n}/events", {"event": "extension_decision"}, 422, "invalid-body"),
    ("post", "/api/orders/{n}/events", {"event": "dispatch", "x": 1}, 422, "invalid-body"),
    ("post", "/api/orders/0000000000/events", {"event": "dispatch"}, 404, "order-not-found"),
    ("post", "/api/login", {"user": "staff"}, 422, "invalid-body"),
    ("post", "/api/login", {"user": "staff", "password": "wrong"}, 401, "bad-credentials"),
    ("get", "/api/orders?status=lost", None, 400, "bad-parameter"),
    ("get", "/api/orders?colour=red", None, 400, "unknown-parameter"),
]


async def test_given_bad_input_to_every_endpoint_then_4xx_with_stable_id_and_nothing_written(
    api: Client, orders_db: str
) -> None:
    staff = await login(api, "staff")
    _, order = await _post(api, "/api/orders", staff, ORDER)
    before = await _counts(orders_db)
    for method, path, body, status, error in BAD:
        kwargs: dict[str, Any] = {"headers": staff}
        kwargs["data" if isinstance(body, str) else "json"] = body
        async with api.request(method, path.replace("{n}", order["number"]), **kwargs) as r:
            answer = await r.json()
            assert (r.status, answer["error"]) == (status, error), (path, body, answer)
            assert answer["message"]
    assert await _counts(orders_db) == before


ROLES = [  # (user or None, method, path, body, status)
    (None, "post", "/api/orders", ORDER, 401),
    ("water", "post", "/api/orders", ORDER, 403),
    ("leader", "post", "/api/orders", ORDER, 403),
    ("business", "post", "/api/orders", ORDER, 201),
    ("staff", "get", "/api/agency/orders", None, 403),
    (None, "get", "/api/me", None, 401),
    ("water", "post", "/api/orders/{n}/events", {"event": "dispatch"}, 403),
    # Another unit's order is not found, for writes as for reads (test_idor.py).
    ("gas", "post", "/api/agency/orders/{d}/receipt", {}, 404),
    ("leader", "post", "/api/orders/{d}/events", {"event": "callback"}, 409),
    ("staff", "post", "/api/orders/{d}/events", {"event": "extension_decision",
                                                  "approve": True}, 403),
]


async def test_given_each_role_when_calling_the_order_endpoints_then_only_allowed_ones_pass(
    api: Client
) -> None:
    staff = await login(api, "staff")
    _, created = await _post(api, "/api/orders", staff, ORDER)
    _, dispatched = await _post(api, "/api/orders", staff, ORDER)
    await _post(api, f"/api/orders/{dispatched['number']}/events", staff, {"event": "dispatch"})
    for user, method, path, body, status in ROLES:
        headers = await login(api, user) if user else {}
        url = path.replace("{n}", created["number"]).replace("{d}", dispatched["number"])
        async with api.request(method, url, json=body, headers=headers) as r:
            assert r.status == status, (user, path, await r.text())


async def test_given_two_writers_on_one_version_then_only_one_applies(
    api: Client, orders_db: str
) -> None:
    staff = await login(api, "staff")
    _, order = await _post(api, "/api/orders", staff, {**ORDER, "district": None})
    path = f"/api/orders/{order['number']}/events"
    results = await asyncio.gather(*(_post(api, path, staff, {"event": "dispatch"})
                                     for _ in range(2)))
    assert sorted(s for s, _ in results) == [200, 409]
    assert await _audit_actions(orders_db, order["number"]) == ["created", "dispatch"]


async def test_openapi_document_lists_every_order_endpoint(api: Client) -> None:
    async with api.get("/api/openapi.json") as r:
        doc = await r.json()
    assert doc["openapi"].startswith("3.") and "/api/orders/{number}/events" in doc["paths"]
    assert "OrderCreate" in doc["components"]["schemas"]
    async with api.get("/api/me", headers=await login(api, "water")) as r:
        assert (await r.json())["agency_id"] == "industry-water"
