"""Every order gets the limits of its own case (issue 16, acceptance 1): the SLA row's case and
complexity through POST /api/orders and the classify / reclassify events, on a real
PostgreSQL behind the real app; unknown cases are refused with nothing written."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from routing.orders.calendar import SHANGHAI, WorkingDayCalendar
from tests.integration.orders_support import AgencyStub, agency, api, login

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # fixtures used by name
Client = TestClient[web.Request, web.Application]
BURST = {"utility": "water", "order_type": "emergency_repair", "case": "burst",
         "description": "经十路自来水主管爆裂", "caller_number": "13800138001",
         "district": "历下区", "address": "经十路100号"}
COMPLEX = {"utility": "water", "order_type": "complaint", "complex": True,
           "description": "小区低压改造迟迟不办，投诉", "caller_number": "13800138002",
           "district": "历下区", "address": "和平路30号"}


async def _post(api: Client, path: str, who: dict[str, str], body: Any) -> tuple[int, Any]:
    async with api.post(path, json=body, headers=who) as r:
        return r.status, await r.json()


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _working_day_end(created: datetime, n: int) -> datetime:
    """23:59:59 Shanghai of the nth working day after the acceptance day (counted here by
    hand, day by day, not by the code under test)."""
    calendar, day = WorkingDayCalendar(), created.astimezone(SHANGHAI).date()
    while n:
        day += timedelta(days=1)
        n -= calendar.is_working_day(day)
    return datetime.combine(day, time(23, 59, 59), tzinfo=SHANGHAI)


def _end_day(order: dict[str, Any]) -> date:
    return _at(order["deadlines"]["resolve_due"]).astimezone(SHANGHAI).date()


async def _changes(api: Client, number: str) -> list[tuple[str, dict[str, Any]]]:
    """The order's changes from its audit trail (GET /api/audit), oldest first."""
    async with api.get(f"/api/audit?order={number}", headers=await login(api, "leader")) as r:
        events = (await r.json())["events"]
    return [(e["action"], e["detail"]) for e in events if e["kind"] == "change"]


async def test_given_a_burst_when_created_then_resolve_due_is_4_h_and_a_change_recomputes_it(
    api: Client
) -> None:
    staff = await login(api, "staff")
    status, order = await _post(api, "/api/orders", staff, BURST)
    assert status == 201, order
    created = _at(order["created_at"])
    assert (order["case"], order["complex"]) == ("burst", False)
    assert _at(order["deadlines"]["resolve_due"]) - created == timedelta(hours=4)
    assert _at(order["deadlines"]["onsite_due"]) - created == timedelta(minutes=30)
    assert order["deadlines"]["clauses"] == ["L 3.2.4(2)", "W 5.2.2", "W 5.2.3"]
    # The agent finds it was an ordinary leak: the general row's 24 h applies.
    path = f"/api/orders/{order['number']}/events"
    status, changed = await _post(api, path, staff, {"event": "classify", "case": "general",
                                                     "reason": "只是漏水，未爆管"})
    assert status == 200, changed
    assert changed["case"] == "general"
    assert _at(changed["deadlines"]["resolve_due"]) - created == timedelta(hours=24)
    changes = await _changes(api, order["number"])
    assert [a for a, _ in changes] == ["created", "classify"]
    assert changes[0][1]["case"] == "burst"
    assert changes[1][1]["detail"] == {"from_case": "burst", "case": "general",
                                       "from_complex": "false", "complex": "false",
                                       "reason": "只是漏水，未爆管"}


async def test_given_a_complex_water_complaint_then_it_ends_on_the_7th_working_day_and_a_reclassification_recomputes_it(  # noqa: E501
    api: Client, agency: AgencyStub
) -> None:
    staff, business, water = [await login(api, u) for u in ("staff", "business", "water")]
    status, order = await _post(api, "/api/orders", staff, COMPLEX)
    assert status == 201, order
    created, number = _at(order["created_at"]), order["number"]
    assert _at(order["deadlines"]["resolve_due"]) == _working_day_end(created, 7)
    assert order["complex"] is True
    assert order["deadlines"]["clauses"] == ["L 3.2.4(4)", "L 3.1.5(7)a", "W 9.1"]
    # The same complaint, not complex: the 2nd working day.
    status, simple = await _post(api, "/api/orders", staff, {**COMPLEX, "complex": False})
    assert _end_day(simple) == _working_day_end(created, 2).date()
    for path, who, body in (
        (f"/api/orders/{number}/events", staff, {"event": "dispatch"}),
        (f"/api/agency/orders/{number}/receipt", water, {}),
    ):
        status, order = await _post(api, path, who, body)
        assert status == 200, order
    # L 3.2.1(1): not the unit's fault; a broken trade meter is replaced in 2 working days.
    status, order = await _post(api, f"/api/orders/{number}/events", business, {
        "event": "reclassify", "order_type": "maintenance", "case": "meter_replace",
        "reason": "用户表冻裂，非供水单位责任"})
    assert status == 200, order
    assert (order["order_type"], order["case"], order["complex"]) == (
        "maintenance", "meter_replace", False)
    assert _at(order["deadlines"]["resolve_due"]) == _working_day_end(created, 2)
    assert order["deadlines"]["clauses"] == ["L 3.2.4(3)", "W 5.3.3"]
    assert [a for a, _ in await _changes(api, number)] == ["created", "dispatch", "receive",
                                                       "reclassify"]


async def test_given_a_general_complaint_when_marked_complex_then_7_working_days(
    api: Client
) -> None:
    staff = await login(api, "staff")
    _, order = await _post(api, "/api/orders", staff, {**COMPLEX, "complex": False})
    created = _at(order["created_at"])
    status, order = await _post(api, f"/api/orders/{order['number']}/events", staff,
                                {"event": "classify", "complex": True})
    assert status == 200, order
    assert _at(order["deadlines"]["resolve_due"]) == _working_day_end(created, 7)


async def test_given_an_unknown_case_then_422_unknown_case_and_nothing_changes(
    api: Client
) -> None:
    staff = await login(api, "staff")
    status, error = await _post(api, "/api/orders", staff, {**BURST, "case": "volcano"})
    assert (status, error["error"]) == (422, "unknown-case"), error
    assert "burst" in error["message"]  # the cases that do exist are named
    status, error = await _post(api, "/api/orders", staff, {**BURST, "case": "Burst!"})
    assert (status, error["error"]) == (422, "invalid-body")
    _, order = await _post(api, "/api/orders", staff, BURST)
    path = f"/api/orders/{order['number']}/events"
    status, error = await _post(api, path, staff, {"event": "classify", "case": "volcano"})
    assert (status, error["error"]) == (422, "unknown-case"), error
    async with api.get(f"/api/orders/{order['number']}", headers=staff) as r:
        again = await r.json()
    assert (again["case"], again["version"]) == ("burst", order["version"])
    assert again["deadlines"] == order["deadlines"]
