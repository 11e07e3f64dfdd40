"""A description written as markup is shown as text on every page, never run (issue 18's
security battery): the order desk and its order page, the agency portal, the supervision
screen and the wallboard, each signed in as the role that sees the order, in real Chromium."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser

from tests.e2e.inprocess_support import Client, chromium, cookie, production_app, sign_in

pytestmark = pytest.mark.integration
MARKUP = ('<img src=x onerror="window.__xss=1;alert(1)">'
          '<script>window.__xss=1;alert(1)</script>经十路井盖缺失')


@pytest.fixture
async def production(tmp_path: Path) -> AsyncIterator[Client]:
    client = await production_app(tmp_path)
    yield client
    await client.close()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async for launched in chromium():
        yield launched


async def _dispatched_order(client: Client) -> str:
    staff = await cookie(client, "staff")
    body = {"utility": "water", "order_type": "maintenance", "description": MARKUP,
            "caller_number": "13800005555", "address": MARKUP[:200]}
    async with client.post("/api/orders", json=body, headers=staff) as r:
        assert r.status == 201, await r.text()
        number = str((await r.json())["number"])
    async with client.post(f"/api/orders/{number}/events", json={"event": "dispatch"},
                           headers=staff) as r:
        assert r.status == 200, await r.text()
    return number


@pytest.mark.parametrize(("path", "user", "shows"), [
    ("/console/orders#{number}", "staff", True),
    ("/agency/", "water", False),
    ("/console/supervision", "duty", False),
    ("/wallboard/", "duty", False),
])
async def test_markup_in_a_description_is_text_on_every_page(
    production: Client, browser: Browser, path: str, user: str, shows: bool
) -> None:
    number = await _dispatched_order(production)
    page = await (await browser.new_context(locale="zh-CN")).new_page()
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(str(production.make_url(path.format(number=number))))
    await sign_in(page, user)
    await page.wait_for_selector("#who:not([hidden])", timeout=10_000)
    if shows:  # the order page quotes the description as it was typed
        await page.wait_for_function(
            "(text) => document.body.innerText.includes(text)", arg=MARKUP, timeout=10_000)
    await page.wait_for_timeout(1000)
    assert await page.evaluate("() => window.__xss") is None
    assert dialogs == [] and errors == []
