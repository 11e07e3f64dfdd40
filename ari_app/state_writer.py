"""Writing a call's IVR state to the database off the prompt path.

The state is stored so a restarted process can take the call back; it need not be written
before the caller hears the next prompt. Each call has one writer that stores its newest
state in order, skipping states already superseded, so a slow database delays the record,
not the caller. Before the call's end is written, `flush` waits for what is queued.
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


class StateWriter:
    def __init__(self, store: CallStore, channel_id: str) -> None:
        self.store = store
        self.channel_id = channel_id
        self._queue: asyncio.Queue[Snapshot] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def write(self, flow_state: dict[str, Any], answered_at: datetime | None = None) -> None:
        self._queue.put_nowait((flow_state, answered_at))
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    async def flush(self) -> None:
        await self._queue.join()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            state, answered = await self._queue.get()
            taken = 1
            while not self._queue.empty():  # only the newest state matters
                state, later = self._queue.get_nowait()
                answered, taken = answered or later, taken + 1
            try:
                await self.store.progress(
                    channel_id=self.channel_id, flow_state=state, answered_at=answered
                )
            except Exception:  # logged; the next state written supersedes this one
                log.exception("call %s: state not stored", self.channel_id)
            finally:
                for _ in range(taken):
                    self._queue.task_done()
