"""Messages callers left on the dialplan fallback while the app was away become orders.

The dialplan names each message `fallback-<epoch>-<caller number>-<unique id>` in the
recording spool, where ARI lists it; ingesting is idempotent (one order per recording), so
it can run at every (re)connect.
"""

from __future__ import annotations

import asyncio
import logging

from ari_app.calls import CallContext
from ari_app.client import AriError
from recordings.store import fetch_recording, save_copy, wav_seconds
from routing.repository import utcnow

log = logging.getLogger(__name__)

PREFIX = "fallback-"


def caller_of(recording_name: str) -> str | None:
    """The caller number the dialplan put in the name (None when withheld)."""
    parts = recording_name.split("-", 3)
    if len(parts) < 4 or not parts[2] or parts[2] == "anonymous":
        return None
    return parts[2]


async def ingest_fallback_messages(ctx: CallContext) -> list[str]:
    created: list[str] = []
    for name in await ctx.ari.stored_recordings():
        if not name.startswith(PREFIX):
            continue
        number = await ctx.store.order_for_message(
            recording_name=name, caller_number=caller_of(name), now=utcnow()
        )
        if number is None:
            continue
        created.append(number)
        log.info("order %s from a message left while the app was down (%s)", number, name)
        await _keep(ctx, name, number)
    return created


async def _keep(ctx: CallContext, name: str, number: str) -> None:
    try:
        data = await fetch_recording(ctx.ari, name, attempts=3)
    except AriError as exc:
        log.error("fallback message %s not retrievable: %s", name, exc)
        return
    path = await asyncio.to_thread(save_copy, data, ctx.recordings_dir, number)
    await ctx.store.attach_recording(
        order_number=number, path=str(path), size=len(data), seconds=wav_seconds(data)
    )
