"""A message order with no utility yet heads the agents' review list and carries the
same-day dispatch limit of L 3.2.4(1), on PostgreSQL and SQLite (issue 19)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.integration.orders_support import agency, api, login

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # fixtures used by name
Client = TestClient[web.Request, web.Application]
BEIJING = timezone(timedelta(hours=8))


async def test_given_a_message_without_utility_then_it_is_first_to_review_and_due_today(
    api: Client,
) -> None:
    staff = await login(api, "staff")
    body = {"order_type": "complaint", "description": "投诉", "caller_number": "13800138003",
            "district": "历下区"}
    async with api.post("/api/orders", json={**body, "utility": "water"}, headers=staff) as r:
        assert r.status == 201, await r.text()
    async with api.post("/api/orders", json={**body, "utility": None, "order_type": "help",
                                             "description": "留言：请回电"}, headers=staff) as r:
        assert r.status == 201, await r.text()
        message = await r.json()
    due = datetime.fromisoformat(message["deadlines"]["dispatch_due"]).astimezone(BEIJING)
    assert (due.hour, due.minute, due.second) == (23, 59, 59)
    async with api.get("/api/orders?review=1", headers=staff) as r:
        listed = (await r.json())["orders"]
    assert listed[0]["number"] == message["number"], [o["number"] for o in listed]
