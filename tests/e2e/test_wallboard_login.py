"""The wallboard behind a login outside the sandbox (issue 18): it asks who you are instead
of showing "实时连接中断"; the center's staff see the board go live, a unit's user is told
the board is not theirs. A production app in-process on its own SQLite store, real Chromium."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from playwright.async_api import Browser, Page, async_playwright

from ari_app.serve import init_app
from ari_app.settings import load_settings
from routing.db import make_engine, make_sessionmaker
from routing.migrate import upgrade
from routing.transitions import Role
from routing.users import add_user
from tests.e2e.test_console_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.integration
PASSWORD = "wallboard-login-12319"
USERS = {"duty": (Role.DUTY_SUPERVISOR, None), "water": (Role.AGENCY, "industry-water")}


@pytest.fixture
async def production(tmp_path: Path) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hotline.db'}"
    await asyncio.to_thread(upgrade, url)  # Alembic runs a loop of its own
    engine = make_engine(url)
    async with make_sessionmaker(engine).begin() as session:
        for user_id, (role, unit) in USERS.items():
            await add_user(session, user_id=user_id, name=user_id, role=role, agency_id=unit,
                           password=PASSWORD, now=datetime.now(UTC))
    await engine.dispose()
    settings = load_settings(
        database_url=url, environment="production", ari_password="not-the-sandbox-secret",
        ari_app="hotline12319-wallboard-login-test", recordings_dir=tmp_path / "recordings",
        duty_poll_seconds=3600.0, speech_in_calls=False, ingest_fallback_messages=False,
        sweeper_interval_seconds=3600.0,
    )
    client = TestClient(TestServer(init_app(settings), host="127.0.0.1", port=0),
                        cookie_jar=aiohttp.DummyCookieJar())
    await client.start_server()
    yield client
    await client.close()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


async def _board(browser: Browser, url: str, errors: list[str]) -> Page:
    page = await (await browser.new_context(locale="zh-CN")).new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(url)
    await page.wait_for_selector("#login:not([hidden])", timeout=10_000)
    return page


async def _sign_in(page: Page, user: str) -> None:
    await page.fill("#login-form input[name=user]", user)
    await page.fill("#login-form input[name=password]", PASSWORD)
    await page.click("#login-form button[type=submit]")


async def test_given_production_then_the_wallboard_asks_for_a_login_and_goes_live_after_it(
    production: TestClient[web.Request, web.Application], browser: Browser
) -> None:
    errors: list[str] = []
    url = str(production.make_url("/wallboard/"))
    page = await _board(browser, url, errors)
    assert await page.text_content("#live-status") == "连接中…"  # not "中断": it waits
    await _sign_in(page, "duty")
    await page.wait_for_selector("#login", state="hidden")
    assert "duty" in (await page.text_content("#who") or "")
    await page.wait_for_function(
        "() => document.querySelector('#live-status').textContent === '实时连接正常'",
        timeout=10_000)

    unit = await _board(browser, url, errors)
    await _sign_in(unit, "water")
    await unit.wait_for_function(
        "() => document.querySelector('#login-message').textContent.includes('不对')",
        timeout=10_000)
    assert await unit.is_hidden("#login-form")
    assert errors == []
