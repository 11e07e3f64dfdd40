"""Callers reach agents: real calls, real softphones (auto-answering endpoints on the caller
simulator), bridged and recorded through ARI (issue 5, acceptance 1 and 2)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from ari_app.client import AriClient
from hotline12319.settings import Settings
from routing.floor.wallboard_repository import AGENT_ANSWERED, CLASSIFIED, QUEUE_ENTERED
from routing.store.db import make_engine, make_sessionmaker
from routing.store.models import AuditEvent
from tests.conftest import HotlineProcess, call_and_fetch
from tests.integration.agents_support import admin_headers, log_everyone_out
from tools.callersim import Answerer, CallerSim, Scenario

pytestmark = pytest.mark.integration

TO_AGENT = ["3", "0"]  # gas, then "an agent" in the type menu


async def _admin_api(process: HotlineProcess) -> AsyncIterator[aiohttp.ClientSession]:
    admin = await admin_headers(process.settings, process.api_url)  # agent writes need one
    async with aiohttp.ClientSession(base_url=process.api_url, headers=admin) as http:
        yield http
        await log_everyone_out(http)


@pytest.fixture
async def api(hotline: HotlineProcess) -> AsyncIterator[aiohttp.ClientSession]:
    async for http in _admin_api(hotline):
        yield http


@pytest.fixture
async def served_api(served: HotlineProcess) -> AsyncIterator[aiohttp.ClientSession]:
    async for http in _admin_api(served):
        yield http


async def make_agent(http: aiohttp.ClientSession, agent_id: str, extension: str) -> None:
    body = {"name": agent_id, "endpoint": f"PJSIP/{extension}@callers",
            "skills": {"gas": 2, "general": 1}}
    async with http.put(f"/api/agents/{agent_id}", json=body) as r:
        assert r.status == 200, await r.text()
    async with http.post(f"/api/agents/{agent_id}/state", json={"state": "available"}) as r:
        assert r.status == 200, await r.text()


async def agent_state(http: aiohttp.ClientSession, agent_id: str) -> dict[str, Any]:
    async with http.get("/api/agents") as r:
        agents = {a["id"]: a for a in (await r.json())["agents"]}
    return dict(agents[agent_id])


async def test_three_callers_two_agents_served_in_arrival_order_and_recorded(
    served: HotlineProcess, caller: CallerSim, served_api: aiohttp.ClientSession,
    settings: Settings
) -> None:
    caller.answerers["agent2001"] = Answerer(hang_up_after=6)
    caller.answerers["agent2002"] = Answerer(hang_up_after=6)
    await make_agent(served_api, "a2001", "agent2001")
    await make_agent(served_api, "a2002", "agent2002")

    async def one(delay: float, number: str) -> dict[str, Any]:
        await asyncio.sleep(delay)
        return await call_and_fetch(
            caller, served, Scenario(keys=TO_AGENT, caller_number=number, timeout=90)
        )

    results = await asyncio.gather(one(0, "13700000001"), one(2, "13700000002"),
                                   one(4, "13700000003"))
    agents_used = [next(p for p in r["path"] if p.startswith("agent:")) for r in results]
    assert all(r["outcome"] == "answered" for r in results), results
    assert sorted(agents_used[:2]) == ["agent:a2001", "agent:a2002"]
    # The third caller waited and got whichever agent the first caller had freed.
    assert agents_used[2] == agents_used[0]
    assert "agent" in results[2]["path"] and results[2]["metrics"]["answer_ms"] is not None
    async with aiohttp.ClientSession() as http:
        ari = AriClient(http, settings.ari_url, settings.ari_user, settings.ari_password)
        stored = set(await ari.stored_recordings())
    for result in results:
        assert f"conv-{result['hotline']['channel_id']}" in stored
    state = await agent_state(served_api, "a2001")
    assert state["state"] in ("after_call_work", "available")


async def test_agent_who_answers_during_the_queue_announcement_is_connected_at_once(
    hotline: HotlineProcess, caller: CallerSim, api: aiohttp.ClientSession, settings: Settings
) -> None:
    # The caller hears "you are number N in line..." (about 10 s) as the agent's phone
    # rings. Asterisk bridges a channel only once its playback ends, so unless the flow
    # stops the announcement first, a short call ends before the two are ever connected.
    caller.answerers["agent5001"] = Answerer(answer_after=0.0, hang_up_after=2.0, voice=None)
    await make_agent(api, "a5001", "agent5001")
    result = await call_and_fetch(caller, hotline, Scenario(keys=TO_AGENT, timeout=60))
    assert result["outcome"] == "answered", result
    assert "agent:a5001" in result["path"]
    async with aiohttp.ClientSession() as http:
        ari = AriClient(http, settings.ari_url, settings.ari_user, settings.ari_password)
        stored = set(await ari.stored_recordings())
    assert f"conv-{result['hotline']['channel_id']}" in stored
    # The moments the wallboard and staffing count, written by the queue's adapter.
    trail = await call_trail(settings, result["hotline"]["channel_id"])
    assert trail[QUEUE_ENTERED]["utility"] == "gas"
    assert trail[AGENT_ANSWERED] == {"agent_id": "a5001"}
    assert trail[CLASSIFIED] == {"utility": "gas"}


async def call_trail(settings: Settings, channel_id: str) -> dict[str, Any]:
    """A call's queue moments (action -> detail), once all three are in (written in the
    background as they happen)."""
    engine = make_engine(settings.database_url)
    try:
        for _ in range(50):
            async with make_sessionmaker(engine)() as session:
                rows = await session.execute(select(AuditEvent.action, AuditEvent.detail).where(
                    AuditEvent.entity == "call", AuditEvent.entity_id == channel_id))
                found = {action: detail for action, detail in rows}
            if len(found) >= 3:
                break
            await asyncio.sleep(0.1)
        return found
    finally:
        await engine.dispose()


async def test_agent_who_does_not_answer_is_skipped_and_paused(
    hotline: HotlineProcess, caller: CallerSim, api: aiohttp.ClientSession
) -> None:
    caller.answerers["agent3001"] = Answerer(answer=False)
    caller.answerers["agent3002"] = Answerer(hang_up_after=3)
    await make_agent(api, "a3001", "agent3001")  # idle longest: rung first
    await asyncio.sleep(0.2)
    await make_agent(api, "a3002", "agent3002")
    result = await call_and_fetch(caller, hotline, Scenario(keys=TO_AGENT, timeout=90))
    assert result["outcome"] == "answered"
    assert "agent:a3002" in result["path"]
    assert caller.answerers["agent3001"].rung and not caller.answerers["agent3001"].answered
    skipped = await agent_state(api, "a3001")
    assert (skipped["state"], skipped["pause_reason"]) == ("paused", "no_answer")


async def test_queue_callback_keeps_the_place_and_calls_the_citizen_back(
    hotline: HotlineProcess, caller: CallerSim, api: aiohttp.ClientSession
) -> None:
    caller.answerers["agent4001"] = Answerer(hang_up_after=8)
    citizen = Answerer(hang_up_after=3)
    caller.answerers["13600000002"] = citizen
    await make_agent(api, "a4001", "agent4001")
    busy = asyncio.create_task(call_and_fetch(
        caller, hotline, Scenario(keys=TO_AGENT, caller_number="13600000001", timeout=90)))
    await asyncio.sleep(2)
    waiting = await call_and_fetch(caller, hotline, Scenario(
        keys=[*TO_AGENT, "1"], key_delays=[1.0, 1.0, 7.0], caller_number="13600000002",
        timeout=90))
    assert waiting["outcome"] == "callback", waiting
    assert waiting["path"][-1] == "callback"
    first = await busy
    assert first["outcome"] == "answered"
    for _ in range(60):  # the agent finishes, wraps up, is rung, then the citizen
        if citizen.answered:
            break
        await asyncio.sleep(0.5)
    assert len(citizen.answered) == 1
    assert len(caller.answerers["agent4001"].answered) == 2


@pytest.mark.parametrize(
    "method,path,body,status,error",
    [
        ("put", "/api/agents/x1", "{not json", 400, "malformed-json"),
        ("put", "/api/agents/x1", {"name": "x", "endpoint": "PJSIP/x@callers",
                                   "skills": {"gas": 1}, "extra": 1}, 422, "invalid-body"),
        ("put", "/api/agents/x1", {"name": "x", "endpoint": "PJSIP/x@callers",
                                   "skills": {"electricity": 1}}, 422, "invalid-body"),
        ("put", "/api/agents/x1", {"name": "x", "endpoint": "SIP/x", "skills": {"gas": 1}},
         422, "invalid-body"),
        ("put", "/api/agents/bad-id!", {"name": "x", "endpoint": "PJSIP/x@callers",
                                        "skills": {"gas": 1}}, 400, "bad-agent-id"),
        ("post", "/api/agents/nobody/state", {"state": "available"}, 404, "agent-not-found"),
        ("post", "/api/agents/nobody/state", {"state": "asleep"}, 422, "invalid-body"),
        ("get", "/api/calls?colour=red", None, 400, "unknown-parameter"),
        ("get", "/api/orders?limit=0", None, 400, "bad-limit"),
        ("get", "/api/orders/0000000000", None, 404, "order-not-found"),
    ],
)
async def test_bad_input_gets_a_4xx_json_error_and_writes_nothing(
    api: aiohttp.ClientSession, method: str, path: str, body: Any, status: int, error: str
) -> None:
    kwargs: dict[str, Any] = {}
    if isinstance(body, str):
        kwargs = {"data": body, "headers": {"Content-Type": "application/json"}}
    elif body is not None:
        kwargs = {"json": body}
    async with api.request(method.upper(), path, **kwargs) as r:
        assert r.status == status
        payload = await r.json()
    assert payload["error"] == error and payload["message"]
    async with api.get("/api/agents") as r:
        assert "x1" not in {a["id"] for a in (await r.json())["agents"]}
