"""GET /metrics (issue 14): the node's figures in Prometheus' text format, read by the real
parser, on both engines; an order past its dispatch limit is counted late at that stage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from routing.store.db import make_engine, make_sessionmaker
from routing.store.models import WorkOrder
from tests.integration.orders_support import agency, api, login

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # fixtures used by name

Client = TestClient[web.Request, web.Application]
ORDER = {"utility": "gas", "order_type": "maintenance", "description": "燃气表漏气声",
         "caller_number": "13800001234", "district": "历下区", "address": "泉城路2号"}


async def _scrape(api: Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    async with api.get("/metrics") as r:  # no login: a scraper has none
        assert r.status == 200, await r.text()
        assert r.headers["Content-Type"].startswith("text/plain")
        body = await r.text()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(body) for s in family.samples}


async def test_metrics_count_an_order_past_its_dispatch_limit(api: Client, orders_db: str
                                                              ) -> None:
    before = await _scrape(api)
    assert before[("hotline_orders_late", (("stage", "dispatch"),))] == 0
    assert ("hotline_agents", (("state", "available"),)) in before
    assert ("hotline_queue_waiting", ()) in before
    assert ("hotline_ari_connected", ()) in before

    staff = await login(api, "staff")
    async with api.post("/api/orders", json=ORDER, headers=staff) as r:
        assert r.status == 201, await r.text()
        number = (await r.json())["number"]
    assert (await _scrape(api))[("hotline_orders_late", (("stage", "dispatch"),))] == 0

    engine = make_engine(orders_db)  # nobody dispatched it: its half hour has gone by
    async with make_sessionmaker(engine).begin() as session:
        await session.execute(update(WorkOrder).where(WorkOrder.number == number)
                              .values(dispatch_due=datetime.now(UTC) - timedelta(minutes=1)))
    await engine.dispose()
    after = await _scrape(api)
    assert after[("hotline_orders_late", (("stage", "dispatch"),))] == 1
    assert after[("hotline_orders_late", (("stage", "receipt"),))] == 0


async def test_metrics_carry_nothing_personal(api: Client) -> None:
    staff = await login(api, "staff")
    async with api.post("/api/orders", json=ORDER, headers=staff) as r:
        assert r.status == 201
    async with api.get("/metrics") as r:
        body = await r.text()
    assert ORDER["caller_number"] not in body and ORDER["address"] not in body
