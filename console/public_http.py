"""The hotline's public page (/public/, no login): what L 3.2.4(5) asks the center to publish
— its scope, the units and their duties, the time limits it commits to with their clauses —
and the outages callers are being told about. Nothing personal is on it: no order, no caller,
no unit's duty phone.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import select

from console.api import ENGINE, now
from console.http import SESSIONS
from console.ui_http import STATIC_DIR
from routing.enums import UTILITY_NAMES_ZH
from routing.orders import commitments
from routing.orders.order_store import default_policy
from routing.store.peaks_tables import Announcement

routes = web.RouteTableDef()
PAGE = "public.html"
UPCOMING = timedelta(days=7)  # planned outages shown this far ahead


@routes.get("/public")
async def add_slash(request: web.Request) -> web.Response:
    raise web.HTTPFound("/public/")


@routes.get("/public/")
async def page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / PAGE, headers={"Cache-Control": "no-cache"})


@routes.get("/api/public/commitments")
async def published(request: web.Request) -> web.Response:
    directory = request.app[ENGINE].directory
    return web.json_response({
        "scope": commitments.scope(),
        "units": commitments.units(directory),
        "limits": commitments.commitments(default_policy()),
        "outages": await _outages(request),
    })


async def _outages(request: web.Request) -> list[dict[str, Any]]:
    at = now()
    async with request.app[SESSIONS]() as session:
        rows = await session.scalars(select(Announcement).where(
            Announcement.closed_at.is_(None), Announcement.ends_at > at,
            Announcement.starts_at <= at + UPCOMING).order_by(Announcement.starts_at))
        return [{
            "utility": UTILITY_NAMES_ZH[r.utility.value], "kind": r.kind.value,
            "districts": r.districts, "starts_at": r.starts_at.isoformat(),
            "ends_at": r.ends_at.isoformat(),
            "recovery_at": r.recovery_at.isoformat() if r.recovery_at else None,
            "text": r.text, "active": r.starts_at <= at,
        } for r in rows]
