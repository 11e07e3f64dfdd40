"""Issue 5, acceptance 3: headless Chromium drives the agent console and watches the wallboard
while a real call reaches a real (auto-answering) agent softphone.

An agent signs in, pauses, a caller presses 3 (gas) then 0 (an agent) and waits in the queue;
the wallboard must show the waiting call within 1 s of the /api/live `queue` update. The agent
goes available in the console, the softphone answers, and within 1 s of the `screen_pop` update
the console shows the screen-pop and the wallboard the served call. The agent submits the order
the IVR pre-filled, then wraps up and signs out. Screenshots go to docs/.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Browser, Page, async_playwright
from playwright.async_api import TimeoutError as PlaywrightTimeout

from hotline12319.settings import Settings
from routing.admin.users import UserError, add_user
from routing.orders.transitions import Role
from routing.store.db import make_engine, make_sessionmaker
from tests.conftest import HotlineProcess, call_and_fetch
from tests.integration.agents_support import admin_headers
from tools.callersim import Answerer, CallerSim, Scenario

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AGENT_ID, EXTENSION = "a5001", "agent5001"  # the agent's user id is its agent id
PASSWORD = "console-e2e-5001"
TO_AGENT = ["3", "0"]  # gas, then "an agent" in the type menu
BUDGET = 1.0  # seconds from a live update to the page showing it

Update = dict[str, Any]


class LiveLog:
    """Our own /api/live subscriber: when each update was sent (its `at`) and received."""

    def __init__(self) -> None:
        self.updates: list[tuple[float, Update]] = []
        self._changed = asyncio.Event()

    async def read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for message in ws:
            received = time.time()
            update: Update = json.loads(message.data)
            sent = datetime.fromisoformat(update["at"]).timestamp() if "at" in update else received
            self.updates.append((min(sent, received), update))
            self._changed.set()

    async def first(
        self, predicate: Callable[[Update], bool], within: float
    ) -> tuple[float, Update]:
        """The first update (already seen or still to come) matching; with its time."""
        deadline = time.monotonic() + within
        while True:
            for when, update in self.updates:
                if predicate(update):
                    return when, update
            self._changed.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                topics = [u["topic"] for _, u in self.updates]
                raise AssertionError(f"no matching /api/live update in {within}s; saw {topics}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)


async def shown_within_budget(
    page: Page, what: str, condition: str, arg: Any, since: float
) -> float:
    """Wait until `condition` (a JS function of `arg`) holds on the page; the page must get
    there within BUDGET seconds of `since` (the update's time). Returns the lag in seconds."""
    remaining = BUDGET - (time.time() - since)
    try:
        await page.wait_for_function(condition, arg=arg, timeout=max(remaining, 0.05) * 1000)
    except PlaywrightTimeout as exc:
        raise AssertionError(f"{what}: not shown within {BUDGET}s of the live update") from exc
    lag = time.time() - since
    assert lag <= BUDGET, f"{what}: shown {lag:.3f}s after the live update"
    return lag


def text_of(selector: str) -> str:
    """A page condition: the element's text contains the argument."""
    element = f"document.querySelector({json.dumps(selector)})"
    return f"(want) => ({element}?.textContent ?? '').includes(want)"


@pytest.fixture
async def api(hotline: HotlineProcess) -> AsyncIterator[aiohttp.ClientSession]:
    jar = aiohttp.CookieJar(unsafe=True)  # keep the session cookie of 127.0.0.1
    async with aiohttp.ClientSession(base_url=hotline.api_url, cookie_jar=jar) as http:
        yield http
        for _ in range(40):  # leave nobody logged in for the other tests
            async with http.post(
                f"/api/agents/{AGENT_ID}/state", json={"state": "logged_out"}
            ) as r:
                if r.status in (200, 401, 404):  # 401: the test ended before its login
                    break
            await asyncio.sleep(0.5)


@pytest.fixture
async def live(hotline: HotlineProcess, api: aiohttp.ClientSession) -> AsyncIterator[LiveLog]:
    log = LiveLog()
    async with api.ws_connect("/api/live") as ws:
        reader = asyncio.create_task(log.read(ws))
        yield log
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


async def open_page(browser: Browser, url: str, errors: list[str]) -> Page:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = await context.new_page()
    page.on("pageerror", lambda error: errors.append(f"{url}: {error}"))
    await page.goto(url)
    return page


async def endpoint_exists(http: aiohttp.ClientSession, method: str, path: str) -> bool:
    """404 (no route) or 405 (only other methods) in plain text: not there (yet)."""
    async with http.request(method, path, json={}) as r:
        return not (r.status in (404, 405) and r.content_type != "application/json")


async def make_user(settings: Settings) -> None:
    """The agent's login (a 话务员, who may take orders), straight into the test database."""
    engine = make_engine(settings.database_url)
    try:
        async with make_sessionmaker(engine).begin() as session:
            await add_user(
                session,
                user_id=AGENT_ID,
                name="王坐席",
                role=Role.CENTER_STAFF,
                agency_id=None,
                password=PASSWORD,
                now=datetime.now(UTC),
            )
    except UserError:  # there already (an earlier run against this database)
        pass
    finally:
        await engine.dispose()


async def sign_in(page: Page, has_login: bool) -> None:
    if has_login:
        await page.fill("#login-form input[name=user]", AGENT_ID)
        await page.fill("#login-form input[name=password]", PASSWORD)
        await page.click("#login-form button[type=submit]")
    else:  # no login API on this server: the console offers an agent picker
        await page.wait_for_selector(f"#pick-agent option[value={AGENT_ID}]", state="attached")
        await page.select_option("#pick-agent", AGENT_ID)
        await page.click("#pick-form button[type=submit]")
    await page.wait_for_selector("#desk:not([hidden])")


async def live_up(page: Page) -> None:
    await page.wait_for_selector("#live-status[data-up=true]", timeout=5000)


async def click_state(page: Page, state: str, live: LiveLog, then: tuple[str, ...] = ()) -> None:
    """Click a state button and see it taken. `then` lists states the agent may already have
    moved on to by the time the page is looked at (a waiting call offered at once)."""
    await page.click(f"button[data-state={state}]")
    shown = ", ".join(f"#agent-state[data-state={s}]" for s in (state, *then))
    await page.wait_for_selector(shown, timeout=3000)
    await live.first(
        lambda u: (
            u["topic"] == "agent_state"
            and u["data"]["id"] == AGENT_ID
            and u["data"]["state"] == state
        ),
        within=3,
    )


async def test_agent_console_and_wallboard_follow_a_real_call(
    hotline: HotlineProcess,
    caller: CallerSim,
    api: aiohttp.ClientSession,
    live: LiveLog,
    browser: Browser,
    settings: Settings,
    tmp_path: Path,
) -> None:
    started = time.monotonic()
    number = "139" + str(uuid.uuid4().int)[:8]
    body = {
        "name": "王坐席",
        "endpoint": f"PJSIP/{EXTENSION}@callers",
        "skills": {"gas": 2, "general": 1},
    }
    admin = await admin_headers(settings, hotline.api_url)  # defining agents needs a login
    async with api.put(f"/api/agents/{AGENT_ID}", json=body, headers=admin) as r:
        assert r.status == 200, await r.text()
    caller.answerers[EXTENSION] = Answerer(hang_up_after=8)
    has_login = await endpoint_exists(api, "GET", "/api/me")
    has_orders = await endpoint_exists(api, "POST", "/api/orders")
    if has_login:
        await make_user(settings)
        async with api.post("/api/login", json={"user": AGENT_ID, "password": PASSWORD}) as r:
            assert r.status == 200, await r.text()
    earlier = None
    if has_orders:  # an earlier order for this caller: the screen-pop must show it
        earlier_body = {
            "utility": "gas",
            "order_type": "maintenance",
            "caller_number": number,
            "description": "上次报修：燃气表读数异常",
        }
        async with api.post("/api/orders", json=earlier_body) as r:
            assert r.status == 201, await r.text()
            earlier = (await r.json())["number"]

    errors: list[str] = []
    wallboard = await open_page(browser, f"{hotline.api_url}/wallboard/", errors)
    console = await open_page(browser, f"{hotline.api_url}/console/", errors)
    await sign_in(console, has_login)
    await live_up(wallboard)
    await live_up(console)
    await click_state(console, "available", live)
    await console.select_option("#pause-reason", "meal")
    await click_state(console, "paused", live)  # logged in but paused: the call will wait
    await wallboard.wait_for_selector(f"#agents tr[data-agent-id={AGENT_ID}] [data-state=paused]")

    call = asyncio.create_task(
        call_and_fetch(caller, hotline, Scenario(keys=TO_AGENT, caller_number=number, timeout=90))
    )
    lags: dict[str, float] = {}
    try:
        # 1. The caller waits in the queue: the wallboard shows the call and its wait ticking.
        when, update = await live.first(
            lambda u: (
                u["topic"] == "queue"
                and any(w["caller_number"] == number for w in u["data"]["waiting"])
            ),
            within=30,
        )
        call_id = next(
            w["call_id"] for w in update["data"]["waiting"] if w["caller_number"] == number
        )
        lags["waiting call"] = await shown_within_budget(
            wallboard, "the waiting call", text_of("#queue-list"), number, when
        )
        assert await wallboard.text_content("#waiting-count") == "1"
        await wallboard.wait_for_function(
            "() => document.querySelector('#longest-wait').textContent >= '00:02'", timeout=4000
        )
        ivr_row = f"#ivr-calls tr[data-call-id='{call_id}']"
        assert "燃气 › 人工服务" in (await wallboard.text_content(ivr_row) or "")

        # 2. The agent goes available; the softphone answers; screen-pop and served call.
        await click_state(console, "available", live, then=("ringing", "on_call"))
        when, update = await live.first(
            lambda u: u["topic"] == "screen_pop" and u["data"]["call_id"] == call_id, within=20
        )
        assert update["data"]["agent_id"] == AGENT_ID
        lags["console screen-pop"] = await shown_within_budget(
            console, "the screen-pop", text_of("#pop-caller"), number, when
        )
        lags["wallboard served call"] = await shown_within_budget(
            wallboard, "the served call", text_of("#served-list"), number, when
        )
        assert await wallboard.text_content("#served-count") == "1"
        assert await wallboard.text_content("#waiting-count") == "0"
        assert await wallboard.text_content("#service-level") == "100%"  # waited < 15 s
        agent_row = f"#agents tr[data-agent-id={AGENT_ID}]"
        await wallboard.wait_for_selector(f"{agent_row} [data-state=on_call]", timeout=2000)
        assert number in (await wallboard.text_content(agent_row) or "")
        await wallboard.wait_for_function(text_of(ivr_row), arg="通话中", timeout=2000)

        # 3. The screen-pop: caller number, readable IVR path, earlier orders; form pre-filled.
        assert await console.text_content("#pop-path") == "燃气 › 人工服务"
        assert await console.input_value("select[name=utility]") == "gas"
        assert await console.input_value("input[name=caller_number]") == number
        assert await console.input_value("input[name=call_id]") == call_id
        if earlier is not None:
            await console.wait_for_selector(f"#pop-history tr[data-number='{earlier}']")
            assert "重复来电" in (await console.text_content("#pop-repeat") or "")
        await console.select_option("select[name=order_type]", "maintenance")
        await console.select_option("select[name=district]", "lixia")
        await console.fill("input[name=address]", "历下区经十路 100 号")
        await console.fill("textarea[name=description]", "燃气表附近有异味，需上门检查")
        await console.click("#order-submit")
        if has_orders:
            await console.wait_for_selector("#order-result[data-number]", timeout=5000)
            order_number = await console.get_attribute("#order-result", "data-number")
            async with api.get(f"/api/orders/{order_number}") as r:
                assert r.status == 200, await r.text()
                order = await r.json()
            assert (order["caller_number"], order["utility"]) == (number, "gas")
        else:
            await console.wait_for_function(text_of("#order-result"), arg="工单接口尚未提供")
        DOCS.mkdir(exist_ok=True)
        await console.screenshot(path=DOCS / "console.png", full_page=True)
        await wallboard.screenshot(path=DOCS / "wallboard.png", full_page=True)

        # 4. The softphone hangs up: the call leaves the wallboard's list of calls in progress.
        result = await asyncio.wait_for(call, 60)
        assert result["outcome"] == "answered" and f"agent:{AGENT_ID}" in result["path"], result
        when, _ = await live.first(
            lambda u: u["topic"] == "call_ended" and u["data"]["channel_id"] == call_id, within=10
        )
        lags["call ended"] = await shown_within_budget(
            wallboard, "the ended call", f'() => !document.querySelector("{ivr_row}")', None, when
        )
        assert await wallboard.text_content("#abandoned-count") == "0"
    except BaseException:
        # What the pages showed when it failed, next to pytest's temporary files.
        await console.screenshot(path=tmp_path / "console-failed.png", full_page=True)
        await wallboard.screenshot(path=tmp_path / "wallboard-failed.png", full_page=True)
        print(f"\nscreenshots of the failure in {tmp_path}")
        raise
    finally:
        if not call.done():
            call.cancel()

    # 5. Wrap-up from the console, then sign out (nobody stays logged in for other tests).
    await console.wait_for_selector(
        "#agent-state[data-state=after_call_work], #agent-state[data-state=available]",
        timeout=10000,
    )
    await console.click("#wrap-up")
    await console.wait_for_selector("#screen-pop", state="hidden")
    await click_state(console, "logged_out", live)
    await wallboard.wait_for_selector(
        f"#agents tr[data-agent-id={AGENT_ID}] [data-state=logged_out]"
    )
    assert errors == []
    print(
        f"\nbrowser e2e: {time.monotonic() - started:.1f}s; login API {has_login}, "
        f"orders API {has_orders}; lags "
        + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in lags.items())
    )
