"""Keeping a call's recording with its order, off the call's path: copied out of Asterisk's
spool, attached to the order, then transcribed when speech is on."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ari_app.client import AriError
from ari_app.recording_store import keep_copy, wav_seconds
from ivr import commands as cmd

if TYPE_CHECKING:
    from ari_app.calls import CallContext

log = logging.getLogger(__name__)


async def keep_call_recording(ctx: CallContext, name: str, order_number: str,
                              order: cmd.CreateOrder) -> tuple[str, ...]:
    """Keep, attach, transcribe; the hazards the words named (none without speech)."""
    try:
        path, data = await keep_copy(ctx.ari, name, ctx.recordings_dir, order_number)
    except (AriError, OSError) as exc:
        log.error(
            "order %s: recording %s not stored (%s); Asterisk's spool still holds it",
            order_number, name, exc,
        )
        await ctx.store.recording_not_stored(
            order_number=order_number, recording_name=name, error=f"{type(exc).__name__}: {exc}"
        )
        return ()
    await ctx.store.attach_recording(
        order_number=order_number, path=str(path), size=len(data), seconds=wav_seconds(data)
    )
    if ctx.speech is None:
        return ()
    return await ctx.speech.attach(
        order_number=order_number,
        recording=path,
        keys_utility=order.utility,
        keys_type=order.order_type,
    )
