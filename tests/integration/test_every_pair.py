"""Every utility x order type goes its whole way on each engine (issue 19, acceptance 0).

Runs once on PostgreSQL and once on SQLite, the store `make run` uses
(tests/integration/conftest.py): each (utility, type) pair of the SLA table is created,
dispatched, received by its unit, reported handled, called back and closed over the real
HTTP API; one order also asks for more time with a Beijing-time deadline. After it, the
`kpi` command, the wallboard and the shift handover draft answer.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from console.http import SESSIONS
from routing.admin.users import add_user
from routing.orders.policy import GENERAL, load_policy
from routing.orders.transitions import Role
from tests.integration.orders_support import PASSWORD, agency, api, login

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # fixtures used by name
Client = TestClient[web.Request, web.Application]
PAIRS = sorted({(u.value, t.value) for (u, t, case) in load_policy().rows if case == GENERAL})
BEIJING = timezone(timedelta(hours=8))


async def _post(api: Client, path: str, who: dict[str, str], body: Any) -> tuple[int, Any]:
    async with api.post(path, json=body, headers=who) as r:
        return r.status, await r.json()


async def _unit_login(api: Client, agency_id: str, made: dict[str, dict[str, str]]
                      ) -> dict[str, str]:
    """A user of the unit the order went to (created once per unit)."""
    if agency_id not in made:
        async with api.app[SESSIONS].begin() as session:
            await add_user(session, user_id=f"u-{agency_id}", name=agency_id, role=Role.AGENCY,
                           agency_id=agency_id, password=PASSWORD, now=datetime.now(UTC))
        made[agency_id] = await login(api, f"u-{agency_id}")
    return made[agency_id]


async def _whole_way(api: Client, pair: tuple[str, str], staff: dict[str, str],
                     units: dict[str, dict[str, str]]) -> dict[str, Any]:
    utility, order_type = pair
    status, order = await _post(api, "/api/orders", staff, {
        "utility": utility, "order_type": order_type, "description": f"{utility} {order_type}",
        "caller_number": "13800138000", "district": "历下区", "address": "经十路1号"})
    assert status == 201, (pair, order)
    number = order["number"]
    status, order = await _post(api, f"/api/orders/{number}/events", staff, {"event": "dispatch"})
    assert (status, order.get("status")) == (200, "dispatched"), (pair, order)
    unit = await _unit_login(api, order["agency_id"], units)
    steps: list[tuple[str, dict[str, str], Any, str]] = [
        (f"/api/agency/orders/{number}/receipt", unit, {}, "received"),
        (f"/api/agency/orders/{number}/result", unit, {"handled": True, "reason": "已处理"},
         "handled"),
        (f"/api/orders/{number}/events", staff, {"event": "callback"}, "callback"),
        (f"/api/orders/{number}/events", staff, {"event": "close"}, "closed"),
    ]
    for path, who, body, expected in steps:
        status, order = await _post(api, path, who, body)
        assert (status, order.get("status")) == (200, expected), (pair, path, order)
    for field in ("created_at", "received_at", "completed_at", "closed_at"):
        assert datetime.fromisoformat(order[field]).utcoffset() is not None, (pair, field)
    return dict(order)


async def test_given_each_engine_then_every_pair_goes_the_whole_way_and_reports_work(
    api: Client, orders_db: str
) -> None:
    staff, duty = await login(api, "staff"), await login(api, "duty")
    units: dict[str, dict[str, str]] = {}
    assert len(PAIRS) >= 38
    closed = [await _whole_way(api, pair, staff, units) for pair in PAIRS]
    assert len(closed) == len(PAIRS)
    await _extension_in_beijing_time(api, staff, units)
    async with api.get("/api/handovers/draft", headers=duty) as r:
        assert r.status == 200, await r.text()
        assert "live" in await r.json()
    async with api.get("/api/wallboard", headers=duty) as r:
        assert r.status == 200, await r.text()
    report = await _kpi(orders_db, datetime.now(BEIJING).strftime("%Y-%m"))
    assert report["overall"], report


async def _extension_in_beijing_time(api: Client, staff: dict[str, str],
                                     units: dict[str, dict[str, str]]) -> None:
    _, order = await _post(api, "/api/orders", staff, {
        "utility": "water", "order_type": "maintenance", "description": "水表漏水",
        "caller_number": "13800138001", "district": "历下区", "address": "经十路2号"})
    number = order["number"]
    _, order = await _post(api, f"/api/orders/{number}/events", staff, {"event": "dispatch"})
    unit = await _unit_login(api, order["agency_id"], units)
    await _post(api, f"/api/agency/orders/{number}/receipt", unit, {})
    new_due = (datetime.now(BEIJING) + timedelta(days=10)).replace(microsecond=0)
    status, order = await _post(api, f"/api/agency/orders/{number}/extension", unit,
                                {"reason": "管网改造", "new_due": new_due.isoformat()})
    assert status == 200, order
    business = await login(api, "business")
    status, order = await _post(api, f"/api/orders/{number}/events", business,
                                {"event": "extension_decision", "approve": True})
    assert status == 200, order
    assert datetime.fromisoformat(order["deadlines"]["resolve_due"]) == new_due, order


async def _kpi(url: str, month: str) -> dict[str, Any]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hotline12319.cli", "kpi", "--month", month, "--json",
        "--database-url", url, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return dict(json.loads(out))
