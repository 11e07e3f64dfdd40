"""Login, logout, and who am I: a session cookie (HttpOnly, SameSite=Strict).

Logins are throttled (routing/admin/login_guard.py): too many failures from one address → 429
with Retry-After; too many for one user → the user is locked, audited, until a supervisor
unlocks it (POST /api/users/{user_id}/unlock, or `hotline12319 user unlock`)."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from console.api import ACCESS_POLICY, COOKIE, current_user, now, read_body
from console.http import SESSIONS, api_error, require_storable
from console.schemas import Login
from routing.admin.access_policy import Verdict, password_expired
from routing.admin.login_guard import LoginOutcome, attempt_login, unlock
from routing.admin.user_admin import MIN_PASSWORD, find_user, set_password
from routing.admin.users import SESSION_TTL, check_password, logout
from routing.orders.transitions import Role
from routing.store.order_tables import User

routes = web.RouteTableDef()

# Unlocking a user is the shift leadership's call (L 3.1.4(4): access by permission).
UNLOCKERS = frozenset({Role.BUSINESS_SECTION, Role.SUPERVISION_SECTION, Role.DUTY_SUPERVISOR,
                       Role.LEADER})


@routes.post("/api/login")
async def post_login(request: web.Request) -> web.Response:
    body = await read_body(request, Login)
    async with request.app[SESSIONS].begin() as session:
        found = await attempt_login(session, user_id=body.user, password=body.password,
                                    ip=request.remote or "unknown", now=now(),
                                    policy=request.app[ACCESS_POLICY])
    user, token = _granted(found)
    answer = _me(user.id, user.name, user.role, user.agency_id)
    response = web.json_response(answer | {"password_expired": found.password_expired})
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


def _granted(found: LoginOutcome) -> tuple[User, str]:
    if found.verdict is Verdict.IP_THROTTLED:
        raise web.HTTPTooManyRequests(
            text=web.json_response({"error": "too-many-attempts",
                                    "message": "登录失败次数过多，请稍后再试"}).text,
            content_type="application/json",
            headers={"Retry-After": str(found.retry_after_s)},
        )
    if found.verdict is Verdict.LOCKED:
        raise api_error(web.HTTPForbidden, "account-locked",
                        "密码错误次数过多，账号已锁定，请联系班长或业务科解锁")
    if found.user is None or found.token is None:
        raise api_error(web.HTTPUnauthorized, "bad-credentials", "用户名或密码错误")
    return found.user, found.token


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
    expired = password_expired(user.password_changed_at, user.created_at,
                               request.app[ACCESS_POLICY].password, now())
    return web.json_response(_me(user.id, user.name, user.role, user.agency_id)
                             | {"password_expired": expired})


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    old_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=MIN_PASSWORD, max_length=256)


@routes.post("/api/me/password")
async def post_password(request: web.Request) -> web.Response:
    """Change one's own password (L 3.1.4(5)); every session ends, the new login follows."""
    user = await current_user(request)
    body = await read_body(request, PasswordChange)
    if body.new_password == body.old_password:
        raise api_error(web.HTTPUnprocessableEntity, "same-password", "新密码不能与旧密码相同")
    async with request.app[SESSIONS].begin() as session:
        if not check_password(await find_user(session, user.id), body.old_password):
            raise api_error(web.HTTPForbidden, "bad-credentials", "原密码错误")
        await set_password(session, user_id=user.id, password=body.new_password,
                           actor=user.id, now=now())
    response = web.json_response({"changed": True, "login_again": True})
    response.del_cookie(COOKIE, path="/")
    return response


@routes.post("/api/users/{user_id}/unlock")
async def post_unlock(request: web.Request) -> web.Response:
    actor = await current_user(request, UNLOCKERS)
    user_id = request.match_info["user_id"]
    require_storable(user_id)
    async with request.app[SESSIONS].begin() as session:
        user = await session.get(User, user_id[:64])
        if user is None:
            raise api_error(web.HTTPNotFound, "user-not-found", f"没有用户 {user_id[:64]}")
        await unlock(session, user=user, actor=actor.id)
    return web.json_response({"id": user_id, "locked": False})


def _me(user_id: str, name: str, role: str, agency_id: str | None) -> dict[str, str | None]:
    return {"id": user_id, "name": name, "role": role, "agency_id": agency_id}
