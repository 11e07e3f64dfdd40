"""Web intake per Open311 GeoReport v2 (issue 3): services, a request becomes an order
acknowledged within one working day, requests can be read back; bad input is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from console.open311_http import OPEN311_LIMITS
from routing.admin.open311_keys import issue_key
from routing.store.db import make_engine, make_sessionmaker
from tests.integration.orders_support import agency, api, login

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # fixtures used by name

Client = TestClient[web.Request, web.Application]


async def new_key(database_url: str, client: str) -> str:
    """A key as `hotline12319 open311-key add --client CLIENT` issues it."""
    engine = make_engine(database_url)
    try:
        async with make_sessionmaker(engine).begin() as session:
            return await issue_key(session, client=client, actor="test", now=datetime.now(UTC))
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
async def key(api: Client, orders_db: str) -> str:
    return await new_key(orders_db, "test-portal")


async def test_services_are_utility_by_request_type_without_emergencies(api: Client) -> None:
    async with api.get("/open311/v2/services.json") as r:
        services = await r.json()
    codes = {s["service_code"] for s in services}
    assert "water.maintenance" in codes and "heating.complaint" in codes
    assert len(codes) == 9 * 5 and not any(c.endswith("emergency_repair") for c in codes)


async def test_a_web_request_becomes_an_order_acknowledged_within_a_working_day(
    api: Client, key: str
) -> None:
    form = {"service_code": "streetlight.maintenance", "description": "经十路路灯连续三晚不亮",
            "address_string": "历下区经十路100号", "phone": "13800000123", "api_key": key}
    async with api.post("/open311/v2/requests.json", data=form) as r:
        assert r.status == 201, await r.text()
        [created] = await r.json()
    number = created["service_request_id"]
    expected = datetime.fromisoformat(created["expected_datetime"])
    assert (expected.hour, expected.minute) == (23, 59)  # the end of a working day
    async with api.get(f"/open311/v2/requests/{number}.json") as r:
        [request] = await r.json()
    assert request["service_code"] == "streetlight.maintenance"
    assert request["status"] == "open" and request["address"] == "历下区经十路"  # coarsened
    async with api.get("/open311/v2/requests.json", params={"service_request_id": number}) as r:
        assert [x["service_request_id"] for x in await r.json()] == [number]


@pytest.mark.parametrize(
    "form,fragment",
    [
        ({"service_code": "gas.emergency_repair", "description": "漏气"}, "service_code"),
        ({"service_code": "electricity.complaint", "description": "停电"}, "service_code"),
        ({"service_code": "water.complaint", "description": ""}, "description"),
        ({"service_code": "water.complaint", "description": "x", "phone": "call me",
          "address_string": "解放路"}, "phone"),
        ({"service_code": "water.complaint", "description": "no place"}, "location"),
        ({"service_code": "water.complaint", "description": "x", "lat": "36.6"}, "long"),
        ({"service_code": "water.complaint", "description": "x", "lat": "136.6",
          "long": "117"}, "lat"),
        ({"service_code": "water.complaint", "description": "x", "lat": "nan",
          "long": "117"}, "lat"),
        ({"service_code": "water.complaint", "description": "x", "address_id": "A1",
          "email": "not-an-address"}, "email"),
    ],
)
async def test_bad_requests_get_an_open311_error_and_no_order(
    api: Client, key: str, form: dict[str, str], fragment: str
) -> None:
    async with api.get("/open311/v2/requests.json") as r:
        before = len(await r.json())
    async with api.post("/open311/v2/requests.json", data=form | {"api_key": key}) as r:
        assert r.status == 400
        [error] = await r.json()
    assert error["code"] == 400 and fragment in error["description"]
    async with api.get("/open311/v2/requests.json") as r:
        assert len(await r.json()) == before


PLACE = {"service_code": "water.maintenance", "address_string": "市中区英雄山路88号"}


@pytest.mark.parametrize("api_key", [None, "", "not-a-key"])
async def test_a_post_without_a_valid_api_key_is_refused_and_makes_no_order(
    api: Client, api_key: str | None
) -> None:
    form = PLACE | {"description": "水表井盖松动"} | ({"api_key": api_key} if api_key is not None
                                                     else {})
    async with api.get("/open311/v2/requests.json") as r:
        before = len(await r.json())
    async with api.post("/open311/v2/requests.json", data=form) as r:
        assert r.status == 403, await r.text()
        [error] = await r.json()
    assert error["code"] == 403 and "api_key" in error["description"]
    async with api.get("/open311/v2/requests.json") as r:
        assert len(await r.json()) == before


async def test_a_revoked_or_replaced_key_no_longer_posts(api: Client, orders_db: str) -> None:
    old = await new_key(orders_db, "rotating-client")
    current = await new_key(orders_db, "rotating-client")  # `add` again replaces the key
    form = PLACE | {"description": "阀门井盖缺失"}
    async with api.post("/open311/v2/requests.json", data=form | {"api_key": old}) as r:
        assert r.status == 403
    async with api.post("/open311/v2/requests.json", data=form | {"api_key": current}) as r:
        assert r.status == 201, await r.text()


async def test_a_key_over_its_rate_gets_429_with_retry_after(api: Client, orders_db: str) -> None:
    limits = api.app[OPEN311_LIMITS]
    limits.per_ip.clear()
    flood = await new_key(orders_db, "flooding-client")
    statuses = []
    try:
        for n in range(limits.per_key.limit + 1):
            form = PLACE | {"description": f"第{n}次提交", "api_key": flood}
            async with api.post("/open311/v2/requests.json", data=form) as r:
                statuses.append(r.status)
                retry = r.headers.get("Retry-After")
    finally:
        limits.per_ip.clear()
    assert statuses == [201] * limits.per_key.limit + [429]
    assert retry is not None and 1 <= int(retry) <= 60


async def test_an_address_guessing_keys_gets_429_before_its_next_try(api: Client) -> None:
    limits = api.app[OPEN311_LIMITS]
    limits.per_ip.clear()
    statuses = []
    try:
        for n in range(limits.per_ip.limit + 1):
            form = PLACE | {"description": "猜密钥", "api_key": f"guess-{n}"}
            async with api.post("/open311/v2/requests.json", data=form) as r:
                statuses.append(r.status)
                retry = r.headers.get("Retry-After")
    finally:
        limits.per_ip.clear()
    assert statuses == [403] * limits.per_ip.limit + [429]
    assert retry is not None and int(retry) >= 1


async def test_services_and_requests_read_in_xml_the_specifications_default(
    api: Client, key: str
) -> None:
    async with api.get("/open311/v2/services.xml") as r:
        assert r.status == 200 and r.content_type == "text/xml"
        services = ElementTree.fromstring(await r.read())
    assert services.tag == "services" and len(services.findall("service")) == 9 * 5
    water = next(s for s in services if s.findtext("service_code") == "water.maintenance")
    assert water.findtext("metadata") == "true" and water.findtext("service_name")
    form = PLACE | {"description": "水表井有积水", "api_key": key}
    async with api.post("/open311/v2/requests.xml", data=form) as r:
        assert r.status == 201 and r.content_type == "text/xml"
        created = ElementTree.fromstring(await r.read())
    number = created.findtext("request/service_request_id")
    assert number
    async with api.get(f"/open311/v2/requests/{number}.xml") as r:
        request = ElementTree.fromstring(await r.read()).find("request")
    assert request is not None and request.findtext("address") == "市中区英雄山路"
    async with api.get("/open311/v2/requests/0000000000.xml") as r:
        assert r.status == 404 and r.content_type == "text/xml"
        assert ElementTree.fromstring(await r.read()).findtext("error/code") == "404"


async def test_a_service_definition_offers_the_sla_cases_and_a_request_picks_one(
    api: Client, key: str
) -> None:
    async with api.get("/open311/v2/services/water.maintenance.json") as r:
        [attribute] = (await r.json())["attributes"]
    keys = [v["key"] for v in attribute["values"]]
    assert attribute["code"] == "case" and "meter_well" in keys and keys[0] == "general"
    async with api.get("/open311/v2/services/streetlight.maintenance.json") as r:
        assert r.status == 404  # no attributes, no definition (its metadata is false)
    form = PLACE | {"description": "水表井盖丢了", "api_key": key, "attribute[case]": "meter_well"}
    async with api.post("/open311/v2/requests.json", data=form) as r:
        assert r.status == 201, await r.text()
        number = (await r.json())[0]["service_request_id"]
    async with api.get(f"/api/orders/{number}", headers=await login(api, "staff")) as r:
        order = await r.json()
    assert order["case"] == "meter_well"
    created = datetime.fromisoformat(order["created_at"])
    assert datetime.fromisoformat(order["deadlines"]["resolve_due"]) - created == timedelta(
        hours=12)  # W 5.3.1
    bad = form | {"attribute[case]": "burst"}  # a case of another service
    async with api.post("/open311/v2/requests.json", data=bad) as r:
        assert r.status == 400 and "attribute[case]" in (await r.json())[0]["description"]


async def test_the_discovery_document_names_the_endpoint_and_both_formats(api: Client) -> None:
    async with api.get("/open311/discovery.json") as r:
        [endpoint] = (await r.json())["endpoints"]
    assert endpoint["url"].endswith("/open311/v2")
    assert endpoint["formats"] == ["text/xml", "application/json"]
    async with api.get("/open311/discovery.xml") as r:
        found = ElementTree.fromstring(await r.read())
    assert found.findtext("endpoints/endpoint/specification") == "http://wiki.open311.org/GeoReport_v2"
