"""The 10,001st and the 100,000th order of a day get valid numbers that lead back to them
(issue 18, acceptance 5), on PostgreSQL and SQLite."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import delete

from routing.orders.number_blocks import BLOCK
from routing.orders.order_numbers import parse_number
from routing.store.db import make_engine, make_sessionmaker
from routing.store.models import OrderCounter
from tests.integration.orders_support import agency, api, login

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # fixtures used by name

Client = TestClient[web.Request, web.Application]
ORDER = {"utility": "water", "order_type": "maintenance", "description": "水表井盖缺失",
         "caller_number": "13800009999"}


async def _day_has_had(url: str, count: int) -> str:
    """Today's counter (Shanghai) as if `count` orders were taken already; the day."""
    day = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%y%m%d")
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine).begin() as session:
            await session.execute(delete(OrderCounter).where(OrderCounter.day == day))
            session.add(OrderCounter(day=day, last=count))
    finally:
        await engine.dispose()
    return day


@pytest.mark.parametrize(("taken", "sequence"), [(10_000, 10_001), (99_999, 100_000)])
async def test_the_order_after_a_surge_gets_a_number_that_finds_it(
    api: Client, orders_db: str, taken: int, sequence: int
) -> None:
    day = await _day_has_had(orders_db, taken)
    staff = await login(api, "staff")
    # On PostgreSQL the app may still hold numbers of a block it reserved before the counter
    # was moved (routing/orders/number_blocks.py): those come first, at most BLOCK - 1.
    for _ in range(BLOCK):
        async with api.post("/api/orders", json=ORDER, headers=staff) as r:
            assert r.status == 201, await r.text()
            number = (await r.json())["number"]
        if parse_number(number)[1] > taken:
            break
    assert parse_number(number) == (day, sequence)
    async with api.get(f"/api/orders/{number}", headers=staff) as r:
        assert r.status == 200 and (await r.json())["number"] == number
    async with api.post("/api/orders", json=ORDER, headers=staff) as r:
        assert parse_number((await r.json())["number"]) == (day, sequence + 1)
