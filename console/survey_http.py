"""The callback survey's screens in the API: the agents' manual callback list, and an
order's surveys (回访, L 1.3(1)). The surveys themselves run in ari_app/survey_calls.py."""

from __future__ import annotations

from aiohttp import web

from console.api import CENTER, ENGINE, current_user, translated
from console.http import DISCLOSED, order_number
from routing.audit import Read, disclosure
from routing.survey_store import manual_callbacks, surveys_of

routes = web.RouteTableDef()


@routes.get("/api/callbacks/manual")
@translated
async def manual_list(request: web.Request) -> web.Response:
    """Citizens the survey's phone calls did not reach: an agent calls them by hand."""
    await current_user(request, CENTER)
    async with request.app[ENGINE].sessions() as session:
        rows = await manual_callbacks(session)
    request[DISCLOSED] = disclosure(Read.ORDER_LIST, [r["order_number"] for r in rows],
                                    ("caller_number",))
    return web.json_response({"callbacks": rows})


@routes.get("/api/orders/{number}/surveys")
@translated
async def order_surveys(request: web.Request) -> web.Response:
    await current_user(request, CENTER)
    async with request.app[ENGINE].sessions() as session:
        rows = await surveys_of(session, number=order_number(request))
    return web.json_response({"surveys": rows})
