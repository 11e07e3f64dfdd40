"""The callback survey's screens in the API: the agents' manual callback list, and an
order's surveys (回访, L 1.3(1)). The surveys themselves run in ari_app/survey_calls.py."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict

from console.api import CENTER, ENGINE, current_user, read_body, translated
from console.http import DISCLOSED, api_error, order_number
from routing.admin.audit import Read, disclosure
from routing.followup.survey_store import decline_callbacks, manual_callbacks, surveys_of
from routing.orders.repository import audit

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


class CallbackPreference(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    declined: bool


@routes.post("/api/orders/{number}/callback-preference")
@translated
async def callback_preference(request: web.Request) -> web.Response:
    """The citizen said no (or yes again) to being called back: recorded by an agent."""
    user = await current_user(request, CENTER)
    body = await read_body(request, CallbackPreference)
    number = order_number(request)
    async with request.app[ENGINE].sessions.begin() as session:
        if not await decline_callbacks(session, number=number, declined=body.declined):
            raise api_error(web.HTTPNotFound, "order-not-found", f"没有工单 {number}")
        await audit(session, actor=user.id, entity="work_order", entity_id=number,
                    action="callback_preference", detail={"declined": body.declined})
    return web.json_response({"number": number, "callback_declined": body.declined})
