"""A leader's session on a running `serve`, for the tools and tests that define agents:
writing agents needs a login in every mode, the sandbox too (issue 18)."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp

from hotline12319.settings import Settings
from routing.admin.users import UserError, add_user
from routing.orders.transitions import Role
from routing.store.db import make_engine, make_sessionmaker

ADMIN, ADMIN_PASSWORD = "sandbox-admin", "sandbox-admin-12319"


async def admin_headers(settings: Settings, api_url: str) -> dict[str, str]:
    """The cookie header of `sandbox-admin` (a leader, made in the database if missing)."""
    engine = make_engine(settings.database_url)
    try:
        async with make_sessionmaker(engine).begin() as session:
            await add_user(session, user_id=ADMIN, name=ADMIN, role=Role.LEADER,
                           agency_id=None, password=ADMIN_PASSWORD, now=datetime.now(UTC))
    except UserError:
        pass  # made before
    finally:
        await engine.dispose()
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http, http.post(
        f"{api_url}/api/login", json={"user": ADMIN, "password": ADMIN_PASSWORD}
    ) as r:
        r.raise_for_status()
        return {"Cookie": f"hotline_session={r.cookies['hotline_session'].value}"}
