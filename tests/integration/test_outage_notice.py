"""Planned outages are announced early enough (issue 16, acceptance 4): the announcements API
refuses a planned water outage starting in 12 h with W 6.1's clause, accepts one in 49 h, and
says what else its clauses ask. In-process app on the real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.integration.orders_support import agency, api, login

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # fixtures used by name
Client = TestClient[web.Request, web.Application]


def planned(starts_in: timedelta, hours: int = 6, **extra: Any) -> dict[str, Any]:
    start = datetime.now(UTC) + starts_in
    return {"utility": "water", "kind": "planned", "districts": ["历下区"],
            "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=hours)).isoformat(),
            "text": "经十路管网改造，计划停水", **extra}


async def _post(api: Client, body: dict[str, Any]) -> tuple[int, Any]:
    async with api.post("/api/announcements", json=body, headers=await login(api, "duty")) as r:
        return r.status, await r.json()


async def test_given_a_planned_water_outage_in_12_h_then_refused_with_w_6_1(api: Client) -> None:
    status, body = await _post(api, planned(timedelta(hours=12)))
    assert (status, body["error"]) == (422, "notice-too-late"), body
    assert "W 6.1" in body["message"] and "48小时" in body["message"]
    async with api.get("/api/announcements", headers=await login(api, "duty")) as r:
        listed = (await r.json())["announcements"]
    assert not [a for a in listed if a["kind"] == "planned" and a["text"].startswith("经十路管网")]


async def test_given_a_planned_water_outage_in_49_h_then_accepted_with_its_rule_and_reminders(
    api: Client
) -> None:
    status, made = await _post(api, planned(timedelta(hours=49), hours=30))
    assert status == 201, made
    assert made["notice_rule"] == {"lead": "48小时", "clauses": ["W 6.1"]}
    assert [r["clauses"] for r in made["reminders"]] == [["W 6.1"], ["W 6.3"], ["W 6.1"]]


async def test_given_a_small_area_or_an_unplanned_outage_then_their_own_rule_applies(
    api: Client
) -> None:
    status, made = await _post(api, planned(timedelta(hours=25), scope="small_area"))
    assert status == 201, made  # W 6.1: 24 h for a small area
    status, body = await _post(api, planned(timedelta(hours=20), scope="small_area"))
    assert (status, body["error"]) == (422, "notice-too-late")
    status, body = await _post(api, planned(timedelta(hours=49), scope="annual_maintenance"))
    assert (status, body["error"]) == (422, "invalid-announcement")  # a heating rule only
    status, body = await _post(api, planned(timedelta(days=4), utility="heating"))
    assert status == 201, body  # H 3.6.3.1: 3 days
    status, body = await _post(api, planned(timedelta(days=4), utility="heating",
                                            scope="annual_maintenance"))
    assert (status, body["error"]) == (422, "notice-too-late") and "H 3.6.3.3" in body["message"]
    status, body = await _post(api, planned(timedelta(hours=1), kind="unplanned"))
    assert status == 201, body  # a failure under repair is announced when it happens
