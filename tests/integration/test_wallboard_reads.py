"""The wallboard's kept day of calls (re-reading only what can still change) agrees with a
whole read of the day on the real PostgreSQL, after calls end, enter the line and arrive."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from ari_app.storage import CallStore
from routing.db import make_engine, make_sessionmaker
from routing.enums import CallOutcome
from routing.models import AuditEvent
from routing.wallboard import CallRecord, call_part, load_policy
from routing.wallboard_repository import QUEUE_ENTERED, DayCalls, call_records

pytestmark = pytest.mark.integration


async def test_given_calls_changing_between_reads_then_the_kept_day_equals_a_whole_read(
    database: str,
) -> None:
    engine = make_engine(database)
    sessions = make_sessionmaker(engine)
    store = CallStore(sessions)
    tag = uuid.uuid4().hex[:8]
    old, active, new = (f"wb-{tag}-{name}" for name in ("old", "active", "new"))
    now = datetime.now(UTC)
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
    await engine.dispose()
    assert kept == whole
    assert set(kept) == {old, active, new}
    assert kept[active].queued_at == entered and kept[active].utility == "gas"
    assert kept[active].ended_at == now + timedelta(seconds=5)


async def test_given_settled_calls_summed_then_the_figures_equal_a_whole_read(
    database: str,
) -> None:
    engine = make_engine(database)
    sessions = make_sessionmaker(engine)
    store = CallStore(sessions)
    policy = load_policy()
    tag = uuid.uuid4().hex[:8]
    # Settled: 3 h ago (today's window only) and 10 min ago (every window); still changing:
    # ended 30 s ago.
    ages = {f"wb-{tag}-old": timedelta(hours=3), f"wb-{tag}-recent": timedelta(minutes=10),
            f"wb-{tag}-fresh": timedelta(minutes=1)}
    now = datetime.now(UTC)
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
    await engine.dispose()
    assert {f"wb-{tag}-old", f"wb-{tag}-recent"} <= day.summed
    assert set(mine(kept, tag)) == {f"wb-{tag}-fresh"}
    assert call_part(kept, later, policy, day.bases()) == call_part(whole, later, policy)


def mine(records: list[CallRecord], tag: str) -> dict[str, CallRecord]:
    return {r.call_id: r for r in records if tag in r.call_id}
