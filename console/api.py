"""What the order endpoints share: the engine key, the logged-in user, role checks, body
parsing, and the one place typed errors become HTTP answers ({"error", "message"})."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from console.http import SESSIONS, api_error, require_storable
from routing.admin.access_policy import AccessPolicy, password_expired
from routing.admin.users import live_session, touch_session
from routing.orders.order_service import OrderEngine, ServiceError
from routing.orders.transitions import OrderError, Role
from routing.store.order_tables import User

ENGINE = web.AppKey("order_engine", OrderEngine)
# True only in the sandbox: reads of calls, orders, agents and the queue stay open on
# loopback for the caller simulator and local tests.
OPEN_READS = web.AppKey("open_reads", bool)
PERSONAL_READS = ("/api/calls", "/api/orders", "/api/agents", "/api/queue", "/api/live")
COOKIE = "hotline_session"
ACCESS_POLICY = web.AppKey("access_policy", AccessPolicy)
# What a user whose password is past its age may still reach: to change it, or leave.
PASSWORD_PATHS = frozenset({"/api/me", "/api/me/password", "/api/logout"})
USER = web.RequestKey("hotline_user", User)  # whom current_user found: the read audit names them
CENTER = frozenset(Role) - {Role.AGENCY}
AGENT_ADMINS = frozenset({Role.BUSINESS_SECTION, Role.LEADER})
READS = ("GET", "HEAD")  # HEAD runs the GET handler: guarded the same
_M = TypeVar("_M", bound=BaseModel)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_STATUS: dict[int, type[web.HTTPException]] = {
    400: web.HTTPBadRequest,
    401: web.HTTPUnauthorized,
    403: web.HTTPForbidden,
    404: web.HTTPNotFound,
    409: web.HTTPConflict,
    422: web.HTTPUnprocessableEntity,
}


def now() -> datetime:
    return datetime.now(UTC)


def translated(handler: Handler) -> Handler:
    """Typed domain errors → their HTTP status and stable id (the only translation point)."""

    @functools.wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except (OrderError, ServiceError) as exc:
            raise api_error(
                _STATUS.get(exc.status, web.HTTPConflict), exc.error_id, str(exc)
            ) from exc

    return wrapper


async def current_user(request: web.Request, roles: Iterable[Role] = frozenset(Role)) -> User:
    """The logged-in user, 401 without a live session (or one idle too long), 403 when the
    role may not do this or the password is past its age (then only changing it is let in)."""
    token = request.cookies.get(COOKIE)
    policy = request.app.get(ACCESS_POLICY)
    user = await _live_user(request, token, policy) if token else None
    if user is None:
        raise api_error(web.HTTPUnauthorized, "not-logged-in", "请先登录（POST /api/login）")
    if (policy is not None and request.path not in PASSWORD_PATHS
            and password_expired(user.password_changed_at, user.created_at, policy.password,
                                 now())):
        raise api_error(web.HTTPForbidden, "password-expired",
                        "密码已超过有效期，请先修改密码（POST /api/me/password）")
    if user.role not in set(roles):
        raise api_error(web.HTTPForbidden, "role-not-allowed", f"{user.role} may not do this")
    request[USER] = user
    return user


async def _live_user(request: web.Request, token: str, policy: AccessPolicy | None
                     ) -> User | None:
    idle = policy.login.idle if policy is not None else None
    async with request.app[SESSIONS]() as session:
        found = await live_session(session, token=token, now=now(), idle=idle)
    if found is None:
        return None
    user, stale = found
    if stale:
        async with request.app[SESSIONS].begin() as session:
            await touch_session(session, token=token, now=now())
    return user


async def read_body(request: web.Request, model: type[_M]) -> _M:
    """The JSON body as `model` (unknown keys refused), or 400/422 with a stable id."""
    try:
        data = await request.json()
    except (ValueError, LookupError) as exc:  # bad JSON/UTF-8, huge integer, unknown charset
        raise api_error(web.HTTPBadRequest, "malformed-json", str(exc)) from exc
    require_storable(data)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        raise api_error(web.HTTPUnprocessableEntity, "invalid-body", repr(errors)) from exc


@web.middleware
async def oversized_bodies(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A body past the server's limit is a 413 with the API's error shape (aiohttp's own is
    plain text), GeoReport's on Open311."""
    try:
        return await handler(request)
    except web.HTTPRequestEntityTooLarge as exc:
        text = "提交的内容太大（上限 1 MiB）"
        if request.path.startswith("/open311/"):
            body = web.json_response([{"code": 413, "description": text}]).text
        else:
            body = web.json_response({"error": "body-too-large", "message": text}).text
        raise web.HTTPRequestEntityTooLarge(max_size=0, actual_size=0, text=body,
                                            content_type="application/json") from exc


@web.middleware
async def personal_data_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Callers' numbers, addresses and recordings are personal information (L 3.1.4): outside
    the sandbox only logged-in center staff read calls, orders, agents and the queue.
    Writing agents (their endpoint, their state) needs a login in every mode: on the
    sandbox's loopback too, anyone on the box could otherwise point an agent elsewhere."""
    reads = request.method in READS and request.path.startswith(PERSONAL_READS)
    writes = request.method not in READS and request.path.startswith("/api/agents")
    if writes or (reads and not request.app.get(OPEN_READS, False)):
        # Defining agents changes the system's setup: not for every agent (L 3.1.4(4)).
        defines = request.method == "PUT" and request.path.startswith("/api/agents")
        await current_user(request, AGENT_ADMINS if defines else CENTER)
    return await handler(request)
