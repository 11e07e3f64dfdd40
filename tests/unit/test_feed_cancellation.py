"""The wallboard feed must stop when the app stops, even if an update arrives in the same
instant as the cancellation: Python 3.11's `asyncio.wait_for` returned the update and
swallowed the cancel, and `serve` (and a test's teardown) waited for the feed forever."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest

from console.wallboard_http import WallboardFeed, run_feed
from events.hub import QUEUE_MOMENTS_TOPIC as WRITTEN_TOPIC


class CountingFeed:
    """Only what run_feed calls; it counts instead of touching a database."""

    def __init__(self) -> None:
        self.recounts = 0

    async def publish_if_changed(self, orders_too: bool) -> bool:
        self.recounts += 1
        return True


async def test_given_an_update_and_a_cancel_in_the_same_instant_then_the_feed_stops() -> None:
    feed, queue = CountingFeed(), asyncio.Queue[Any]()
    task = asyncio.create_task(run_feed(cast(WallboardFeed, feed), queue, tick=3600.0))
    await asyncio.sleep(0.05)  # the first tick's recount is done; the feed waits on the queue
    queue.put_nowait({"topic": "health", "data": {}})
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 2.0)
    assert task.cancelled()


async def test_given_a_burst_of_changes_then_one_recount_after_the_settle() -> None:
    feed, queue = CountingFeed(), asyncio.Queue[Any]()
    task = asyncio.create_task(
        run_feed(cast(WallboardFeed, feed), queue, tick=3600.0, settle=0.05))
    await asyncio.sleep(0.02)
    assert feed.recounts == 1  # the first tick
    for _ in range(3):
        queue.put_nowait({"topic": "queue", "data": {}})
    queue.put_nowait({"topic": "health", "data": {}})  # not a change
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 2.0)
    assert queue.empty()
    assert feed.recounts == 2


async def test_given_new_moments_in_the_trail_then_the_feed_recounts() -> None:
    feed, queue = CountingFeed(), asyncio.Queue[Any]()
    task = asyncio.create_task(
        run_feed(cast(WallboardFeed, feed), queue, tick=3600.0, settle=0.05))
    await asyncio.sleep(0.02)
    queue.put_nowait({"topic": WRITTEN_TOPIC, "data": {"written": 2}})
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 2.0)
    assert feed.recounts == 2  # the first tick, then the moments
