"""The wallboard's kept day of calls (re-reading only what can still change) agrees with a
whole read of the day on the real PostgreSQL and on SQLite, after calls end, enter the line
and arrive."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ari_app.storage import CallStore
from routing.enums import CallOutcome
from routing.floor.wallboard import CallRecord, call_part, load_policy
from routing.floor.wallboard_repository import QUEUE_ENTERED, DayCalls, call_records
from routing.store.db import make_engine, make_sessionmaker
from routing.store.models import AuditEvent
from tests.integration.orders_support import agency, api

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # fixtures used by name


@dataclass(frozen=True)
class Day:
    """A real database, this test's tag on its call ids, and the test's `now`."""

    sessions: async_sessionmaker[AsyncSession]
    store: CallStore
    tag: str
    now: datetime


@pytest.fixture
async def day_db(api: object, orders_db: str) -> AsyncIterator[Day]:
    # `api` resets and migrates orders_db, on PostgreSQL and on SQLite (conftest.py).
    engine = make_engine(orders_db)
    sessions = make_sessionmaker(engine)
    yield Day(sessions, CallStore(sessions), uuid.uuid4().hex[:8], datetime.now(UTC))
    await engine.dispose()


async def test_given_calls_changing_between_reads_then_the_kept_day_equals_a_whole_read(
    day_db: Day,
) -> None:
    sessions, store, tag, now = day_db.sessions, day_db.store, day_db.tag, day_db.now
    old, active, new = (f"wb-{tag}-{name}" for name in ("old", "active", "new"))
    since = now - timedelta(days=1)
    await store.open(channel_id=old, caller_number=None, caller_name=None,
                     started_at=now - timedelta(hours=2))
    await store.end(channel_id=old, outcome=CallOutcome.ABANDONED, path=[], metrics={},
                    ended_at=now - timedelta(hours=2) + timedelta(seconds=40))
    await store.open(channel_id=active, caller_number=None, caller_name=None,
                     started_at=now - timedelta(minutes=1))
    day = DayCalls()
    async with sessions() as session:
        first = mine(await day.records(session, since, now), tag)
    assert first[active].ended_at is None and first[old].ended_at is not None

    entered = now + timedelta(seconds=1)
    async with sessions.begin() as session:
        session.add(AuditEvent(at=entered, actor="acd", entity="call", entity_id=active,
                               action=QUEUE_ENTERED, detail={"utility": "gas"}))
    await store.end(channel_id=active, outcome=CallOutcome.ANSWERED, path=[], metrics={},
                    ended_at=now + timedelta(seconds=5))
    await store.open(channel_id=new, caller_number=None, caller_name=None,
                     started_at=now + timedelta(seconds=6))

    async with sessions() as session:
        kept = mine(await day.records(session, since, now + timedelta(seconds=7)), tag)
        whole = mine(await call_records(session, since), tag)
    await store.end(channel_id=new, outcome=CallOutcome.ABANDONED, path=[], metrics={},
                    ended_at=now + timedelta(seconds=8))
    assert kept == whole
    assert set(kept) == {old, active, new}
    assert kept[active].queued_at == entered and kept[active].utility == "gas"
    assert kept[active].ended_at == now + timedelta(seconds=5)


async def test_given_settled_calls_summed_then_the_figures_equal_a_whole_read(
    day_db: Day,
) -> None:
    sessions, store, tag, now = day_db.sessions, day_db.store, day_db.tag, day_db.now
    policy = load_policy()
    # Settled: 3 h ago (today's window only) and 10 min ago (every window); still changing:
    # ended 30 s ago.
    ages = {f"wb-{tag}-old": timedelta(hours=3), f"wb-{tag}-recent": timedelta(minutes=10),
            f"wb-{tag}-fresh": timedelta(minutes=1)}
    since = now - timedelta(days=1)
    for call, age in ages.items():
        await store.open(channel_id=call, caller_number=None, caller_name=None,
                         started_at=now - age)
        await store.end(channel_id=call, outcome=CallOutcome.ABANDONED, path=[], metrics={},
                        ended_at=now - age + timedelta(seconds=30))
    day = DayCalls(policy)
    async with sessions() as session:
        await day.records(session, since, now)
        later = now + timedelta(seconds=5)
        kept = await day.records(session, since, later)
        whole = await call_records(session, since)
    assert {f"wb-{tag}-old", f"wb-{tag}-recent"} <= day.summed
    assert set(mine(kept, tag)) == {f"wb-{tag}-fresh"}
    assert call_part(kept, later, policy, day.bases()) == call_part(whole, later, policy)


def mine(records: list[CallRecord], tag: str) -> dict[str, CallRecord]:
    return {r.call_id: r for r in records if tag in r.call_id}
