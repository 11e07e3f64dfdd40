"""POST /api/calls/{channel_or_call}/snoop: a supervisor listens, whispers or barges in."""

from __future__ import annotations

from typing import Any, Protocol

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from console.api import current_user, read_body
from console.http import api_error
from routing.floor.snoop_rules import (
    SUPERVISING_ROLES,
    Conversation,
    SnoopMode,
    SnoopPlan,
    SnoopRefused,
    plan_snoop,
)


class Started(Protocol):
    def as_json(self) -> dict[str, Any]: ...


class Snooper(Protocol):
    """What the route uses of the snoop service (`serve` hands in ari_app's SnoopService)."""

    def conversations(self) -> list[Conversation]: ...
    async def start(self, plan: SnoopPlan, supervisor_sip: str) -> Started: ...


SNOOP = web.AppKey[Snooper]("snoop")
routes = web.RouteTableDef()
_STATUS: dict[int, type[web.HTTPException]] = {
    403: web.HTTPForbidden, 404: web.HTTPNotFound, 502: web.HTTPBadGateway}


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
                          role=user.role, conversations=service.conversations())
        session = await service.start(plan, body.supervisor_sip)
    except SnoopRefused as exc:
        raise api_error(_STATUS.get(exc.status, web.HTTPConflict), exc.error_id,
                        str(exc)) from exc
    return web.json_response(session.as_json(), status=202)
