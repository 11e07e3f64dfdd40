"""Supervisors provision agents (issue 19): the business section makes the user and the
agent's profile with its skills per utility in one request; the agent logs in with it and
may not rewrite its own skills (L 3.1.4(4)). Runs on PostgreSQL and SQLite."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.integration.orders_support import agency, api, login

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # fixtures used by name

Client = TestClient[web.Request, web.Application]
NEW_PASSWORD = "new agent 12319 pw"


def _agent_user(user_id: str, **changes: Any) -> dict[str, Any]:
    body = {"id": user_id, "name": "王芳", "role": "center_staff", "password": NEW_PASSWORD,
            "agent": {"name": "王芳", "endpoint": "PJSIP/7101@callers",
                      "skills": {"gas": 3, "heating": 2, "general": 1}}}
    return body | changes


async def test_given_the_business_section_provisions_an_agent_then_it_logs_in_with_its_skills(
    api: Client,
) -> None:
    business = await login(api, "business")
    async with api.post("/api/users", json=_agent_user("a7101"), headers=business) as r:
        assert r.status == 201, await r.text()
        assert (await r.json())["agent"]["skills"] == {"gas": 3, "heating": 2, "general": 1}
    async with api.post("/api/login", json={"user": "a7101", "password": NEW_PASSWORD}) as r:
        assert r.status == 200, await r.text()
        mine = {"Cookie": f"hotline_session={r.cookies['hotline_session'].value}"}
    async with api.get("/api/agents", headers=mine) as r:
        agents = {a["id"]: a for a in (await r.json())["agents"]}
    assert agents["a7101"]["skills"] == {"gas": 3, "heating": 2, "general": 1}
    assert agents["a7101"]["state"] == "logged_out"
    redefine = {"name": "王芳", "endpoint": "PJSIP/7101@callers", "skills": {"water": 5}}
    async with api.put("/api/agents/a7101", json=redefine, headers=mine) as r:
        assert r.status == 403, await r.text()  # its skills are the supervisors' to set


async def test_given_an_agent_then_it_may_not_provision_users(api: Client) -> None:
    staff = await login(api, "staff")
    async with api.post("/api/users", json=_agent_user("a7102"), headers=staff) as r:
        assert r.status == 403, await r.text()


@pytest.mark.parametrize(("changes", "status", "error"), [
    ({"role": "agency", "agency_id": "industry-gas"}, 422, "agent-needs-center-staff"),
    ({"role": "agency", "agency_id": "heating", "agent": None}, 422, "unknown-agency"),
    ({"agent": {"name": "x", "endpoint": "PJSIP/1", "skills": {"lpg": 2}}}, 422,
     "invalid-skills"),
    ({"id": "staff"}, 409, "user-exists"),
    ({"id": "7103"}, 422, "invalid-body"),
])
async def test_given_a_bad_user_then_4xx_and_nothing_is_made(
    api: Client, changes: dict[str, Any], status: int, error: str
) -> None:
    business = await login(api, "business")
    body = _agent_user("a7103") | changes
    async with api.post("/api/users", json=body, headers=business) as r:
        assert (r.status, (await r.json())["error"]) == (status, error)
    async with api.post("/api/login", json={"user": "a7103", "password": NEW_PASSWORD}) as r:
        assert r.status == 401  # no such user was made


async def test_given_the_console_login_page_then_it_says_only_what_is_true(api: Client) -> None:
    """Login exists on every server: no "登录接口尚未提供" and no agent picker beside it."""
    async with api.get("/console/") as r:
        page = await r.text()
    async with api.get("/static/js/console.js") as r:
        script = await r.text()
    assert 'id="login-form"' in page
    assert "尚未提供" not in page + script and "pick-agent" not in page + script


def _user_add(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hotline12319.cli", "user", "add", *args, "--password-stdin",
         "--database-url", url], input=NEW_PASSWORD + "\n", capture_output=True, text=True,
        timeout=60, check=False)


async def test_given_user_add_with_skills_then_the_running_queue_takes_the_agent(
    api: Client, orders_db: str
) -> None:
    bad = _user_add(orders_db, "--id", "a7202", "--role", "center_staff",
                    "--endpoint", "PJSIP/7202@callers", "--skills", "lpg=2")
    assert bad.returncode != 0 and "--skills" in bad.stderr, bad
    made = _user_add(orders_db, "--id", "a7201", "--role", "center_staff",
                     "--endpoint", "PJSIP/7201@callers", "--skills", "water=2,general=1")
    assert made.returncode == 0, made.stderr
    async with api.post("/api/login", json={"user": "a7201", "password": NEW_PASSWORD}) as r:
        assert r.status == 200, await r.text()
        mine = {"Cookie": f"hotline_session={r.cookies['hotline_session'].value}"}
    async with api.get("/api/agents", headers=mine) as r:
        agents = {a["id"]: a for a in (await r.json())["agents"]}
    assert agents["a7201"]["skills"] == {"water": 2, "general": 1}
    async with api.post("/api/agents/a7201/state", json={"state": "paused", "reason": "break"},
                        headers=mine) as r:
        assert r.status == 200, await r.text()
    async with api.post("/api/login", json={"user": "a7202", "password": NEW_PASSWORD}) as r:
        assert r.status == 401  # the refused profile made no user either
