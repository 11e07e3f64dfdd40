"""The unit's reply is a field of the order (issue 19): the agent who phones the citizen back
reads what the unit reported (L 3.2.3(2)) on the order itself, not in the audit trail it
may not read; a reopen clears it until the unit reports again. PostgreSQL and SQLite."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.integration.orders_support import agency, api, login

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # fixtures used by name
Client = TestClient[web.Request, web.Application]
REPLY = "已更换损坏的水表，供水恢复正常"


async def _post(api: Client, path: str, who: dict[str, str], body: Any) -> dict[str, Any]:
    async with api.post(path, json=body, headers=who) as r:
        answer = await r.json()
        assert r.status in (200, 201), (path, answer)
        return dict(answer)


async def _read(api: Client, number: str, who: dict[str, str]) -> dict[str, Any]:
    async with api.get(f"/api/orders/{number}", headers=who) as r:
        assert r.status == 200, await r.text()
        return dict(await r.json())


async def test_given_the_unit_reports_then_the_agent_reads_its_reply_on_the_order(
    api: Client,
) -> None:
    staff, unit = await login(api, "staff"), await login(api, "water")
    order = await _post(api, "/api/orders", staff, {
        "utility": "water", "order_type": "maintenance", "description": "水表损坏漏水",
        "caller_number": "13800139001", "district": "历下区", "address": "经十路2号"})
    number = order["number"]
    assert order["unit_reply"] is None
    await _post(api, f"/api/orders/{number}/events", staff, {"event": "dispatch"})
    await _post(api, f"/api/agency/orders/{number}/receipt", unit, {})
    assert (await _read(api, number, staff))["unit_reply"] is None  # received, not reported
    await _post(api, f"/api/agency/orders/{number}/result", unit,
                {"handled": True, "reason": REPLY})
    await _post(api, f"/api/orders/{number}/events", staff, {"event": "callback"})
    assert (await _read(api, number, staff))["unit_reply"] == {
        "agency_id": "industry-water", "handled": True, "text": REPLY}
    await _post(api, f"/api/orders/{number}/events", staff,
                {"event": "reopen", "reason": "群众反映仍然漏水"})
    assert (await _read(api, number, staff))["unit_reply"] is None  # back with the unit
