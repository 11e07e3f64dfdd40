"""Supervisors provision the people who work the hotline: POST /api/users makes a user and,
for an agent (center_staff), the agent's profile with its skills per utility in the same
transaction, so nobody defines their own skills (L 3.1.4(4): access strictly by permission).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from console.agents_http import QUEUE, AgentDefinition
from console.announcements_http import DIRECTORY
from console.api import AGENT_ADMINS, current_user, read_body
from console.http import SESSIONS, api_error
from routing.admin.users import UserError, add_user
from routing.agents.acd import Agent
from routing.agents.agent_repository import add_profile
from routing.orders.transitions import Role
from routing.store.order_tables import User

routes = web.RouteTableDef()


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,31}$")  # also the agent id
    name: str = Field(min_length=1, max_length=64)
    role: Role
    agency_id: str | None = Field(default=None, max_length=64)
    password: str = Field(min_length=8, max_length=256)
    agent: AgentDefinition | None = None  # the softphone and skills of a center_staff user


def _check(body: UserCreate, request: web.Request) -> dict[str, int] | None:
    if body.agent is not None and body.role is not Role.CENTER_STAFF:
        raise api_error(web.HTTPUnprocessableEntity, "agent-needs-center-staff",
                        "只有话务员（center_staff）可以有坐席资料")
    if body.agency_id is not None and body.agency_id not in request.app[DIRECTORY].agencies:
        raise api_error(web.HTTPUnprocessableEntity, "unknown-agency",
                        f"没有联动单位 {body.agency_id}")
    if body.agent is None:
        return None
    try:
        return body.agent.checked_skills()
    except ValueError as exc:
        raise api_error(web.HTTPUnprocessableEntity, "invalid-skills",
                        "技能只能是行业或 general，等级 1–5") from exc


@routes.post("/api/users")
async def post_user(request: web.Request) -> web.Response:
    actor = await current_user(request, AGENT_ADMINS)
    body: UserCreate = await read_body(request, UserCreate)
    skills = _check(body, request)
    async with request.app[SESSIONS].begin() as session:
        agent = await _provision(session, body, skills, actor.id)
    if agent is not None:  # the running queue knows it at once, logged out
        await request.app[QUEUE].define(agent)
    return web.json_response(_created(body, skills), status=201)


async def _provision(session: AsyncSession, body: UserCreate, skills: dict[str, int] | None,
                     actor: str) -> Agent | None:
    now = datetime.now(UTC)
    if await session.get(User, body.id) is not None:
        raise api_error(web.HTTPConflict, "user-exists", f"用户 {body.id} 已存在")
    try:
        await add_user(session, user_id=body.id, name=body.name, role=body.role,
                       agency_id=body.agency_id, password=body.password, now=now)
    except UserError as exc:  # an agency user without its unit, or the other way round
        raise api_error(web.HTTPUnprocessableEntity, "invalid-user", str(exc)) from exc
    if body.agent is None or skills is None:
        return None
    try:
        return await add_profile(session, agent_id=body.id, name=body.agent.name,
                                 endpoint=body.agent.endpoint, skills=skills, actor=actor,
                                 now=now)
    except ValueError as exc:
        raise api_error(web.HTTPConflict, "agent-exists", f"坐席 {body.id} 已存在") from exc


def _created(body: UserCreate, skills: dict[str, int] | None) -> dict[str, Any]:
    agent = None if body.agent is None else {
        "id": body.id, "endpoint": body.agent.endpoint, "skills": skills}
    return {"id": body.id, "name": body.name, "role": body.role.value,
            "agency_id": body.agency_id, "agent": agent}
