"""Agents in the database: their definition and the state they are in (audited)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from routing.agents.acd import Agent, AgentState
from routing.orders import repository
from routing.store.models import AgentRow


def to_agent(row: AgentRow) -> Agent:
    return Agent(
        id=row.id,
        endpoint=row.endpoint,
        skills=dict(row.skills),
        state=row.state,
        since=row.state_since,
        pause_reason=row.pause_reason,
    )


class AgentStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def all(self) -> list[tuple[AgentRow, Agent]]:
        async with self._sessions() as session:
            rows = (await session.execute(select(AgentRow).order_by(AgentRow.id))).scalars()
            return [(row, to_agent(row)) for row in rows]

    async def upsert(
        self, *, agent_id: str, name: str, endpoint: str, skills: dict[str, int], now: datetime
    ) -> Agent:
        async with self._sessions.begin() as session:
            row = await session.get(AgentRow, agent_id)
            if row is None:
                row = AgentRow(id=agent_id, state=AgentState.LOGGED_OUT, state_since=now)
                session.add(row)
            row.name, row.endpoint, row.skills = name, endpoint, skills
            await repository.audit(
                session,
                actor="admin",
                entity="agent",
                entity_id=agent_id,
                action="defined",
                detail={"endpoint": endpoint, "skills": skills},
            )
            await session.flush()
            return to_agent(row)

    async def record_state(self, agent: Agent, *, actor: str, detail: dict[str, Any]) -> None:
        async with self._sessions.begin() as session:
            row = await session.get(AgentRow, agent.id)
            if row is None:
                return
            previous = row.state
            row.state = agent.state
            row.state_since = agent.since or row.state_since
            row.pause_reason = agent.pause_reason
            await repository.audit(
                session,
                actor=actor,
                entity="agent",
                entity_id=agent.id,
                action="state_changed",
                detail={
                    "from": previous.value,
                    "to": agent.state.value,
                    "reason": agent.pause_reason,
                    **detail,
                },
            )


async def add_profile(session: AsyncSession, *, agent_id: str, name: str, endpoint: str,
                      skills: dict[str, int], actor: str, now: datetime) -> Agent:
    """A new agent's profile, in the caller's transaction (made with the user it belongs
    to); ValueError when the agent exists already."""
    if await session.get(AgentRow, agent_id) is not None:
        raise ValueError(f"agent {agent_id} exists already")
    row = AgentRow(id=agent_id, name=name, endpoint=endpoint, skills=skills,
                   state=AgentState.LOGGED_OUT, state_since=now)
    session.add(row)
    await repository.audit(session, actor=actor, entity="agent", entity_id=agent_id,
                           action="defined", detail={"endpoint": endpoint, "skills": skills})
    return to_agent(row)
