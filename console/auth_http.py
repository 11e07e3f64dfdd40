"""Login, logout, and who am I: a session cookie (HttpOnly, SameSite=Strict)."""

from __future__ import annotations

from aiohttp import web

from console.api import COOKIE, current_user, now, read_body
from console.http import SESSIONS, api_error
from console.schemas import Login
from routing.users import SESSION_TTL, login, logout

routes = web.RouteTableDef()


@routes.post("/api/login")
async def post_login(request: web.Request) -> web.Response:
    body = await read_body(request, Login)
    async with request.app[SESSIONS].begin() as session:
        found = await login(session, user_id=body.user, password=body.password, now=now())
    if found is None:
        raise api_error(web.HTTPUnauthorized, "bad-credentials", "unknown user or wrong password")
    user, token = found
    response = web.json_response(_me(user.id, user.name, user.role, user.agency_id))
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        path="/",
        max_age=int(SESSION_TTL.total_seconds()),
        secure=request.secure,
    )  # Secure whenever served over https
    return response


@routes.post("/api/logout")
async def post_logout(request: web.Request) -> web.Response:
    token = request.cookies.get(COOKIE)
    if token:
        async with request.app[SESSIONS].begin() as session:
            await logout(session, token=token)
    response = web.json_response({"logged_out": True})
    response.del_cookie(COOKIE, path="/")
    return response


@routes.get("/api/me")
async def get_me(request: web.Request) -> web.Response:
    user = await current_user(request)
    return web.json_response(_me(user.id, user.name, user.role, user.agency_id))


def _me(user_id: str, name: str, role: str, agency_id: str | None) -> dict[str, str | None]:
    return {"id": user_id, "name": name, "role": role, "agency_id": agency_id}
