"""Every instant the API answers or a webhook carries names its offset (issue 19, acc. 3).

On PostgreSQL and SQLite (tests/integration/conftest.py): orders are taken through their
states, then every GET endpoint of the app is read as each role, the order endpoints with a
real order number, and every string in the JSON that reads as a date and a time must end in
`Z` or `+HH:MM`, the form of ISO 8601 a unit cannot read as Beijing time by mistake.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.integration.orders_support import USERS, AgencyStub, agency, api, login

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # fixtures used by name
Client = TestClient[web.Request, web.Application]
DATETIME = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d")
OFFSET = re.compile(r"(Z|[+-]\d\d:?\d\d)$")
ORDER = {"utility": "water", "order_type": "maintenance", "description": "水表漏水",
         "caller_number": "13800138002", "district": "历下区", "address": "经十路3号"}


def instants(value: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """(path, text) of every string in a JSON document that reads as a date and time."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from instants(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from instants(item, f"{where}[{index}]")
    elif isinstance(value, str) and DATETIME.match(value):
        yield where, value


def without_offset(document: Any) -> list[tuple[str, str]]:
    return [(path, text) for path, text in instants(document) if not OFFSET.search(text)]


def test_the_walker_finds_a_naive_time_and_accepts_aware_ones() -> None:
    document = {"a": "2026-12-05T08:00:00+08:00", "b": ["2026-12-05T00:00:00Z"],
                "c": {"d": "2026-12-05T00:00:00"}, "e": "2026-12-05", "f": "text"}
    assert without_offset(document) == [(".c.d", "2026-12-05T00:00:00")]


async def _orders_in_every_state(api: Client) -> str:
    staff, water = await login(api, "staff"), await login(api, "water")
    numbers = []
    for _ in range(3):
        async with api.post("/api/orders", json=ORDER, headers=staff) as r:
            assert r.status == 201, await r.text()
            numbers.append(str((await r.json())["number"]))
    for number in numbers[1:]:
        async with api.post(f"/api/orders/{number}/events", json={"event": "dispatch"},
                            headers=staff) as r:
            assert r.status == 200, await r.text()
    received = numbers[2]
    async with api.post(f"/api/agency/orders/{received}/receipt", json={}, headers=water) as r:
        assert r.status == 200, await r.text()
    new_due = datetime.now(timezone(timedelta(hours=8))) + timedelta(days=9)
    async with api.post(f"/api/agency/orders/{received}/extension", headers=water,
                        json={"reason": "管网改造", "new_due": new_due.isoformat()}) as r:
        assert r.status == 200, await r.text()
    return received


def _get_urls(api: Client, number: str) -> list[str]:
    urls = []
    for route in api.app.router.routes():
        info = route.get_info()
        if route.method != "GET" or "prefix" in info:
            continue
        path = info.get("path") or info["formatter"]
        if "{" in path and "{number}" not in path:
            continue
        urls.append(path.replace("{number}", number))
    return urls


async def test_every_instant_in_the_api_and_the_webhooks_carries_an_offset(
    api: Client, agency: AgencyStub
) -> None:
    number = await _orders_in_every_state(api)
    read, naive = 0, []
    for user in USERS:
        who = await login(api, user)
        for url in _get_urls(api, number):
            async with api.get(url, headers=who) as r:
                if r.status != 200 or r.content_type != "application/json":
                    continue
                document = await r.json()
            read += sum(1 for _ in instants(document))
            naive += [(user, url, *bad) for bad in without_offset(document)]
    assert read > 20, "too few instants read to mean anything"
    assert not naive, naive
    pushed = [p for p in agency.received if p.get("order_number")]
    assert pushed and sum(1 for _ in instants(pushed)) > 0
    assert not without_offset(pushed)
