"""The wallboard behind a login outside the sandbox (issue 18): it asks who you are instead
of showing "实时连接中断"; the center's staff see the board go live, a unit's user is told
the board is not theirs. A production app in-process on its own SQLite store, real Chromium."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page

from tests.e2e.inprocess_support import Client, chromium, production_app, sign_in

pytestmark = pytest.mark.integration


@pytest.fixture
async def production(tmp_path: Path) -> AsyncIterator[Client]:
    client = await production_app(tmp_path)
    yield client
    await client.close()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async for launched in chromium():
        yield launched


async def _board(browser: Browser, url: str, errors: list[str]) -> Page:
    page = await (await browser.new_context(locale="zh-CN")).new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(url)
    await page.wait_for_selector("#login:not([hidden])", timeout=10_000)
    return page


async def test_given_production_then_the_wallboard_asks_for_a_login_and_goes_live_after_it(
    production: Client, browser: Browser
) -> None:
    errors: list[str] = []
    url = str(production.make_url("/wallboard/"))
    page = await _board(browser, url, errors)
    assert await page.text_content("#live-status") == "连接中…"  # not "中断": it waits
    await sign_in(page, "duty")
    await page.wait_for_selector("#login", state="hidden")
    assert "duty" in (await page.text_content("#who") or "")
    await page.wait_for_function(
        "() => document.querySelector('#live-status').textContent === '实时连接正常'",
        timeout=10_000)

    unit = await _board(browser, url, errors)
    await sign_in(unit, "water")
    await unit.wait_for_function(
        "() => document.querySelector('#login-message').textContent.includes('不对')",
        timeout=10_000)
    assert await unit.is_hidden("#login-form")
    assert errors == []
