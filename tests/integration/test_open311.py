"""Web intake per Open311 GeoReport v2 (issue 3): services, a request becomes an order
acknowledged within one working day, requests can be read back; bad input is refused."""

from __future__ import annotations

from datetime import datetime

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.integration.orders_support import agency, api

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # fixtures used by name

Client = TestClient[web.Request, web.Application]


async def test_services_are_utility_by_request_type_without_emergencies(api: Client) -> None:
    async with api.get("/open311/v2/services.json") as r:
        services = await r.json()
    codes = {s["service_code"] for s in services}
    assert "water.maintenance" in codes and "heating.complaint" in codes
    assert len(codes) == 9 * 5 and not any(c.endswith("emergency_repair") for c in codes)


async def test_a_web_request_becomes_an_order_acknowledged_within_a_working_day(
    api: Client,
) -> None:
    form = {"service_code": "streetlight.maintenance", "description": "经十路路灯连续三晚不亮",
            "address_string": "历下区经十路100号", "phone": "13800000123"}
    async with api.post("/open311/v2/requests.json", data=form) as r:
        assert r.status == 201, await r.text()
        [created] = await r.json()
    number = created["service_request_id"]
    expected = datetime.fromisoformat(created["expected_datetime"])
    assert (expected.hour, expected.minute) == (23, 59)  # the end of a working day
    async with api.get(f"/open311/v2/requests/{number}.json") as r:
        [request] = await r.json()
    assert request["service_code"] == "streetlight.maintenance"
    assert request["status"] == "open" and request["address"] == "历下区经十路100号"
    async with api.get("/open311/v2/requests.json", params={"service_request_id": number}) as r:
        assert [x["service_request_id"] for x in await r.json()] == [number]


@pytest.mark.parametrize(
    "form,fragment",
    [
        ({"service_code": "gas.emergency_repair", "description": "漏气"}, "service_code"),
        ({"service_code": "electricity.complaint", "description": "停电"}, "service_code"),
        ({"service_code": "water.complaint", "description": ""}, "description"),
        ({"service_code": "water.complaint", "description": "x", "phone": "call me"}, "phone"),
    ],
)
async def test_bad_requests_get_an_open311_error_and_no_order(
    api: Client, form: dict[str, str], fragment: str
) -> None:
    async with api.get("/open311/v2/requests.json") as r:
        before = len(await r.json())
    async with api.post("/open311/v2/requests.json", data=form) as r:
        assert r.status == 400
        [error] = await r.json()
    assert error["code"] == 400 and fragment in error["description"]
    async with api.get("/open311/v2/requests.json") as r:
        assert len(await r.json()) == before
