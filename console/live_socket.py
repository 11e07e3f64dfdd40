"""The pages' side of the live hub: relay a subscription to one browser until the page goes.

Shared by the console's `/api/live` and the agency portal's `/api/agency/live`, which differ
only in what they let through.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from aiohttp import web

from events.hub import Update

# Turns a hub update into what this page may see, or None to drop it.
Forward = Callable[[Update], Update | None]


async def relay_until_closed(ws: web.WebSocketResponse, updates: asyncio.Queue[Update],
                             forward: Forward) -> None:
    """Forward updates while the page is open. The handler ends when the page goes, not at
    the next update: a quiet hub would otherwise hold shutdown up and write to a closed
    transport."""
    relay = asyncio.create_task(_relay(ws, updates, forward))
    try:
        async for _ in ws:  # nothing is expected from the page
            pass
    finally:
        relay.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionError):
            await relay


async def _relay(ws: web.WebSocketResponse, updates: asyncio.Queue[Update],
                 forward: Forward) -> None:
    while not ws.closed:
        message = forward(await updates.get())
        if message is not None:
            await ws.send_json(message)
