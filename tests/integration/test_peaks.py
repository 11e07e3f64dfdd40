"""Peaks on the real stack: the announcements API on PostgreSQL (in-process app), orders
linked to the parent incident, and one real call that hears the announcement before the menu.
"""

from __future__ import annotations

import wave
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from console.announcements_http import BOARD
from hotline12319.settings import Settings
from routing.admin.users import add_user
from routing.floor.announcement_board import AnnouncementBoard
from routing.orders.transitions import Role
from routing.store.db import make_engine, make_sessionmaker
from tests.conftest import HotlineProcess, call_and_fetch, full_prompts_hotline
from tests.integration.orders_support import PASSWORD, AgencyStub, agency, api, login
from tools.callersim import CallerSim, Scenario

pytestmark = pytest.mark.integration

hotline = full_prompts_hotline()  # the caller hears the announcement: real prompts


__all__ = ["agency", "api"]  # fixtures used by name
Client = TestClient[web.Request, web.Application]
ROOT = Path(__file__).resolve().parents[2]
SPEECH = ROOT / "tests" / "fixtures" / "speech"


def window(**extra: Any) -> dict[str, Any]:
    start = datetime.now(UTC) - timedelta(minutes=5)
    return {"utility": "water", "kind": "unplanned", "districts": ["历下区"],
            "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=6)).isoformat(),
            "recovery_at": (start + timedelta(hours=3)).isoformat(),
            "text": "经十路供水管道爆裂，正在抢修", **extra}


def board(api: Client) -> AnnouncementBoard:
    assert api.app is not None
    return api.app[BOARD]


async def _send(api: Client, method: str, path: str, who: dict[str, str],
                body: Any = None) -> tuple[int, Any]:
    async with api.request(method, path, json=body, headers=who) as r:
        return r.status, await r.json()


async def test_supervisors_register_list_and_close_announcements(
    sandbox: None, api: Client, agency: AgencyStub
) -> None:
    duty, staff = await login(api, "duty"), await login(api, "staff")
    status, made = await _send(api, "POST", "/api/announcements", duty, window())
    assert status == 201, made
    assert made["incident_id"].startswith("INC") and made["active"] is True
    assert made["districts"] == ["lixia"]  # the directory's slug for 历下区

    status, listed = await _send(api, "GET", "/api/announcements?active=1", staff)
    assert status == 200 and made["id"] in [a["id"] for a in listed["announcements"]]
    assert board(api).notices(datetime.now(UTC))[0].incident_id == made[
        "incident_id"]

    path = f"/api/announcements/{made['id']}"
    status, closed = await _send(api, "PATCH", path, duty, {"close": True})
    assert status == 200 and closed["active"] is False and closed["closed_by"] == "duty"
    assert all(n.incident_id != made["incident_id"]
               for n in board(api).notices(datetime.now(UTC)))
    status, again = await _send(api, "PATCH", path, duty, {"close": True})
    assert (status, again["error"]) == (409, "announcement-closed")


@pytest.mark.parametrize(
    ("change", "status", "error"),
    [
        ({"ends_at": "2026-01-01T00:00:00+08:00"}, 422, "invalid-announcement"),
        ({"districts": ["atlantis"]}, 422, "invalid-announcement"),
        ({"utility": "electricity"}, 422, "invalid-body"),
        ({"starts_at": "2026-11-27T09:00:00"}, 422, "invalid-body"),  # no time zone
        ({"colour": "red"}, 422, "invalid-body"),
    ],
)
async def test_bad_announcements_are_refused_with_a_clear_error(
    sandbox: None, api: Client, change: dict[str, Any], status: int, error: str
) -> None:
    got, body = await _send(api, "POST", "/api/announcements", await login(api, "duty"),
                            window(**change))
    assert (got, body["error"]) == (status, error), body


async def test_only_supervisors_may_announce(sandbox: None, api: Client) -> None:
    got, body = await _send(api, "POST", "/api/announcements", await login(api, "staff"),
                            window())
    assert (got, body["error"]) == (403, "role-not-allowed")
    got, body = await _send(api, "POST", "/api/announcements", {}, window())
    assert (got, body["error"]) == (401, "not-logged-in")
    got, body = await _send(api, "PATCH", "/api/announcements/999999",
                            await login(api, "duty"), {"close": True})
    assert (got, body["error"]) == (404, "no-such-announcement")


async def test_orders_about_the_outage_join_its_incident_by_utility_and_district(
    sandbox: None, api: Client, agency: AgencyStub
) -> None:
    duty, staff = await login(api, "duty"), await login(api, "staff")
    status, made = await _send(api, "POST", "/api/announcements", duty,
                               window(incident_id="INC-TEST-LIXIA"))
    assert status == 201 and made["incident_id"] == "INC-TEST-LIXIA"
    numbers = {}
    for district in ("历下区", "天桥区"):
        status, order = await _send(api, "POST", "/api/orders", staff, {
            "utility": "water", "order_type": "emergency_repair", "description": "没水了",
            "caller_number": "13800138000", "district": district, "address": "经十路1号"})
        assert status == 201, order
        numbers[district] = order["number"]
    await board(api).refresh()
    status, linked = await _send(api, "GET", f"/api/announcements/{made['id']}/orders", staff)
    assert status == 200
    assert [o["number"] for o in linked["orders"]] == [numbers["历下区"]]  # not 天桥区
    await board(api).refresh()  # a second refresh links nothing twice
    _, again = await _send(api, "GET", f"/api/announcements/{made['id']}/orders", staff)
    assert len(again["orders"]) == 1
    await _send(api, "PATCH", f"/api/announcements/{made['id']}", duty, {"close": True})


def _seconds(prompt: str) -> float:
    with wave.open(str(ROOT / "recordings" / "prompts" / f"{prompt}.wav")) as audio:
        return float(audio.getnframes() / audio.getframerate())


async def test_a_real_caller_hears_the_announcement_and_the_order_joins_the_incident(
    settings: Settings, hotline: HotlineProcess, caller: CallerSim
) -> None:
    engine = make_engine(settings.database_url)
    async with make_sessionmaker(engine).begin() as session:
        await add_user(session, user_id="peaks-duty", name="值班长", role=Role.DUTY_SUPERVISOR,
                       agency_id=None, password=PASSWORD, now=datetime.now(UTC))
    await engine.dispose()
    # unsafe: keep the session cookie of an IP-address host (127.0.0.1).
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(hotline.api_url, cookie_jar=jar) as http:
        async with http.post("/api/login", json={"user": "peaks-duty",
                                                 "password": PASSWORD}) as r:
            assert r.status == 200
        async with http.post("/api/announcements", json=window(districts=[])) as r:
            assert r.status == 201, await r.text()
            made = await r.json()
        try:
            await _hear_the_notice_and_join(http, hotline, caller, made)
        finally:  # an open announcement would be heard by every later test's caller
            async with http.patch(f"/api/announcements/{made['id']}",
                                  json={"close": True}) as r:
                assert r.status == 200


async def _hear_the_notice_and_join(http: aiohttp.ClientSession, hotline: HotlineProcess,
                                    caller: CallerSim, made: dict[str, Any]) -> None:
    # Press the first key only once welcome and the whole notice have played.
    notice = ["welcome", "notice_intro", "notice_utility_water", "notice_unplanned",
              "notice_recovery", "notice_hour", "notice_minute", "notice_end"]
    heard_s = sum(map(_seconds, notice)) + 4 * _seconds("digit_0")
    result = await call_and_fetch(caller, hotline, Scenario(
        keys=["1", "2"], key_delays=[heard_s + 1.0, 1.0],
        say=SPEECH / "water_main_burst_01.wav"))
    assert result["outcome"] == "completed", result
    path = result["path"]
    assert path[:2] == [f"notice:{made['incident_id']}", "main_menu:1"], path
    async with http.get(f"/api/announcements/{made['id']}/orders") as r:
        linked = await r.json()
    # Earlier water orders in the window may join the incident too; this call's must.
    mine = [o for o in linked["orders"] if o["number"] == result["order_number"]]
    assert len(mine) == 1 and mine[0]["from_call"] is True, linked


async def test_standby_staff_are_listed_added_up_to_three_and_called_in_with_limited_skills(
    sandbox: None, api: Client
) -> None:
    duty, staff = await login(api, "duty"), await login(api, "staff")
    status, listed = await _send(api, "GET", "/api/standby?agency=industry-gas", staff)
    assert status == 200
    members = listed["agencies"][0]["members"]
    assert len(members) == 2 and all(m["from_directory"] for m in members)
    extra = {"agency_id": "industry-gas", "name": "燃气备勤人员丙", "phone": "555-0190"}
    status, added = await _send(api, "POST", "/api/standby", duty, extra)
    assert status == 201 and added["from_directory"] is False
    status, refused = await _send(api, "POST", "/api/standby", duty, {**extra, "name": "丁"})
    assert (status, refused["error"]) == (422, "standby-full")
    status, refused = await _send(api, "POST", "/api/standby", duty,
                                  {**extra, "agency_id": "nobody"})
    assert (status, refused["error"]) == (422, "unknown-agency")

    call_in = {"agency_id": "industry-gas", "name": members[0]["name"],
               "endpoint": "PJSIP/standby-gas-1", "password": "standby pass 123"}
    status, made = await _send(api, "POST", "/api/standby/call-in", duty, call_in)
    assert status == 201, made
    assert made["skills"] == {"gas": 1}
    status, agents = await _send(api, "GET", "/api/agents", staff)
    mine = [a for a in agents["agents"] if a["id"] == made["agent_id"]]
    assert mine and mine[0]["skills"] == {"gas": 1}
    async with api.post("/api/login", json={"user": made["user_id"],
                                            "password": call_in["password"]}) as r:
        assert r.status == 200
    status, again = await _send(api, "POST", "/api/standby/call-in", duty, call_in)
    assert (status, again["error"]) == (409, "called-in-already")
    status, _ = await _send(api, "POST", "/api/standby/call-in", staff, call_in)
    assert status == 403


async def test_a_shift_handover_is_prefilled_and_signed_by_both_supervisors(
    sandbox: None, api: Client, agency: AgencyStub
) -> None:
    duty, leader = await login(api, "duty"), await login(api, "leader")
    staff = await login(api, "staff")
    status, order = await _send(api, "POST", "/api/orders", staff, {
        "utility": "gas", "order_type": "emergency_repair", "description": "燃气泄漏",
        "caller_number": "13800138001", "district": "历下区", "address": "泉城路2号"})
    assert status == 201
    status, draft = await _send(api, "GET", "/api/handovers/draft", duty)
    assert status == 200, draft
    due = draft["live"]["outstanding"]["orders_near_deadline"]
    assert order["number"] in [o["number"] for o in due]
    assert set(draft["written_items"]) == {"rooms", "hot_issues"}

    status, refused = await _send(api, "POST", "/api/handovers", duty, {"notes": {"rooms": "好"}})
    assert (status, refused["error"]) == (422, "missing-item")
    notes = {"rooms": "座席室整洁", "hot_issues": "泉城路燃气泄漏来电"}
    status, made = await _send(api, "POST", "/api/handovers", duty, {"notes": notes})
    assert status == 201, made
    assert made["outgoing"] == "duty" and made["incoming"] is None
    assert made["items"]["hot_issues"]["value"] == notes["hot_issues"]
    assert made["items"]["outstanding"]["clause"] == "L 3.1.2(2)④"
    path = f"/api/handovers/{made['id']}/sign"
    status, refused = await _send(api, "POST", path, duty)
    assert (status, refused["error"]) == (409, "same-supervisor")
    status, signed = await _send(api, "POST", path, leader)
    assert status == 200 and signed["incoming"] == "leader" and signed["signed_in_at"]
    status, listed = await _send(api, "GET", "/api/handovers", leader)
    assert listed["handovers"][0]["id"] == made["id"]
    assert (await _send(api, "GET", "/api/handovers", staff))[0] == 403
