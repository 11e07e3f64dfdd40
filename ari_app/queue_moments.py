"""The moments a service level needs, written by the adapters that see them happen.

A caller entering the agents' line, an agent answering, the utility of an ended call: the
wallboard (routing/floor/wallboard.py) and observed-traffic staffing count these from the audit
trail. They are noted without waiting (a note never holds up a caller's prompt) and written
in batches by one task; a write that fails (the database restarting) is kept and tried again.
A moment already in the trail - noted again for a call taken back after our restart - is
not written twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from events.hub import QUEUE_MOMENTS_TOPIC as WRITTEN_TOPIC
from events.hub import LiveHub
from routing.store.models import AuditEvent

log = logging.getLogger(__name__)

ACTOR = "acd"
RETRY_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class Moment:
    call_id: str
    action: str
    at: datetime
    detail: dict[str, Any]


class QueueMoments:
    def __init__(self, sessions: async_sessionmaker[AsyncSession],
                 retry_seconds: float = RETRY_SECONDS, hub: LiveHub | None = None) -> None:
        self.sessions, self.retry_seconds, self.hub = sessions, retry_seconds, hub
        self._pending: list[Moment] = []
        self._noted = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def note(self, call_id: str, action: str, at: datetime, detail: dict[str, Any]) -> None:
        self._pending.append(Moment(call_id, action, at, detail))
        self._noted.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def close(self) -> None:
        """Stop the writer, then try once more to write what is still pending."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._pending and not await self.write_pending():
            log.error("%d queue moments could not be written before stopping",
                      len(self._pending))

    async def write_pending(self) -> bool:
        """Write what is pending; on failure keep it (ahead of newer notes) and say False."""
        batch, self._pending = self._pending, []
        written = False
        try:
            async with self.sessions.begin() as session:
                added = await _write(session, batch)
            written = True
            if added and self.hub is not None:
                # The wallboard recounts on this: the moments are in the trail by now, which
                # the queue's own updates, published before the write, cannot promise.
                self.hub.publish(WRITTEN_TOPIC, {"written": added})
        except (SQLAlchemyError, OSError, TimeoutError) as exc:
            log.warning("queue moments not written (%s); trying again", exc)
        finally:
            # Also when cancelled mid-write: close() tries again, and what did reach the
            # trail is not written twice.
            if not written:
                self._pending = batch + self._pending
        return written

    async def _run(self) -> None:
        while True:
            await self._noted.wait()
            self._noted.clear()
            try:
                written = await self.write_pending()
            except Exception:  # not the database's: a bug must not end the writer for good
                log.exception("queue moments: write failed")
                written = False
            if not written:
                await asyncio.sleep(self.retry_seconds)
                self._noted.set()


async def _write(session: AsyncSession, batch: list[Moment]) -> int:
    calls = {m.call_id for m in batch}
    found = await session.execute(select(AuditEvent.entity_id, AuditEvent.action).where(
        AuditEvent.entity == "call", AuditEvent.entity_id.in_(calls)))
    there = {(call, action) for call, action in found}
    added = 0
    for m in batch:
        if (m.call_id, m.action) in there:
            continue
        there.add((m.call_id, m.action))
        session.add(AuditEvent(at=m.at, actor=ACTOR, entity="call", entity_id=m.call_id,
                               action=m.action, detail=m.detail))
        added += 1
    return added
