"""Arrival on site (issue 16, acceptance 3): reported through the agency portal, chased by
the sweeper when onsite_due passes without it, counted by `kpi` per utility and unit. Real
app, real database; the duty line's key 2 is in test_duty_call.py (a real call)."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from console.api import ENGINE
from routing.dispatch.sweeper import sweep_once
from routing.orders.calendar import SHANGHAI
from routing.orders.order_service import OrderEngine
from routing.store.models import WorkOrder
from routing.store.order_tables import Notification
from tests.integration.orders_support import agency, api, login

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # fixtures used by name
Client = TestClient[web.Request, web.Application]
LEAK = {"utility": "gas", "order_type": "emergency_repair", "description": "楼道燃气泄漏",
        "caller_number": "13500000002", "district": "历下区", "address": "泉城路8号"}


async def _post(api: Client, path: str, who: dict[str, str], body: Any) -> tuple[int, Any]:
    async with api.post(path, json=body, headers=who) as r:
        return r.status, await r.json()


async def _dispatched_leak(api: Client) -> dict[str, Any]:
    """A gas leak order, dispatched to the gas company and signed for."""
    staff, gas = await login(api, "staff"), await login(api, "gas")
    status, order = await _post(api, "/api/orders", staff, LEAK)
    assert status == 201, order
    number = order["number"]
    status, order = await _post(api, f"/api/orders/{number}/events", staff,
                                {"event": "dispatch"})
    if status == 409:  # an automatic dispatcher may have sent it first
        async with api.get(f"/api/orders/{number}", headers=staff) as r:
            order = await r.json()
    assert order["status"] == "dispatched", order
    status, order = await _post(api, f"/api/agency/orders/{number}/receipt", gas, {})
    assert (status, order["agency_id"]) == (200, "industry-gas"), order
    return dict(order)


async def _notices(engine: OrderEngine, number: str) -> list[str]:
    async with engine.sessions() as session:
        kinds = await session.execute(
            select(Notification.kind).join(WorkOrder, WorkOrder.id == Notification.order_id)
            .where(WorkOrder.number == number).order_by(Notification.id))
        return list(kinds.scalars())


async def test_given_a_leak_when_the_crew_reports_arrival_on_the_portal_then_it_is_on_the_order(
    api: Client
) -> None:
    order = await _dispatched_leak(api)
    gas, number = await login(api, "gas"), order["number"]
    due = datetime.fromisoformat(order["deadlines"]["onsite_due"])
    assert due - datetime.fromisoformat(order["created_at"]) == timedelta(minutes=30)
    status, arrived = await _post(api, f"/api/agency/orders/{number}/arrival", gas, {})
    assert status == 200, arrived
    assert arrived["arrived_at"] and datetime.fromisoformat(arrived["arrived_at"]) <= due
    status, again = await _post(api, f"/api/agency/orders/{number}/arrival", gas, {})
    assert (status, again["error"]) == (409, "already-arrived")
    water = await login(api, "water")  # not their order: refused, nothing written
    status, other = await _post(api, f"/api/agency/orders/{number}/arrival", water, {})
    assert status in (403, 404), other
    # Arrived: nothing is chased even long after the on-site limit.
    engine = api.app[ENGINE]
    await sweep_once(engine, now=due + timedelta(minutes=1))
    assert "onsite_late" not in await _notices(engine, number)


async def test_given_no_arrival_when_onsite_due_passes_then_it_is_chased_then_escalated(
    api: Client
) -> None:
    order = await _dispatched_leak(api)
    engine, number = api.app[ENGINE], order["number"]
    due = datetime.fromisoformat(order["deadlines"]["onsite_due"])
    await sweep_once(engine, now=due - timedelta(minutes=1))
    assert not [k for k in await _notices(engine, number) if k.startswith("onsite")]
    await sweep_once(engine, now=due + timedelta(minutes=1))
    await sweep_once(engine, now=due + timedelta(minutes=2))  # same period: not twice
    await sweep_once(engine, now=due + timedelta(minutes=31))
    onsite = [k for k in await _notices(engine, number) if k.startswith("onsite")]
    assert onsite == ["onsite_late", "onsite_escalation"]


async def test_given_arrivals_in_time_and_late_then_kpi_shows_on_site_timeliness_per_utility_and_unit(  # noqa: E501
    api: Client
) -> None:
    on_time, late = await _dispatched_leak(api), await _dispatched_leak(api)
    gas = await login(api, "gas")
    engine = api.app[ENGINE]
    async with engine.sessions.begin() as session:  # the crew of `late` came 40 min after
        row = (await session.execute(select(WorkOrder).where(
            WorkOrder.number == late["number"]))).scalar_one()
        row.onsite_due = datetime.fromisoformat(late["created_at"]) - timedelta(minutes=10)
    for order in (on_time, late):
        status, body = await _post(api, f"/api/agency/orders/{order['number']}/arrival", gas,
                                   {})
        assert status == 200, body
    report = await _kpi(engine, datetime.now(SHANGHAI).strftime("%Y-%m"))
    figure = report["onsite_timeliness"]
    gas_rate, unit_rate = figure["by_utility"]["gas"], figure["by_agency"]["industry-gas"]
    assert gas_rate["denominator"] >= 2 and gas_rate["numerator"] < gas_rate["denominator"]
    assert unit_rate == gas_rate  # one gas company in the directory
    assert figure["overall"]["denominator"] >= gas_rate["denominator"]


async def _kpi(engine: OrderEngine, month: str) -> dict[str, Any]:
    url = engine.sessions.kw["bind"].url.render_as_string(hide_password=False)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hotline12319.cli", "kpi", "--month", month, "--json",
        "--database-url", url, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return dict(json.loads(out))
