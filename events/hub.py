"""Live updates for the agent console and the wallboard: a small publish/subscribe hub.

Publishing never blocks a call: each subscriber has a bounded queue, and a subscriber that
falls behind loses its oldest updates (the page refetches the state it needs).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

Update = dict[str, Any]


class LiveHub:
    def __init__(self, backlog: int = 256) -> None:
        self._subscribers: set[asyncio.Queue[Update]] = set()
        self._backlog = backlog
        # The last update of each sticky topic: what a page opened later must see at once.
        self.latest: dict[str, Update] = {}

    def publish(self, topic: str, data: dict[str, Any], *, sticky: bool = False) -> None:
        update = {"topic": topic, "at": datetime.now(UTC).isoformat(), "data": data}
        if sticky:
            self.latest[topic] = update
        for queue in self._subscribers:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(update)

    @contextlib.contextmanager
    def subscribe(self) -> Iterator[asyncio.Queue[Update]]:
        queue: asyncio.Queue[Update] = asyncio.Queue(self._backlog)
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)


HUB = web.AppKey("hub", LiveHub)

# The updates after which an order may be owed an automatic dispatch
# (routing/dispatch/auto_dispatch.py).
ORDER_TOPICS = frozenset({"order_created", "order_speech"})


async def wake_on_orders(hub: LiveHub, wake: asyncio.Event) -> None:
    """Set `wake` whenever an order is committed or speech flags one; a missed update costs
    only a wait for the dispatcher's next timed pass."""
    with hub.subscribe() as updates:
        while True:
            if (await updates.get())["topic"] in ORDER_TOPICS:
                wake.set()


# Published by the queue's moments trail (ari_app/queue_moments.py) after new moments reached
# it; the wallboard recounts on it.
QUEUE_MOMENTS_TOPIC = "queue_moments"
