"""Helpers for tests that log agents in on the shared `serve`."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import aiohttp

from ari_app.settings import Settings
from routing.db import make_engine, make_sessionmaker
from routing.transitions import Role
from routing.users import UserError, add_user

# Writing agents needs a login in every mode (issue 18): the tests define and move agents
# as a leader, as the business section or a leader would in life.
ADMIN, ADMIN_PASSWORD = "sandbox-admin", "sandbox-admin-12319"


async def admin_headers(settings: Settings, api_url: str) -> dict[str, str]:
    """The cookie header of a leader's session on the serve at `api_url` (made if missing)."""
    engine = make_engine(settings.database_url)
    try:
        async with make_sessionmaker(engine).begin() as session:
            await add_user(session, user_id=ADMIN, name=ADMIN, role=Role.LEADER,
                           agency_id=None, password=ADMIN_PASSWORD, now=datetime.now(UTC))
    except UserError:
        pass  # an earlier test made it
    finally:
        await engine.dispose()
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http, http.post(
        f"{api_url}/api/login", json={"user": ADMIN, "password": ADMIN_PASSWORD}
    ) as r:
        assert r.status == 200, await r.text()
        return {"Cookie": f"hotline_session={r.cookies['hotline_session'].value}"}


async def log_everyone_out(http: aiohttp.ClientSession) -> None:
    """Leave nobody logged in for the other tests (an agent on a call needs a moment)."""
    async with http.get("/api/agents") as r:
        agents = (await r.json())["agents"]
    for agent in agents:
        for _ in range(40):
            async with http.post(f"/api/agents/{agent['id']}/state",
                                 json={"state": "logged_out"}) as r:
                if r.status == 200:
                    break
            await asyncio.sleep(0.5)
