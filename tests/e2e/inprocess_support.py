"""A production app in-process on its own SQLite store, with users, and a Chromium: for the
browser tests that need no calls (and so neither the sandbox lock nor a shared database)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from playwright.async_api import Browser, Page, async_playwright

from hotline12319.serve import init_app
from hotline12319.settings import load_settings
from routing.admin.users import add_user
from routing.orders.transitions import Role
from routing.store.db import make_engine, make_sessionmaker
from routing.store.migrate import upgrade
from tests.e2e.test_console_browser import CHROMIUM, CHROMIUM_ARGS

Client = TestClient[web.Request, web.Application]
PASSWORD = "inprocess-browser-12319"
USERS = {"staff": (Role.CENTER_STAFF, None), "duty": (Role.DUTY_SUPERVISOR, None),
         "water": (Role.AGENCY, "industry-water")}


async def production_app(tmp: Path) -> Client:
    url = f"sqlite+aiosqlite:///{tmp / 'hotline.db'}"
    await asyncio.to_thread(upgrade, url)  # Alembic runs a loop of its own
    engine = make_engine(url)
    async with make_sessionmaker(engine).begin() as session:
        for user_id, (role, unit) in USERS.items():
            await add_user(session, user_id=user_id, name=user_id, role=role, agency_id=unit,
                           password=PASSWORD, now=datetime.now(UTC))
    await engine.dispose()
    settings = load_settings(
        database_url=url, environment="production", ari_password="not-the-sandbox-secret",
        ari_app="hotline12319-inprocess-browser", recordings_dir=tmp / "recordings",
        duty_poll_seconds=3600.0, speech_in_calls=False, ingest_fallback_messages=False,
        sweeper_interval_seconds=3600.0,
    )
    client = TestClient(TestServer(init_app(settings), host="127.0.0.1", port=0),
                        cookie_jar=aiohttp.DummyCookieJar())
    await client.start_server()
    return client


async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


async def sign_in(page: Page, user: str) -> None:
    await page.fill("#login-form input[name=user]", user)
    await page.fill("#login-form input[name=password]", PASSWORD)
    await page.click("#login-form button[type=submit]")


async def cookie(client: Client, user: str) -> dict[str, str]:
    async with client.post("/api/login", json={"user": user, "password": PASSWORD}) as r:
        assert r.status == 200, await r.text()
        return {"Cookie": f"hotline_session={r.cookies['hotline_session'].value}"}
