"""A citizen calls again (L 3.2.1(1)): a maintenance order past its committed standard
becomes a linked complaint; a call about an order still within its time is only noted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from routing.store.db import make_engine, make_sessionmaker
from routing.store.models import WorkOrder
from tests.integration.orders_support import agency, api, login

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # fixtures used by name

Client = TestClient[web.Request, web.Application]
ORDER = {"utility": "water", "order_type": "maintenance", "description": "水表井盖缺失",
         "caller_number": "13800009999", "district": "历下区", "address": "泉城路1号"}


async def _new_order(api: Client, staff: dict[str, str]) -> str:
    async with api.post("/api/orders", json=ORDER, headers=staff) as r:
        assert r.status == 201, await r.text()
        return str((await r.json())["number"])


async def _age(url: str, number: str, days: int) -> None:
    """The order was taken `days` ago: its committed time has long passed."""
    engine = make_engine(url)
    async with make_sessionmaker(engine).begin() as session:
        row = (await session.execute(select(WorkOrder).where(WorkOrder.number == number))
               ).scalar_one()
        past = datetime.now(UTC) - timedelta(days=days)
        row.created_at = past
        row.resolve_due = past + timedelta(hours=24)
        if row.lifecycle is not None:  # the lifecycle record, once written, is what counts
            row.lifecycle = {**row.lifecycle, "resolve_due": row.resolve_due.isoformat()}
    await engine.dispose()


async def _repeat(api: Client, staff: dict[str, str], number: str) -> dict[str, Any]:
    async with api.post(f"/api/orders/{number}/repeat-call", json={}, headers=staff) as r:
        assert r.status == 200, await r.text()
        return dict(await r.json())


async def test_given_missed_standard_then_repeat_call_becomes_linked_complaint(
    api: Client, orders_db: str
) -> None:
    staff = await login(api, "staff")
    number = await _new_order(api, staff)
    await _age(orders_db, number, days=5)
    result = await _repeat(api, staff, number)
    assert result["action"] == "complaint", result
    complaint = result["complaint"]
    assert complaint["order_type"] == "complaint" and complaint["utility"] == "water"
    assert number in complaint["description"]


async def test_given_time_left_then_repeat_call_is_only_noted(api: Client) -> None:
    staff = await login(api, "staff")
    number = await _new_order(api, staff)
    result = await _repeat(api, staff, number)
    assert result["action"] == "note" and result["complaint"] is None
