"""What a call needs from the database, one short transaction per step."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ivr.commands import CreateOrder
from routing import repository
from routing.enums import CallOutcome
from routing.models import CallSession


class CallStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def open(
        self,
        *,
        channel_id: str,
        caller_number: str | None,
        caller_name: str | None,
        started_at: datetime,
    ) -> None:
        async with self._sessions.begin() as session:
            await repository.open_call(
                session,
                channel_id=channel_id,
                caller_number=caller_number,
                caller_name=caller_name,
                started_at=started_at,
            )

    async def progress(
        self, *, channel_id: str, flow_state: dict[str, Any], answered_at: datetime | None = None
    ) -> None:
        async with self._sessions.begin() as session:
            await repository.save_call_progress(
                session,
                channel_id=channel_id,
                flow_state=flow_state,
                path=list(flow_state["path"]),
                answered_at=answered_at,
            )

    async def create_order(self, *, channel_id: str, order: CreateOrder, now: datetime) -> str:
        async with self._sessions.begin() as session:
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

    async def order_for_message(
        self, *, recording_name: str, caller_number: str | None, now: datetime
    ) -> str | None:
        async with self._sessions.begin() as session:
            order = await repository.create_order_from_message(
                session, recording_name=recording_name, caller_number=caller_number, now=now
            )
            return order.number if order else None

    async def end(
        self,
        *,
        channel_id: str,
        outcome: CallOutcome,
        path: list[str],
        metrics: dict[str, Any],
        ended_at: datetime,
    ) -> None:
        async with self._sessions.begin() as session:
            await repository.end_call(
                session,
                channel_id=channel_id,
                outcome=outcome,
                path=path,
                metrics=metrics,
                ended_at=ended_at,
            )

    async def attach_recording(
        self, *, order_number: str, path: str, size: int, seconds: float | None
    ) -> None:
        async with self._sessions.begin() as session:
            await repository.attach_recording(
                session, order_number=order_number, path=path, size=size, seconds=seconds
            )

    async def attach_speech(self, **fields: Any) -> None:
        async with self._sessions.begin() as session:
            await repository.attach_speech(session, **fields)

    async def unfinished(self) -> list[CallSession]:
        async with self._sessions() as session:
            return await repository.unfinished_calls(session)
