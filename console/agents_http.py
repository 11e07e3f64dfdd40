"""Agents and the queue over HTTP: define agents, change their state, see who waits."""

from __future__ import annotations

from typing import Any, Protocol

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from console.api import read_body
from console.http import SESSIONS, api_error
from console.live_socket import relay_until_closed
from events.hub import HUB
from routing.agents.acd import GENERAL, Acd, AcdError, Agent, AgentState
from routing.agents.agent_repository import AgentStore
from routing.agents.queue_view import agent_json
from routing.enums import Utility
from routing.orders.repository import utcnow


class AgentQueue(Protocol):
    """What the agents' routes use of the call queue (`serve` hands in ari_app's QueueService)."""

    @property
    def acd(self) -> Acd: ...
    async def define(self, agent: Agent) -> None: ...
    async def adopt_new(self) -> None: ...
    async def set_state(self, agent_id: str, state: AgentState, reason: str | None, actor: str
                        ) -> Agent: ...
    def snapshot(self) -> dict[str, Any]: ...


QUEUE = web.AppKey[AgentQueue]("queue")
SKILLS = {u.value for u in Utility} | {GENERAL}

routes = web.RouteTableDef()


class AgentDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    endpoint: str = Field(pattern=r"^PJSIP/[A-Za-z0-9_.@-]+$", max_length=128)
    skills: dict[str, int] = Field(min_length=1)

    def checked_skills(self) -> dict[str, int]:
        unknown = set(self.skills) - SKILLS
        if unknown or any(not 1 <= level <= 5 for level in self.skills.values()):
            raise ValueError(f"skills: utilities or 'general', levels 1-5 (got {self.skills})")
        return self.skills


class StateChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: AgentState
    reason: str | None = Field(default=None, max_length=32)


async def _body(request: web.Request, model: type[BaseModel]) -> Any:
    return await read_body(request, model)  # the one body parser: bad JSON, NUL and all


@routes.put("/api/agents/{agent_id}")
async def define_agent(request: web.Request) -> web.Response:
    agent_id = request.match_info["agent_id"]
    if not agent_id.isidentifier() or len(agent_id) > 32:
        raise api_error(web.HTTPBadRequest, "bad-agent-id", "agent id: letters, digits, _")
    body: AgentDefinition = await _body(request, AgentDefinition)
    try:
        skills = body.checked_skills()
    except ValueError as exc:
        raise api_error(web.HTTPUnprocessableEntity, "invalid-body", str(exc)) from exc
    store = AgentStore(request.app[SESSIONS])
    agent = await store.upsert(
        agent_id=agent_id, name=body.name, endpoint=body.endpoint, skills=skills, now=utcnow()
    )
    await request.app[QUEUE].define(agent)
    return web.json_response(agent_json(request.app[QUEUE].acd.agents[agent_id]))


@routes.post("/api/agents/{agent_id}/state")
async def change_state(request: web.Request) -> web.Response:
    body: StateChange = await _body(request, StateChange)
    try:
        agent = await request.app[QUEUE].set_state(
            request.match_info["agent_id"], body.state, body.reason, actor="agent"
        )
    except AcdError as exc:
        status = web.HTTPNotFound if exc.error_id == "agent-not-found" else web.HTTPConflict
        raise api_error(status, exc.error_id, str(exc)) from exc
    return web.json_response(agent_json(agent))


@routes.get("/api/agents")
async def list_agents(request: web.Request) -> web.Response:
    await request.app[QUEUE].adopt_new()  # those `user add` made while serve ran
    agents = request.app[QUEUE].acd.agents.values()
    return web.json_response({"agents": [agent_json(a) for a in agents]})


@routes.get("/api/queue")
async def queue_status(request: web.Request) -> web.Response:
    return web.json_response(request.app[QUEUE].snapshot())


@routes.get("/api/live")
async def live(request: web.Request) -> web.WebSocketResponse:
    """Updates as they happen (call_started, call_progress, call_ended, order_created,
    queue, agent_state, screen_pop, wallboard); the first message is the queue as it stands,
    then the last update of each sticky topic (the wallboard's figures)."""
    ws = web.WebSocketResponse(heartbeat=20)
    await ws.prepare(request)
    with request.app[HUB].subscribe() as updates:
        await ws.send_json({"topic": "queue", "data": request.app[QUEUE].snapshot()})
        for sticky in list(request.app[HUB].latest.values()):
            await ws.send_json(sticky)
        await relay_until_closed(ws, updates, lambda update: update)
    return ws

