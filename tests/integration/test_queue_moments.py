"""The service level's moments on the real PostgreSQL and on SQLite: each written once, even
when noted again (a call taken back after a restart); kept through a database that cannot be
reached, and written when it can."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ari_app.queue_moments import QueueMoments
from events.hub import QUEUE_MOMENTS_TOPIC as WRITTEN_TOPIC
from events.hub import LiveHub
from routing.floor.wallboard_repository import AGENT_ANSWERED, QUEUE_ENTERED
from routing.store.db import make_engine, make_sessionmaker
from routing.store.models import AuditEvent
from tests.integration.orders_support import agency, api

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # `api` migrates orders_db

NOW = datetime.now(UTC)


@pytest.fixture
async def sessions(api: object, orders_db: str
                   ) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(orders_db)
    yield make_sessionmaker(engine)
    await engine.dispose()


async def trail(sessions: async_sessionmaker[AsyncSession], call: str) -> list[tuple[str, str]]:
    async with sessions() as session:
        rows = await session.execute(
            select(AuditEvent.action, AuditEvent.actor).where(AuditEvent.entity_id == call))
        return sorted((action, actor) for action, actor in rows)


async def test_given_moments_noted_twice_then_each_is_written_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    call = f"qm-{uuid.uuid4().hex[:8]}"
    hub = LiveHub()
    moments = QueueMoments(sessions, hub=hub)
    with hub.subscribe() as updates:
        moments.note(call, QUEUE_ENTERED, NOW, {"utility": "gas", "emergency": False})
        moments.note(call, QUEUE_ENTERED, NOW + timedelta(seconds=1), {"utility": "gas"})
        assert await moments.write_pending()
        moments.note(call, QUEUE_ENTERED, NOW + timedelta(seconds=9), {"utility": "gas"})
        assert await moments.write_pending()  # nothing new: nothing said on the hub
        moments.note(call, QUEUE_ENTERED, NOW + timedelta(seconds=9), {"utility": "gas"})
        moments.note(call, AGENT_ANSWERED, NOW + timedelta(seconds=12), {"agent_id": "a1"})
        assert await moments.write_pending()
        said = [updates.get_nowait() for _ in range(updates.qsize())]
    # The wallboard recounts on these: each after its moments reached the trail.
    assert [(u["topic"], u["data"]) for u in said] == [
        (WRITTEN_TOPIC, {"written": 1}), (WRITTEN_TOPIC, {"written": 1})]
    assert await trail(sessions, call) == [(AGENT_ANSWERED, "acd"), (QUEUE_ENTERED, "acd")]
    async with sessions() as session:
        entered = await session.scalar(select(AuditEvent.at).where(
            AuditEvent.entity_id == call, AuditEvent.action == QUEUE_ENTERED))
    assert entered == NOW  # the first noting stands


async def test_given_the_database_unreachable_then_moments_are_kept_and_written_later(
    sessions: async_sessionmaker[AsyncSession], orders_db: str,
) -> None:
    call = f"qm-{uuid.uuid4().hex[:8]}"
    nowhere = make_engine(orders_db.replace("127.0.0.1:5432", "127.0.0.1:9")
                          if "5432" in orders_db else "sqlite+aiosqlite:////no/such/dir/h.db")
    moments = QueueMoments(make_sessionmaker(nowhere))
    moments.note(call, QUEUE_ENTERED, NOW, {"utility": "water"})
    assert not await moments.write_pending()
    moments.note(call, AGENT_ANSWERED, NOW + timedelta(seconds=3), {"agent_id": "a2"})
    await nowhere.dispose()
    moments.sessions = sessions  # the database is back
    assert await moments.write_pending()
    assert await trail(sessions, call) == [(AGENT_ANSWERED, "acd"), (QUEUE_ENTERED, "acd")]


async def test_given_a_running_writer_then_a_note_reaches_the_trail(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    call = f"qm-{uuid.uuid4().hex[:8]}"
    moments = QueueMoments(sessions)
    moments.start()
    moments.note(call, QUEUE_ENTERED, NOW, {"utility": "heating"})
    for _ in range(100):  # written by the task, not by close()
        if await trail(sessions, call):
            break
        await asyncio.sleep(0.02)
    assert await trail(sessions, call) == [(QUEUE_ENTERED, "acd")]
    moments.note(call, AGENT_ANSWERED, NOW, {"agent_id": "a3"})
    await moments.close()  # what is still pending is written on the way out
    assert await trail(sessions, call) == [(AGENT_ANSWERED, "acd"), (QUEUE_ENTERED, "acd")]
