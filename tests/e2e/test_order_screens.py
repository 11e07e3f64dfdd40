"""Issue 12, acceptance 1: the screens for the people who work the orders, in Chromium against
the real server and PostgreSQL - one test per journey:

1. an IVR order (a real call from the caller simulator: water maintenance, a broken meter -
   not an emergency, so the dispatch policy leaves it for review) is reviewed, corrected and
   dispatched from the order desk (/console/orders), its recording heard;
2. the unit signs and reports it handled with a photo on /agency/, and cannot see another
   unit's order;
3. the business section approves a unit's extension request on /console/supervision;
4. an agent records the callback done by phone and closes the order.

Screenshots of each page go to docs/ (1366x768, the smallest screen the center uses).
"""

from __future__ import annotations

import struct
import uuid
import zlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Browser, Page, ViewportSize

from hotline12319.settings import Settings
from routing.admin.users import UserError, add_user
from routing.orders.transitions import Role
from routing.store.db import make_engine, make_sessionmaker
from tests.conftest import HotlineProcess, call_and_fetch
from tests.e2e.test_console_browser import DOCS, browser
from tools.callersim import CallerSim, Scenario

pytestmark = pytest.mark.integration
__all__ = ["browser"]

SPEECH = Path(__file__).resolve().parents[1] / "fixtures" / "speech"
PASSWORD = "order-screens-e2e-12"
USERS = {  # id -> (role, agency)
    "d12staff": (Role.CENTER_STAFF, None),
    "d12biz": (Role.BUSINESS_SECTION, None),
    "d12sup": (Role.SUPERVISION_SECTION, None),
    "d12water": (Role.AGENCY, "industry-water"),
    "d12gas": (Role.AGENCY, "industry-gas"),
}
VIEWPORT: ViewportSize = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
async def users(settings: Settings, hotline: HotlineProcess) -> None:
    engine = make_engine(settings.database_url)
    try:
        for user_id, (role, agency) in USERS.items():
            try:
                async with make_sessionmaker(engine).begin() as session:
                    await add_user(session, user_id=user_id, name=user_id, role=role,
                                   agency_id=agency, password=PASSWORD, now=datetime.now(UTC))
            except UserError:  # there already (an earlier run against this database)
                pass
    finally:
        await engine.dispose()


@pytest.fixture
async def as_user(hotline: HotlineProcess, users: None
                  ) -> AsyncIterator[dict[str, aiohttp.ClientSession]]:
    """An API session per user, logged in."""
    sessions: dict[str, aiohttp.ClientSession] = {}
    for user_id in USERS:
        http = aiohttp.ClientSession(base_url=hotline.api_url,
                                     cookie_jar=aiohttp.CookieJar(unsafe=True))
        async with http.post("/api/login", json={"user": user_id, "password": PASSWORD}) as r:
            assert r.status == 200, await r.text()
        sessions[user_id] = http
    yield sessions
    for http in sessions.values():
        await http.close()


async def post(http: aiohttp.ClientSession, path: str, body: Any, status: int = 200
               ) -> dict[str, Any]:
    async with http.post(path, json=body) as r:
        assert r.status == status, f"{path}: {r.status} {await r.text()}"
        answer: dict[str, Any] = await r.json()
        return answer


async def get(http: aiohttp.ClientSession, path: str) -> dict[str, Any]:
    async with http.get(path) as r:
        assert r.status == 200, f"{path}: {r.status} {await r.text()}"
        answer: dict[str, Any] = await r.json()
        return answer


async def new_order(staff: aiohttp.ClientSession, utility: str = "water",
                    order_type: str = "maintenance") -> str:
    body = {"utility": utility, "order_type": order_type, "caller_number": phone(),
            "district": "lixia", "address": "历下区泺源大街 2 号", "description": "水表井盖缺失"}
    return str((await post(staff, "/api/orders", body, 201))["number"])


async def dispatched_and_received(as_user: dict[str, aiohttp.ClientSession]) -> str:
    number = await new_order(as_user["d12staff"])
    await post(as_user["d12staff"], f"/api/desk/orders/{number}/dispatch", {})
    await post(as_user["d12water"], f"/api/agency/orders/{number}/receipt", {})
    return number


def phone() -> str:
    return "139" + str(uuid.uuid4().int)[:8]


async def signed_in(browser: Browser, url: str, user: str, errors: list[str]) -> Page:
    context = await browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = await context.new_page()
    page.on("pageerror", lambda error: errors.append(f"{url}: {error}"))
    await page.goto(url)
    await page.fill("#login-form input[name=user]", user)
    await page.fill("#login-form input[name=password]", PASSWORD)
    await page.click("#login-form button[type=submit]")
    await page.wait_for_selector("#who:not([hidden])")
    return page


def png(width: int = 8, height: int = 8) -> bytes:
    """A small real PNG (a grey square): the server checks the bytes, not the name."""
    raw = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


async def test_an_ivr_order_is_reviewed_corrected_and_dispatched_from_the_desk(
    hotline: HotlineProcess, caller: CallerSim, browser: Browser,
    as_user: dict[str, aiohttp.ClientSession],
) -> None:
    call = await call_and_fetch(caller, hotline, Scenario(
        keys=["1", "2"], say=SPEECH / "water_meter_broken_01.wav", caller_number=phone()))
    number = call["order_number"]
    assert number, call
    errors: list[str] = []
    desk = await signed_in(browser, f"{hotline.api_url}/console/orders", "d12staff", errors)
    # 待审核 lists the IVR order, counted; the page opens it.
    await desk.wait_for_selector(f"#orders tr[data-number='{number}']")
    assert int(await desk.text_content("[data-count=review]") or "0") >= 1
    await desk.click(f"#orders tr[data-number='{number}']")
    await desk.wait_for_selector(f"#order[data-number='{number}']")
    assert await desk.text_content("#order-state") == "已受理"
    assert "供水" in (await desk.text_content("#order-facts") or "")
    # The recording plays in the browser for the center: fetched as audio, and audited.
    assert await desk.is_visible("#recording")
    heard = await desk.evaluate(
        "async (u) => { const r = await fetch(u);"
        " return [r.status, r.headers.get('content-type')]; }",
        f"/api/orders/{number}/recording")
    assert heard == [200, "audio/wav"]
    # Correct the district and address (audited), then dispatch to the suggested unit.
    await desk.click("#correct summary")
    await desk.select_option("#correct-form select[name=district]", "lixia")
    await desk.fill("#correct-form input[name=address]", "历下区经十路 88 号")
    await desk.fill("#correct-form input[name=reason]", "来电人补充地址")
    await desk.click("#correct-save")
    await desk.wait_for_selector("#correct-message[data-kind=ok]")
    assert "经十路 88 号" in (await desk.text_content("#order-facts") or "")
    assert "更正" in (await desk.text_content("#timeline") or "")
    # 定性: a broken meter is replaced within 2 working days (W 5.3.3), a general repair
    # within 24 h; the speech may already have named the case: the agent sets the other one
    # and the deadlines follow.
    shown = await get(as_user["d12staff"], f"/api/orders/{number}")
    case = "general" if shown["case"] == "meter_replace" else "meter_replace"
    await desk.select_option("#classify-form select[name=case]", case)
    await desk.click("#classify-form button[type=submit]")
    await desk.wait_for_selector("#action-message[data-kind=ok]")
    classified = await get(as_user["d12staff"], f"/api/orders/{number}")
    assert classified["case"] == case
    assert classified["deadlines"]["resolve_due"] != shown["deadlines"]["resolve_due"]
    suggested = await desk.input_value("#dispatch-form select[name=agency]")
    assert suggested, "route() suggests a unit"
    await desk.click("#dispatch-go")
    await desk.wait_for_selector("#dispatch-confirm:not([hidden])")
    DOCS.mkdir(exist_ok=True)
    await desk.screenshot(path=DOCS / "order-desk.png", full_page=True)
    await desk.click("#dispatch-yes")
    await desk.wait_for_selector("#order-state[data-state=dispatched]")
    await desk.wait_for_function(
        "() => !document.querySelector('#orders tr[data-number=\"" + number + "\"]')")
    order = await get(as_user["d12staff"], f"/api/orders/{number}")
    assert (order["status"], order["agency_id"], order["district"]) == (
        "dispatched", suggested, "lixia")
    trail = await get(as_user["d12sup"], f"/api/audit?order={number}")  # 督查科 checks logs
    done = {(e["actor"], e["action"]) for e in trail["events"]}
    assert {("d12staff", "play_recording"), ("d12staff", "corrected"),
            ("d12staff", "dispatch")} <= done, done
    page = await get(as_user["d12staff"], f"/api/desk/orders/{number}")
    kinds = [t["kind"] for t in page["timeline"]]
    assert "corrected" in kinds and "dispatch" in kinds and "call" in kinds, kinds
    assert errors == []


async def test_the_unit_signs_and_reports_handled_with_a_photo_and_sees_only_its_own(
    hotline: HotlineProcess, browser: Browser, as_user: dict[str, aiohttp.ClientSession],
    tmp_path: Path,
) -> None:
    staff = as_user["d12staff"]
    gas_order = await new_order(staff, utility="gas")
    await post(staff, f"/api/desk/orders/{gas_order}/dispatch", {})
    errors: list[str] = []
    portal = await signed_in(browser, f"{hotline.api_url}/agency/", "d12water", errors)
    await portal.wait_for_selector("#live-status[data-up=true]")
    await portal.click("#sound")  # the ring is on
    # A new order dispatched to the unit rings in live, without a reload.
    number = await new_order(staff)
    await post(staff, f"/api/desk/orders/{number}/dispatch", {"agency": "industry-water"})
    row = f"#orders tr[data-number='{number}']"
    await portal.wait_for_selector(row, timeout=5000)
    assert "新工单" in (await portal.text_content("#list-message") or "")
    assert await portal.query_selector(f"#orders tr[data-number='{gas_order}']") is None
    other = await portal.evaluate(
        "async (u) => (await fetch(u)).status", f"/api/agency/orders/{gas_order}")
    assert other == 404
    # 签收 in one click, then the result with a photo.
    await portal.click(f"{row} button[data-receive]")
    await portal.wait_for_selector("#order-state[data-state=received]")
    await portal.click("#arrive")  # the crew on site: what the on-site limits time
    await portal.wait_for_selector("#arrive", state="hidden")
    photo = tmp_path / "现场.png"
    photo.write_bytes(png())
    await portal.check("#result-form input[name=handled][value=yes]")
    await portal.fill("#result-form textarea[name=reason]", "已更换井盖并恢复通行")
    await portal.set_input_files("#result-form input[name=photos]", str(photo))
    await portal.click("#report")
    await portal.wait_for_selector("#order-state[data-state=handled]")
    await portal.wait_for_selector("#score .tile")
    await portal.screenshot(path=DOCS / "agency-portal.png", full_page=True)
    page = await get(staff, f"/api/desk/orders/{number}")
    assert page["order"]["status"] == "handled" and page["order"]["arrived_at"]
    assert len(page["photos"]) == 1 and page["photos"][0]["content_type"] == "image/png"
    async with staff.get(f"/api/orders/{number}/photos/{page['photos'][0]['id']}") as r:
        assert r.status == 200 and await r.read() == png()
    # 退回: an order that is not the unit's goes back to the center with the reason.
    wrong = await new_order(staff)
    await post(staff, f"/api/desk/orders/{wrong}/dispatch", {"agency": "industry-water"})
    await portal.wait_for_selector(f"#orders tr[data-number='{wrong}']", timeout=5000)
    await portal.click(f"#orders tr[data-number='{wrong}'] td.mono")
    await portal.fill("#return-form textarea[name=reason]", "属小区物业自管管网，非本单位职责")
    await portal.click("#return-form button[type=submit]")
    await portal.wait_for_selector(f"#orders tr[data-number='{wrong}']", state="detached")
    returned = await get(staff, f"/api/orders/{wrong}")
    assert (returned["status"], returned["agency_id"]) == ("created", None)
    # A file that is not an image is refused by its bytes, whatever it claims to be.
    async with as_user["d12water"].post(
        f"/api/agency/orders/{number}/photos", data=b"not a picture",
        headers={"Content-Type": "image/png"},
    ) as r:
        assert r.status == 415 and (await r.json())["error"] == "photo-type"
    assert errors == []


async def test_the_business_section_approves_an_extension_on_the_supervision_screen(
    hotline: HotlineProcess, browser: Browser, as_user: dict[str, aiohttp.ClientSession],
) -> None:
    number = await dispatched_and_received(as_user)
    order = await get(as_user["d12staff"], f"/api/orders/{number}")
    new_due = datetime.fromisoformat(order["deadlines"]["resolve_due"]) + timedelta(days=2)
    await post(as_user["d12water"], f"/api/agency/orders/{number}/extension",
               {"reason": "需要破路开挖，等待占道许可", "new_due": new_due.isoformat()})
    errors: list[str] = []
    board = await signed_in(browser, f"{hotline.api_url}/console/supervision", "d12biz", errors)
    row = f"#approvals tr[data-number='{number}'][data-kind=extension]"
    await board.wait_for_selector(row)
    assert "破路开挖" in (await board.text_content(row) or "")
    await board.screenshot(path=DOCS / "supervision.png", full_page=True)
    await board.fill(f"{row} input[name=comment]", "同意延期")
    await board.click(f"{row} button[data-decide=approve]")
    await board.wait_for_selector("#queue-message[data-kind=ok]")
    await board.wait_for_selector(row, state="detached")
    after = await get(as_user["d12staff"], f"/api/orders/{number}")
    assert datetime.fromisoformat(after["deadlines"]["resolve_due"]) == new_due
    assert after["extension_count"] == 1
    assert errors == []


async def test_an_agent_records_the_callback_and_closes_the_order(
    hotline: HotlineProcess, browser: Browser, as_user: dict[str, aiohttp.ClientSession],
) -> None:
    number = await dispatched_and_received(as_user)
    await post(as_user["d12water"], f"/api/agency/orders/{number}/result",
               {"handled": True, "reason": "已修复"})
    errors: list[str] = []
    desk = await signed_in(browser, f"{hotline.api_url}/console/orders?view=callback",
                           "d12staff", errors)
    row = f"#orders tr[data-number='{number}']"
    await desk.wait_for_selector(row)
    await desk.click(row)
    await desk.wait_for_selector("#callback-form:not([hidden])")
    assert await desk.is_hidden("#dispatch-form")  # not an action of this state
    await desk.fill("#callback-form textarea[name=note]", "电话回访：市民表示已修好，满意")
    await desk.click("#callback-form button[value=close]")
    await desk.wait_for_selector("#order-state[data-state=closed]")
    await desk.screenshot(path=DOCS / "order-callback.png", full_page=True)
    order = await get(as_user["d12staff"], f"/api/orders/{number}")
    assert order["status"] == "closed" and order["closed_at"]
    # The agency user may not use the center's desk: the server refuses, the page says so.
    async with as_user["d12water"].get("/api/desk/orders") as r:
        assert r.status == 403
    assert errors == []
