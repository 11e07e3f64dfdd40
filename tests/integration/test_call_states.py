"""Many calls' IVR states written in one statement on the real PostgreSQL and on SQLite: each
row gets its own state and path, and an answer time once written is not erased by later states."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from ari_app.state_writer import CallStates
from ari_app.storage import CallStore
from routing.enums import CallOutcome
from routing.store.db import make_engine, make_sessionmaker
from routing.store.models import CallSession
from tests.integration.orders_support import agency, api

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # `api` migrates orders_db


async def test_given_three_calls_then_one_batch_stores_each_and_keeps_answer_times(
    api: object, orders_db: str,
) -> None:
    engine = make_engine(orders_db)
    store = CallStore(make_sessionmaker(engine))
    started = datetime.now(UTC)
    calls = [f"states-{uuid.uuid4().hex[:8]}-{n}" for n in range(3)]
    for channel_id in calls:
        await store.open(channel_id=channel_id, caller_number="13800000000", caller_name=None,
                         started_at=started)
    answered = started + timedelta(seconds=1)
    await store.progress_many({calls[0]: ({"path": ["welcome"]}, answered)})

    states = CallStates(store, gather_seconds=0.01)
    for n, channel_id in enumerate(calls):
        states.write(channel_id, {"path": ["welcome", f"key{n}"], "n": n})
    states.write(calls[2], {"path": ["welcome", "key2", "record"], "n": 2}, answered)
    for channel_id in calls:
        await states.flush(channel_id)

    async with make_sessionmaker(engine)() as session:
        rows = {r.channel_id: r for r in (await session.execute(
            select(CallSession).where(CallSession.channel_id.in_(calls)))).scalars()}
    for channel_id in calls:  # ended: a later serve must not try to take them back
        await store.end(channel_id=channel_id, outcome=CallOutcome.ABANDONED, path=[],
                        metrics={}, ended_at=datetime.now(UTC))
    await engine.dispose()
    assert [rows[c].path for c in calls] == [
        ["welcome", "key0"], ["welcome", "key1"], ["welcome", "key2", "record"]]
    assert [rows[c].flow_state["n"] for c in calls] == [0, 1, 2]  # type: ignore[index]
    assert [rows[c].answered_at for c in calls] == [answered, None, answered]
