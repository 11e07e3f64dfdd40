"""Every write needs a login in every mode (issue 18): in the sandbox the reads of calls,
orders and agents stay open on loopback for the caller simulator, the writes never — no one
on the box points an agent's phone at `PJSIP/evil` without logging in."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from aiohttp import web
from aiohttp.test_utils import TestClient
from aiohttp.web_urldispatcher import AbstractRoute

from console.api import OPEN_READS
from tests.integration.orders_support import agency, api, login

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # fixtures used by name

Client = TestClient[web.Request, web.Application]
MATRIX = yaml.safe_load(Path(__file__).with_name("role_matrix.yaml").read_text("utf-8"))
PARAMS = {"number": "0000000000", "agent_id": "x1", "announcement_id": "999999",
          "channel_or_call": "no-such-call", "handover_id": "999999", "user_id": "nobody",
          "photo_id": "999999", "entry_id": "999999", "revision_id": "999999"}
EVIL = {"name": "evil", "endpoint": "PJSIP/evil", "skills": {"gas": 3}}


def _writes(app: web.Application) -> list[AbstractRoute]:
    """The app's write routes that the matrix does not open to everyone."""
    found = []
    for route in app.router.routes():
        if route.method in ("GET", "HEAD", "*") or route.resource is None:
            continue
        if MATRIX["endpoints"].get(f"{route.method} {route.resource.canonical}") != "public":
            found.append(route)
    return found


async def test_given_the_sandbox_then_agent_writes_need_a_login_and_reads_stay_open(
    api: Client,
) -> None:
    assert api.app[OPEN_READS]  # the in-process app runs as the sandbox does
    async with api.put("/api/agents/x1", json=EVIL) as r:
        assert (r.status, (await r.json())["error"]) == (401, "not-logged-in")
    async with api.post("/api/agents/x1/state", json={"state": "available"}) as r:
        assert r.status == 401
    async with api.put("/api/agents/x1", json=EVIL, headers=await login(api, "staff")) as r:
        assert r.status == 403  # an agent does not define agents
    async with api.get("/api/agents") as r:
        assert r.status == 200
        assert "x1" not in {a["id"] for a in (await r.json())["agents"]}


async def test_given_the_sandbox_then_every_write_refuses_the_anonymous(api: Client) -> None:
    writes = _writes(api.app)
    assert len(writes) >= 20
    refused = {}
    for route in writes:
        info = route.get_info()
        url = str(info.get("path") or info["formatter"].format(**PARAMS))
        async with api.request(route.method, url, json={}) as r:
            refused[f"{route.method} {url}"] = r.status
    assert {k: v for k, v in refused.items() if v != 401} == {}
