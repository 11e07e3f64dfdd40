"""What a call needs from the database, one short transaction per step.

A database restart must not cost a call its order: each step is retried for a while when
the connection fails. Every step is idempotent (an order per call session, an end only once),
so a step that did commit before its answer was lost does no harm when repeated.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ivr.commands import CreateOrder
from routing.enums import CallOutcome
from routing.orders import repository
from routing.store.models import CallSession

log = logging.getLogger(__name__)
T = TypeVar("T")


class CallStore:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], retry_seconds: float = 60.0
    ) -> None:
        self._sessions = sessions
        self.retry_seconds = retry_seconds

    async def _transaction(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        deadline, delay = time.monotonic() + self.retry_seconds, 0.2
        while True:
            try:
                async with self._sessions.begin() as session:
                    return await work(session)
            except (DBAPIError, OSError) as exc:
                if not _transient(exc) or time.monotonic() > deadline:
                    raise
                log.warning("database unavailable (%s); retrying in %.1fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)

    async def open(
        self,
        *,
        channel_id: str,
        caller_number: str | None,
        caller_name: str | None,
        started_at: datetime,
    ) -> None:
        await self._transaction(
            lambda session: repository.open_call(
                session,
                channel_id=channel_id,
                caller_number=caller_number,
                caller_name=caller_name,
                started_at=started_at,
            )
        )

    async def progress_many(
        self, states: dict[str, tuple[dict[str, Any], datetime | None]]
    ) -> None:
        await self._transaction(lambda session: repository.save_calls_progress(session, states))

    async def create_order(self, *, channel_id: str, order: CreateOrder, now: datetime) -> str:
        async def work(session: AsyncSession) -> str:
            created = await repository.create_order_for_call(
                session,
                channel_id=channel_id,
                utility=order.utility,
                order_type=order.order_type,
                ivr_path=list(order.path),
                recording_name=order.recording_name,
                needs_agent=order.needs_agent,
                now=now,
            )
            return created.number

        return await self._transaction(work)

    async def order_for_message(
        self, *, recording_name: str, caller_number: str | None, now: datetime
    ) -> str | None:
        async def work(session: AsyncSession) -> str | None:
            order = await repository.create_order_from_message(
                session, recording_name=recording_name, caller_number=caller_number, now=now
            )
            return order.number if order else None

        return await self._transaction(work)

    async def end(
        self,
        *,
        channel_id: str,
        outcome: CallOutcome,
        path: list[str],
        metrics: dict[str, Any],
        ended_at: datetime,
    ) -> None:
        await self._transaction(
            lambda session: repository.end_call(
                session,
                channel_id=channel_id,
                outcome=outcome,
                path=path,
                metrics=metrics,
                ended_at=ended_at,
            )
        )

    async def attach_recording(
        self, *, order_number: str, path: str, size: int, seconds: float | None
    ) -> None:
        await self._transaction(
            lambda session: repository.attach_recording(
                session, order_number=order_number, path=path, size=size, seconds=seconds
            )
        )

    async def recording_not_stored(
        self, *, order_number: str, recording_name: str, error: str
    ) -> None:
        """On the order's record, why its recording has no copy of ours."""
        await self._transaction(
            lambda session: repository.audit(
                session,
                actor="ivr",
                entity="work_order",
                entity_id=order_number,
                action="recording_not_stored",
                detail={"recording": recording_name, "error": error, "kept_in": "asterisk_spool"},
            )
        )

    async def attach_speech(self, **fields: Any) -> None:
        await self._transaction(lambda session: repository.attach_speech(session, **fields))

    async def unfinished(self) -> list[CallSession]:
        async with self._sessions() as session:
            return await repository.unfinished_calls(session)


# SQLSTATEs that say the server, not the statement, is the trouble: class 08 (the connection
# failed or was lost), 57P01-57P03 (shutting down, crashed, starting: a restart) and 53300 (no
# connection slot free). asyncpg's errors reach SQLAlchemy as its generic `Error`, so the class
# name alone missed a restart's "the database system is shutting down" and lost the call.
TRANSIENT_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")


def _transient(exc: BaseException) -> bool:
    """A lost or refused connection, not a bad statement."""
    if isinstance(exc, OSError):
        return True
    assert isinstance(exc, DBAPIError)
    state = str(getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None) or "")
    return (exc.connection_invalidated
            or type(exc).__name__ in {"OperationalError", "InterfaceError"}
            or state.startswith(TRANSIENT_SQLSTATES))
