"""Calls' states are gathered and written together: the newest state of each call, the answer
time kept, a call's end waiting for its state, and nothing lost at shutdown."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any, cast

from ari_app.state_writer import CallStates
from ari_app.storage import CallStore

Batch = dict[str, tuple[dict[str, Any], datetime | None]]
ANSWERED = datetime(2026, 11, 27, tzinfo=UTC)


class SlowStore:
    """Records each batch it would write; a write takes a while, like a busy database."""

    def __init__(self, fail_first: bool = False) -> None:
        self.batches: list[Batch] = []
        self.fail_first = fail_first

    async def progress_many(self, states: Batch) -> None:
        await asyncio.sleep(0.01)
        if self.fail_first:
            self.fail_first = False
            raise ConnectionError("database restarting")
        self.batches.append(dict(states))


def states_of(store: SlowStore, gather: float = 0.02) -> CallStates:
    return CallStates(cast(CallStore, store), gather_seconds=gather)


async def test_given_many_calls_moving_then_one_write_holds_each_calls_newest_state() -> None:
    store = SlowStore()
    states = states_of(store)
    states.write("c1", {"n": 1}, ANSWERED)
    for n in range(2, 6):
        states.write("c1", {"n": n})
        states.write("c2", {"n": 10 * n})
    await states.flush("c1")
    assert store.batches == [{"c1": ({"n": 5}, ANSWERED), "c2": ({"n": 50}, None)}]


async def test_given_a_write_in_flight_then_flush_waits_for_the_newer_state_too() -> None:
    store = SlowStore()
    states = states_of(store, gather=0.0)
    states.write("c1", {"n": 1})
    await asyncio.sleep(0.005)  # the first write is under way
    states.write("c1", {"n": 2})
    await states.flush("c1")
    assert [batch["c1"][0]["n"] for batch in store.batches] == [1, 2]


async def test_given_a_failed_write_then_flush_returns_and_the_next_state_is_written() -> None:
    store = SlowStore(fail_first=True)
    states = states_of(store)
    states.write("c1", {"n": 1})
    await asyncio.wait_for(states.flush("c1"), 1.0)
    assert store.batches == []
    states.write("c1", {"n": 2})
    await states.flush("c1")
    assert store.batches == [{"c1": ({"n": 2}, None)}]


async def test_given_states_still_gathering_at_shutdown_then_close_writes_them() -> None:
    store = SlowStore()
    states = states_of(store, gather=60.0)
    states.write("c1", {"n": 7}, ANSWERED)
    waiting = asyncio.create_task(states.flush("c1"))
    await asyncio.sleep(0)
    await states.close()
    await asyncio.wait_for(waiting, 1.0)
    assert store.batches == [{"c1": ({"n": 7}, ANSWERED)}]


async def test_given_a_call_with_nothing_pending_then_flush_returns_at_once() -> None:
    states = states_of(SlowStore())
    await asyncio.wait_for(states.flush("never-written"), 0.1)


class StuckStore(SlowStore):
    """The first write never returns (a database gone quiet); later ones are recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    async def progress_many(self, states: Batch) -> None:
        self.calls += 1
        if self.calls == 1:
            await asyncio.Event().wait()
        self.batches.append(dict(states))


async def test_given_a_write_cut_short_at_shutdown_then_close_writes_it_with_newer_states() -> None:
    store = StuckStore()
    states = CallStates(cast(CallStore, store), gather_seconds=0.0)
    states.write("c1", {"n": 1}, ANSWERED)
    states.write("c2", {"n": 10})
    await asyncio.sleep(0.01)  # the first batch is being written, and never finishes
    states.write("c1", {"n": 2})
    await states.close()
    assert store.batches == [{"c1": ({"n": 2}, ANSWERED), "c2": ({"n": 10}, None)}]
