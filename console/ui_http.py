"""The web pages: the agent console (/console/), the order desk (/console/orders), the
supervision screen (/console/supervision), the supervisor wallboard (/wallboard/) and the
agency portal (/agency/).

Plain HTML, CSS and ES modules from `console/static/`, no build step and nothing from a CDN:
the pages talk to the JSON API and the /api/live websocket only.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

STATIC_DIR = Path(__file__).with_name("static")
PAGES = {
    "/console/": "console.html",
    "/wallboard/": "wallboard.html",
    "/console/orders": "orders.html",
    "/console/supervision": "supervision.html",
    "/agency/": "agency.html",
}

routes = web.RouteTableDef()


def _page(name: str) -> web.FileResponse:
    # no-cache: a reload after an upgrade gets the new page (it revalidates, 304 if unchanged).
    return web.FileResponse(STATIC_DIR / name, headers={"Cache-Control": "no-cache"})


@routes.get("/")
async def root(request: web.Request) -> web.Response:
    raise web.HTTPFound("/console/")


@routes.get("/console")
@routes.get("/wallboard")
@routes.get("/agency")
async def add_slash(request: web.Request) -> web.Response:
    raise web.HTTPFound(request.path + "/")


@routes.get("/console/")
async def console_page(request: web.Request) -> web.FileResponse:
    return _page(PAGES["/console/"])


@routes.get("/wallboard/")
async def wallboard_page(request: web.Request) -> web.FileResponse:
    return _page(PAGES["/wallboard/"])


@routes.get("/console/orders")
async def orders_page(request: web.Request) -> web.FileResponse:
    return _page(PAGES["/console/orders"])


@routes.get("/console/supervision")
async def supervision_page(request: web.Request) -> web.FileResponse:
    return _page(PAGES["/console/supervision"])


@routes.get("/agency/")
async def agency_page(request: web.Request) -> web.FileResponse:
    return _page(PAGES["/agency/"])


routes.static("/static", STATIC_DIR, append_version=False)
