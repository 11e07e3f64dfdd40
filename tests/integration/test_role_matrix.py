"""Every endpoint against every role, outside the sandbox (issue 6, acceptance 4).

The expected answers are data (role_matrix.yaml, citing the clauses); the endpoints are
whatever the app routes, so a new endpoint without a line in the matrix fails here. Each
request is harmless: writes go to an order that does not exist or carry no body, so a role
that is let through gets a 4xx from validation and nothing is written.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from aiohttp.web_urldispatcher import AbstractRoute

from hotline12319.serve import init_app
from hotline12319.settings import load_settings
from routing.orders.transitions import Role
from tests.integration.orders_support import agency, api, login, orders_settings

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # `api` prepares the database and users

Client = TestClient[web.Request, web.Application]
MATRIX = yaml.safe_load(Path(__file__).with_name("role_matrix.yaml").read_text("utf-8"))
ROLES: dict[str, str | None] = MATRIX["users"]
OK = "ok"
MISSING = "0000000000"  # no such order: a write that gets through changes nothing
PARAMS = {"number": MISSING, "agent_id": "x1", "announcement_id": "999999",
          "channel_or_call": "no-such-call", "handover_id": "999999", "user_id": "nobody",
          "service_code": "water.maintenance",
          "photo_id": "999999", "entry_id": "999999", "revision_id": "999999"}
BODIES: dict[str, Any] = MATRIX.get("bodies", {})
UNAVAILABLE_OK: set[str] = set(MATRIX.get("may_answer_503", []))  # readiness probes


def _expected(profile: str) -> dict[str, int | str]:
    allowed = MATRIX["profiles"][profile]
    return {
        role: OK if role in allowed else (401 if role == "anonymous" else 403) for role in ROLES
    }


def _key(route: AbstractRoute) -> str:
    # HEAD runs the GET handler behind the same checks: it answers as the GET does.
    method = "GET" if route.method == "HEAD" else route.method
    return f"{method} {route.resource.canonical if route.resource else '?'}"


def _url(route: AbstractRoute) -> str:
    info = route.get_info()
    if "prefix" in info:  # the static files
        return f"{info['prefix']}/js/api.js"
    return str(info.get("path") or info["formatter"].format(**PARAMS))


ROUTES = [r for r in init_app(load_settings()).router.routes() if r.method != "*"]


def test_the_matrix_names_every_role_and_no_endpoint_the_app_lacks() -> None:
    assert set(ROLES) == {"anonymous"} | {r.value for r in Role}
    for profile, allowed in MATRIX["profiles"].items():
        assert set(allowed) <= set(ROLES), profile
    assert set(MATRIX["endpoints"].values()) <= set(MATRIX["profiles"])
    assert set(BODIES) <= set(MATRIX["endpoints"])
    stale = set(MATRIX["endpoints"]) - {_key(r) for r in ROUTES}
    assert not stale, f"matrix lines for endpoints the app does not have: {sorted(stale)}"


@pytest.fixture(scope="module")
async def production(api: Client, orders_db: str, tmp_path_factory: pytest.TempPathFactory
                     ) -> AsyncIterator[Client]:
    settings = orders_settings(tmp_path_factory.mktemp("matrix"), "http://127.0.0.1:9/none",
                               orders_db)
    settings = settings.model_copy(update={
        "environment": "production", "ari_password": "not-the-sandbox-secret",
        "ari_app": "hotline12319-role-matrix-test",
    })
    client = TestClient(TestServer(init_app(settings), host="127.0.0.1", port=0),
                        cookie_jar=aiohttp.DummyCookieJar())
    await client.start_server()
    yield client
    await client.close()


@pytest.fixture(scope="module")
async def sessions(production: Client) -> dict[str, dict[str, str]]:
    return {role: await login(production, user) if user else {} for role, user in ROLES.items()}


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.resource.canonical}")
async def test_each_role_gets_what_the_matrix_says(
    production: Client, sessions: dict[str, dict[str, str]], route: AbstractRoute
) -> None:
    key = _key(route)
    assert key in MATRIX["endpoints"], f"{key} has no line in role_matrix.yaml"
    expected = _expected(MATRIX["endpoints"][key])
    got = {role: await _status(production, route, role, sessions[role]) for role in ROLES}
    if key in UNAVAILABLE_OK:  # not ready here (no ARI): a 503, but never a 401/403
        got = {role: (200, None) if status[0] == 503 else status for role, status in got.items()}
    wrong = {role: (got[role], want) for role, want in expected.items()
             if not _matches(got[role], want)}
    assert not wrong, f"{route.method} {_url(route)}: role -> (got, expected) {wrong}"


def _matches(status: tuple[int, str | None], want: int | str) -> bool:
    code, error = status
    if want == OK:
        return code not in (401, 403) and code < 500
    wanted_error = {401: "not-logged-in", 403: "role-not-allowed"}[int(want)]
    return code == want and error in (wanted_error, None)  # HEAD answers carry no body


async def _status(client: Client, route: AbstractRoute, role: str, cookie: dict[str, str]
                  ) -> tuple[int, str | None]:
    user = ROLES[role]
    if _key(route) == "POST /api/logout" and user:  # it ends the session: use a fresh one
        cookie = await login(client, user)
    body = BODIES.get(_key(route))
    async with client.request(route.method, _url(route), headers=cookie, json=body) as r:
        answer: Any = await r.json() if r.content_type == "application/json" else None
        return r.status, answer.get("error") if isinstance(answer, dict) else None
