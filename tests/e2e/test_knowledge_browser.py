"""Issue 17, acceptance 2: a real heating call reaches the agent in the console, the
screen-pop suggests the heating-season answer from the knowledge base, the agent reads it
out and marks the call answered on the spot, which leaves a closed consultation record."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Browser

from hotline12319.settings import Settings
from tests.conftest import HotlineProcess, call_and_fetch
from tests.e2e.test_console_browser import (
    AGENT_ID,
    DOCS,
    EXTENSION,
    PASSWORD,
    LiveLog,
    api,
    browser,
    click_state,
    live,
    live_up,
    make_user,
    open_page,
    sign_in,
)
from tools.api_login import admin_headers
from tools.callersim import Answerer, CallerSim, Scenario

pytestmark = pytest.mark.integration
__all__ = ["api", "browser", "live"]  # fixtures used by name
TO_AGENT = ["2", "0"]  # heating, then "an agent"


async def test_the_screen_pop_suggests_the_answer_and_the_agent_answers_on_the_spot(
    hotline: HotlineProcess, caller: CallerSim, api: aiohttp.ClientSession, live: LiveLog,
    browser: Browser, settings: Settings, tmp_path: Path,
) -> None:
    number = "137" + str(uuid.uuid4().int)[:8]
    body = {"name": "王坐席", "endpoint": f"PJSIP/{EXTENSION}@callers",
            "skills": {"heating": 2, "general": 1}}
    admin = await admin_headers(settings, hotline.api_url)  # defining agents needs a login
    async with api.put(f"/api/agents/{AGENT_ID}", json=body, headers=admin) as r:
        assert r.status == 200, await r.text()
    caller.answerers[EXTENSION] = Answerer(hang_up_after=15)
    await make_user(settings)
    async with api.post("/api/login", json={"user": AGENT_ID, "password": PASSWORD}) as r:
        assert r.status == 200, await r.text()
    errors: list[str] = []
    console = await open_page(browser, f"{hotline.api_url}/console/", errors)
    await sign_in(console, True)
    await live_up(console)
    await click_state(console, "available", live, then=("ringing", "on_call"))
    call = asyncio.create_task(call_and_fetch(
        caller, hotline, Scenario(keys=TO_AGENT, caller_number=number, timeout=90)))
    try:
        await live.first(lambda u: u["topic"] == "screen_pop"
                         and u["data"]["caller_number"] == number, within=30)
        season = "#kb-results button:has-text('供暖期从哪天开始、到哪天结束')"
        await console.wait_for_selector(season, timeout=5000)
        await console.click(season)
        assert "11月15日" in (await console.text_content("#kb-text") or "")
        assert "H 3.2.1" in (await console.text_content("#kb-clauses") or "")
        await console.fill("#kb-query", "今年什么时候来暖气")
        await console.click("#kb-answered")
        await console.wait_for_selector("#kb-message[data-kind=ok]", timeout=5000)
        recorded = (await console.text_content("#kb-message") or "").split()[-1]
        async with api.get(f"/api/orders/{recorded}") as r:
            assert r.status == 200, await r.text()
            order = await r.json()
        assert (order["order_type"], order["status"], order["caller_number"]) == (
            "consultation", "closed", number)
        DOCS.mkdir(exist_ok=True)
        await console.screenshot(path=DOCS / "console-knowledge.png", full_page=True)
        result = await asyncio.wait_for(call, 60)
        assert result["outcome"] == "answered", result
    except BaseException:
        await console.screenshot(path=tmp_path / "console-knowledge-failed.png", full_page=True)
        print(f"\nscreenshot of the failure in {tmp_path}")
        raise
    finally:
        if not call.done():
            call.cancel()
    await console.wait_for_selector(
        "#agent-state[data-state=after_call_work], #agent-state[data-state=available]",
        timeout=10000)
    await console.click("#wrap-up")
    await console.wait_for_selector("#knowledge", state="hidden")
    await click_state(console, "logged_out", live)
    assert errors == []
