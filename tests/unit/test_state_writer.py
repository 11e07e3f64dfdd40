"""A call's state is written in order, superseded states skipped, and flushed before its end."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any, cast

from ari_app.state_writer import StateWriter
from ari_app.storage import CallStore


class SlowStore:
    """Records what would be written; each write takes a while, like a busy database."""

    def __init__(self) -> None:
        self.written: list[tuple[int, datetime | None]] = []

    async def progress(self, *, channel_id: str, flow_state: dict[str, Any],
                       answered_at: datetime | None = None) -> None:
        await asyncio.sleep(0.01)
        self.written.append((flow_state["n"], answered_at))


async def test_newest_state_wins_and_flush_waits_for_it() -> None:
    store = SlowStore()
    writer = StateWriter(cast(CallStore, store), "c1")
    answered = datetime(2026, 11, 27, tzinfo=UTC)
    writer.write({"n": 1}, answered)
    await asyncio.sleep(0)  # the first write starts
    for n in range(2, 6):
        writer.write({"n": n})
    await writer.flush()
    assert store.written[0] == (1, answered)
    assert store.written[-1][0] == 5
    assert [n for n, _ in store.written] == sorted(n for n, _ in store.written)
    assert len(store.written) < 5  # superseded states were skipped
    await writer.close()
