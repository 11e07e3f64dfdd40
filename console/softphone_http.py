"""Where the console's browser softphone (JsSIP, WebRTC) registers.

GET /api/softphone -> {"ws_url": "wss://host:port/ws"} for center staff. The SIP user is the
agent's own endpoint (`PJSIP/webrtcN`, a phone registered to the hotline Asterisk), which
the console already reads from /api/agents; the password is the agent's to type.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from console.api import CENTER, current_user
from console.http import api_error

routes = web.RouteTableDef()


@dataclass(frozen=True)
class SoftphoneConfig:
    """`ws_url` empty: the page's own host name at `port` (the hotline's HTTPS/WSS port)."""

    port: int
    ws_url: str = ""

    def url_for(self, host: str) -> str:
        return self.ws_url or f"wss://{host}:{self.port}/ws"


SOFTPHONE = web.AppKey("softphone", SoftphoneConfig)


@routes.get("/api/softphone")
async def softphone(request: web.Request) -> web.Response:
    await current_user(request, CENTER)
    config = request.app.get(SOFTPHONE)
    if config is None:
        raise api_error(web.HTTPNotFound, "softphone-off", "本系统未配置网页软电话")
    return web.json_response({"ws_url": config.url_for(request.url.host or "127.0.0.1")})
