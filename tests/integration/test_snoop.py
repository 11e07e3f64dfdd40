"""A supervisor listens to (or barges into) a real call between a caller and an agent.

Real parts: the caller simulator places the call through the IVR to an agent (an
auto-answering endpoint), the supervisor's phone is another auto-answering endpoint there,
and what is bridged with what is read back from the hotline Asterisk's own ARI."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from ari_app.client import AriClient, AriNotFound
from hotline12319.settings import Settings
from routing.admin.users import UserError, add_user
from routing.orders.transitions import Role
from routing.store.db import make_engine, make_sessionmaker
from tests.conftest import HotlineProcess, call_and_fetch
from tests.integration.agents_support import admin_headers, log_everyone_out
from tools.callersim import Answerer, CallerSim, Scenario

pytestmark = pytest.mark.integration

TO_AGENT = ["3", "0"]  # gas, then "an agent"
PASSWORD = "snoop-test-6000"
USERS = {"duty6000": Role.DUTY_SUPERVISOR, "staff6000": Role.CENTER_STAFF}


async def add_users(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    try:
        for user_id, role in USERS.items():
            try:
                async with make_sessionmaker(engine).begin() as session:
                    await add_user(session, user_id=user_id, name=user_id, role=role,
                                   agency_id=None, password=PASSWORD, now=datetime.now(UTC))
            except UserError:
                pass  # an earlier test made them
    finally:
        await engine.dispose()


@pytest.fixture
async def api(hotline: HotlineProcess) -> AsyncIterator[aiohttp.ClientSession]:
    await add_users(hotline.settings)
    async with aiohttp.ClientSession(base_url=hotline.api_url,
                                     cookie_jar=aiohttp.DummyCookieJar()) as http:
        yield http
        await log_everyone_out(http, await admin_headers(hotline.settings, hotline.api_url))


@pytest.fixture
async def ari(settings: Settings) -> AsyncIterator[AriClient]:
    async with aiohttp.ClientSession() as http:
        yield AriClient(http, settings.ari_url, settings.ari_user, settings.ari_password)


async def cookie(http: aiohttp.ClientSession, user: str) -> dict[str, str]:
    async with http.post("/api/login", json={"user": user, "password": PASSWORD}) as r:
        assert r.status == 200, await r.text()
        return {"Cookie": f"hotline_session={r.cookies['hotline_session'].value}"}


async def until(check: Callable[[], Awaitable[Any]], within: float, what: str) -> Any:
    for _ in range(int(within / 0.25)):
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.25)
    raise AssertionError(f"not within {within}s: {what}")


async def connected_call(http: aiohttp.ClientSession, agent_id: str, number: str) -> str:
    """Once the agent is on the call: the caller's channel on the hotline."""
    async def on_call() -> bool:
        async with http.get("/api/agents") as r:
            return any(a["id"] == agent_id and a["state"] == "on_call"
                       for a in (await r.json())["agents"])

    await until(on_call, 30, f"{agent_id} on the call")
    async with http.get("/api/calls", params={"caller_number": number, "limit": "1"}) as r:
        return str((await r.json())["calls"][0]["channel_id"])


async def bridge_of(ari: AriClient, channel_id: str) -> dict[str, Any] | None:
    bridges = await ari.request("GET", "/bridges")
    return next((b for b in bridges if channel_id in b["channels"]), None)


async def gone(ari: AriClient, channel_id: str) -> bool:
    try:
        await ari.request("GET", f"/channels/{channel_id}")
    except AriNotFound:
        return True
    return False


async def start_call(caller: CallerSim, hotline: HotlineProcess, http: aiohttp.ClientSession,
                     ext: str, number: str) -> asyncio.Task[dict[str, Any]]:
    agent_id = f"a{ext}"
    caller.answerers[f"agent{ext}"] = Answerer(hang_up_after=12)
    body = {"name": agent_id, "endpoint": f"PJSIP/agent{ext}@callers",
            "skills": {"gas": 2, "general": 1}}
    admin = await admin_headers(hotline.settings, hotline.api_url)  # agent writes need one
    async with http.put(f"/api/agents/{agent_id}", json=body, headers=admin) as r:
        assert r.status == 200, await r.text()
    async with http.post(f"/api/agents/{agent_id}/state", json={"state": "available"},
                         headers=admin) as r:
        assert r.status == 200, await r.text()
    return asyncio.create_task(call_and_fetch(
        caller, hotline, Scenario(keys=TO_AGENT, caller_number=number, timeout=90)))


@pytest.mark.parametrize("mode,ext", [("listen", "6001"), ("whisper", "6003")])
async def test_given_a_connected_call_when_a_supervisor_listens_or_whispers_then_their_phone_is_bridged_with_a_snoop_on_the_agent(  # noqa: E501
    hotline: HotlineProcess, caller: CallerSim, api: aiohttp.ClientSession, ari: AriClient,
    mode: str, ext: str,
) -> None:
    supervisor = Answerer(voice=None)  # a headset that only listens
    caller.answerers[f"sup{ext}"] = supervisor
    call = await start_call(caller, hotline, api, ext, f"1350000{ext}")
    call_id = await connected_call(api, f"a{ext}", f"1350000{ext}")
    body = {"mode": mode, "supervisor_sip": f"sup{ext}"}
    path = f"/api/calls/{call_id}/snoop"
    async with api.post(path, json=body) as r:
        assert r.status == 401  # nobody logged in
    async with api.post(path, json=body, headers=await cookie(api, "staff6000")) as r:
        assert (r.status, (await r.json())["error"]) == (403, "role-not-allowed")
    async with api.post(path, json=body, headers=await cookie(api, "duty6000")) as r:
        assert r.status == 202, await r.text()
        snoop = await r.json()
    sup, agent_channel = snoop["supervisor_channel"], snoop["agent_channel"]
    assert snoop["call_id"] == call_id and snoop["agent_id"] == f"a{ext}"
    assert snoop["mode"] == mode

    async def sup_bridge() -> dict[str, Any] | None:
        found = await bridge_of(ari, sup)
        return found if found and len(found["channels"]) == 2 else None

    bridge = await until(sup_bridge, 15, "the supervisor bridged with the snoop channel")
    assert supervisor.answered
    other = next(c for c in bridge["channels"] if c != sup)
    snoop_channel = await ari.request("GET", f"/channels/{other}")
    assert snoop_channel["name"].startswith(f"Snoop/{agent_channel}")
    assert (await ari.request("GET", f"/channels/{sup}"))["state"] == "Up"
    assert (await bridge_of(ari, agent_channel) or {}).get("id") == f"conv-{call_id}"

    result = await call
    assert result["outcome"] == "answered", result
    await until(lambda: gone(ari, sup), 10, "the supervisor's leg hung up with the call")
    assert await gone(ari, other)
    assert await bridge_of(ari, sup) is None

    async def bridge_gone() -> bool:
        return all(b["id"] != bridge["id"] for b in await ari.request("GET", "/bridges"))

    # The bridge is destroyed after both legs are hung up (snoop.py `_end`), so it can
    # outlast them by a request: the check waited for the legs only (failed once, clean run).
    await until(bridge_gone, 5, "the supervisor's bridge destroyed after the call")


async def test_given_a_connected_call_when_a_supervisor_barges_then_they_join_the_conversation(
    hotline: HotlineProcess, caller: CallerSim, api: aiohttp.ClientSession, ari: AriClient
) -> None:
    caller.answerers["sup6002"] = Answerer(voice=None)
    call = await start_call(caller, hotline, api, "6002", "13500006002")
    call_id = await connected_call(api, "a6002", "13500006002")
    async with api.post(f"/api/calls/{call_id}/snoop",
                        json={"mode": "barge", "supervisor_sip": "sup6002"},
                        headers=await cookie(api, "duty6000")) as r:
        assert r.status == 202, await r.text()
        sup = (await r.json())["supervisor_channel"]

    async def in_conversation() -> dict[str, Any] | None:
        found = await bridge_of(ari, sup)
        return found if found and found["id"] == f"conv-{call_id}" else None

    bridge = await until(in_conversation, 15, "the supervisor in the conversation's bridge")
    assert call_id in bridge["channels"] and len(bridge["channels"]) == 3
    assert (await call)["outcome"] == "answered"
    await until(lambda: gone(ari, sup), 10, "the supervisor's leg hung up with the call")
