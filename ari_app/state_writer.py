"""Writing calls' IVR states to the database off the prompt path, many calls at a time.

The state is stored so a restarted process can take the call back; it need not be written
before the caller hears the next prompt. One transaction per call step cost a sixth of the
event loop at 200 concurrent calls (BENCHMARKS.md), so the newest state of every call that
moved is gathered for a moment and written in one statement. A superseded state is never
written; a slow database delays the record, not the callers. Before a call's end is written,
`flush` waits until its newest state is stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from typing import Any

from ari_app.storage import CallStore

log = logging.getLogger(__name__)

Snapshot = tuple[dict[str, Any], datetime | None]  # flow state, answered at (first write)

# How long states gather before one write: what a crash can lose of a call's place in the
# IVR (the call itself is taken back from its previous state), never a key's prompt.
GATHER_SECONDS = 0.05


class CallStates:
    def __init__(self, store: CallStore, gather_seconds: float = GATHER_SECONDS) -> None:
        self.store = store
        self.gather_seconds = gather_seconds
        self._pending: dict[str, Snapshot] = {}
        self._pending_stored: asyncio.Future[None] | None = None
        self._in_flight: dict[str, asyncio.Future[None]] = {}
        self._task: asyncio.Task[None] | None = None
        self._writing: dict[str, Snapshot] = {}  # the batch being written, while it is

    def write(self, channel_id: str, flow_state: dict[str, Any],
              answered_at: datetime | None = None) -> None:
        superseded = self._pending.get(channel_id)
        if superseded is not None and answered_at is None:
            answered_at = superseded[1]  # the answer time is written once; keep it
        self._pending[channel_id] = (flow_state, answered_at)
        if self._pending_stored is None:
            self._pending_stored = asyncio.get_running_loop().create_future()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())

    async def flush(self, channel_id: str) -> None:
        """Until the call's newest state is stored (or its write has failed and been logged)."""
        if channel_id in self._pending and self._pending_stored is not None:
            await asyncio.shield(self._pending_stored)
        elif (stored := self._in_flight.get(channel_id)) is not None:
            await asyncio.shield(stored)

    async def close(self, last_write_seconds: float = 5.0) -> None:
        """Stop; the states still gathering are written once more, so calls taken back after
        a restart resume where they were (a database that is down is not waited for long)."""
        cut_short = self._writing  # a write cancelled below did not commit: written again
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        batch, stored = _newer_over(cut_short, self._pending), self._pending_stored
        self._pending, self._pending_stored = {}, None
        try:
            if batch:
                async with asyncio.timeout(last_write_seconds):
                    await self.store.progress_many(batch)
        except Exception:
            log.exception("states of %d calls not stored at shutdown", len(batch))
        finally:
            _settle(stored)

    async def _run(self) -> None:
        while self._pending:
            await asyncio.sleep(self.gather_seconds)
            batch, stored = self._pending, self._pending_stored
            self._pending, self._pending_stored = {}, None
            self._in_flight = dict.fromkeys(batch, stored) if stored else {}
            self._writing = batch
            try:
                await self.store.progress_many(batch)
            except Exception:  # logged; each call's next state supersedes what was lost
                log.exception("states of %d calls not stored", len(batch))
            finally:
                self._writing, self._in_flight = {}, {}
                _settle(stored)


def _newer_over(older: dict[str, Snapshot], newer: dict[str, Snapshot]) -> dict[str, Snapshot]:
    """Each call's newest state, keeping an answer time only the older one carried."""
    merged = dict(older)
    for channel_id, (state, answered) in newer.items():
        merged[channel_id] = (state, answered or older.get(channel_id, (None, None))[1])
    return merged


def _settle(stored: asyncio.Future[None] | None) -> None:
    if stored is not None and not stored.done():
        stored.set_result(None)
