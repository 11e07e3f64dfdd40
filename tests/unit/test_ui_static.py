"""The console and wallboard pages and every static file they load are served (no ARI, no
database: a bare application with the UI routes only)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from console.ui_http import PAGES, STATIC_DIR, routes

Client = TestClient[web.Request, web.Application]

# Browsers run ES modules only with a JavaScript type (aiohttp may say either).
TYPES = {
    ".html": {"text/html"},
    ".css": {"text/css"},
    ".js": {"text/javascript", "application/javascript"},
    ".txt": {"text/plain"},  # the vendored libraries' licences (vendor/*/LICENSE-*.txt)
}


@pytest.fixture
async def client() -> AsyncIterator[Client]:
    app = web.Application()
    app.add_routes(routes)
    async with TestClient(TestServer(app)) as client:
        yield client


def static_files() -> list[str]:
    files = (p for p in STATIC_DIR.rglob("*") if p.is_file())
    return sorted(p.relative_to(STATIC_DIR).as_posix() for p in files)


async def test_root_redirects_to_the_console(client: Client) -> None:
    response = await client.get("/", allow_redirects=False)
    assert (response.status, response.headers["Location"]) == (302, "/console/")
    response = await client.get("/wallboard", allow_redirects=False)
    assert (response.status, response.headers["Location"]) == (302, "/wallboard/")


@pytest.mark.parametrize("path", sorted(PAGES))
async def test_pages_are_served_and_everything_they_load_exists(client: Client, path: str) -> None:
    response = await client.get(path)
    assert response.status == 200
    assert response.content_type == "text/html"
    html = await response.text()
    assert 'lang="zh-CN"' in html
    loaded = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert loaded, "a page loads its script and stylesheet from /static/"
    for url in loaded:
        assert (await client.get(url)).status == 200, url


@pytest.mark.parametrize("name", static_files())
async def test_every_static_file_is_served_with_its_type(client: Client, name: str) -> None:
    response = await client.get(f"/static/{name}")
    assert response.status == 200
    suffix = "." + name.rsplit(".", 1)[-1]
    assert response.content_type in TYPES[suffix]
    assert await response.read() == (STATIC_DIR / name).read_bytes()


async def test_module_imports_point_at_files_that_exist() -> None:
    for script in STATIC_DIR.glob("js/*.js"):
        for target in re.findall(r'from "\./([^"]+)"', script.read_text()):
            assert (script.parent / target).is_file(), f"{script.name} imports {target}"


async def test_no_file_outside_static_is_reachable(
    client: Client,
) -> None:
    assert (await client.get("/static/../ui_http.py")).status in (403, 404)
    assert (await client.get("/static/%2e%2e/ui_http.py")).status in (403, 404)
