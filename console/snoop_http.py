"""POST /api/calls/{channel_or_call}/snoop: a supervisor listens, whispers or barges in."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from ari_app.client import AriError
from ari_app.snoop import (
    SUPERVISING_ROLES,
    SnoopMode,
    SnoopRefused,
    SnoopService,
    conversations,
    plan_snoop,
)
from console.agents_http import QUEUE
from console.api import current_user, read_body
from console.http import api_error

SNOOP = web.AppKey("snoop", SnoopService)
routes = web.RouteTableDef()
_STATUS: dict[int, type[web.HTTPException]] = {403: web.HTTPForbidden, 404: web.HTTPNotFound}


class SnoopRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: SnoopMode
    # The supervisor's phone: an extension where agents' phones live, or a PJSIP endpoint.
    supervisor_sip: str = Field(pattern=r"^(PJSIP/)?[A-Za-z0-9_.+-]{1,40}(@[A-Za-z0-9_.-]+)?$",
                                max_length=128)


@routes.post("/api/calls/{channel_or_call}/snoop")
async def snoop(request: web.Request) -> web.Response:
    """Ring the supervisor's phone and, once answered, put them on the agent's call:
    listen (hears both), whisper (heard by the agent only) or barge (heard by both)."""
    user = await current_user(request, SUPERVISING_ROLES)  # before the body: 403 first
    body = await read_body(request, SnoopRequest)
    service = request.app[SNOOP]
    try:
        plan = plan_snoop(mode=body.mode, target=request.match_info["channel_or_call"],
                          role=user.role, conversations=conversations(request.app[QUEUE]))
        session = await service.start(plan, body.supervisor_sip)
    except SnoopRefused as exc:
        raise api_error(_STATUS.get(exc.status, web.HTTPConflict), exc.error_id,
                        str(exc)) from exc
    except AriError as exc:
        raise api_error(web.HTTPBadGateway, "supervisor-not-rung", str(exc)) from exc
    return web.json_response(session.as_json(), status=202)
