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
from ari_app.recording_store import (
    fetch_complete_recording,
    fetch_recording,
    save_copy,
    wav_complete,
    wav_seconds,
)
from routing.orders.repository import utcnow

log = logging.getLogger(__name__)

PREFIX = "fallback-"
# Record() in the fallback dialplan stops after 120 s; the margin covers its last write.
MESSAGE_MAX_SECONDS = 130.0


def caller_of(recording_name: str) -> str | None:
    """The caller number the dialplan put in the name (None when withheld)."""
    parts = recording_name.split("-", 3)
    if len(parts) < 4 or not parts[2] or parts[2] == "anonymous":
        return None
    return parts[2]


async def ingest_fallback_messages(ctx: CallContext, known: set[str] | None = None) -> list[str]:
    """Orders for new messages; `known` holds names already seen, not asked about again."""
    known = set() if known is None else known
    created: list[str] = []
    for name in await ctx.ari.stored_recordings():
        if not name.startswith(PREFIX) or name in known:
            continue
        number = await ctx.store.order_for_message(
            recording_name=name, caller_number=caller_of(name), now=utcnow()
        )
        known.add(name)
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
    if wav_complete(data):
        await _store(ctx, name, number, data)
        return
    # The app came back while this caller was still speaking: copy the message once it ends,
    # without holding up the reconnect.
    task = asyncio.create_task(_keep_when_complete(ctx, name, number))
    ctx.background.add(task)
    task.add_done_callback(ctx.background.discard)


async def _keep_when_complete(ctx: CallContext, name: str, number: str) -> None:
    try:
        data = await fetch_complete_recording(ctx.ari, name, within=MESSAGE_MAX_SECONDS)
    except AriError as exc:
        log.error("fallback message %s not retrievable: %s", name, exc)
        return
    await _store(ctx, name, number, data)


async def _store(ctx: CallContext, name: str, number: str, data: bytes) -> None:
    try:
        path = await asyncio.to_thread(save_copy, data, ctx.recordings_dir, number)
    except OSError as exc:
        log.error("order %s: message %s not stored (%s); Asterisk's spool still holds it",
                  number, name, exc)
        await ctx.store.recording_not_stored(
            order_number=number, recording_name=name, error=f"{type(exc).__name__}: {exc}"
        )
        return
    await ctx.store.attach_recording(
        order_number=number, path=str(path), size=len(data), seconds=wav_seconds(data)
    )
