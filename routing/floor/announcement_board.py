"""The announcement board: the outages not yet over, kept in memory for calls.

Calls never query the database for announcements: the board keeps the active ones in memory,
refreshed every few seconds (and at once after a change made through the console's API); the
same refresh attaches new orders about an announced outage to its parent incident. Calls read
it at their start and link the order they leave to the incident the caller heard about.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from routing.enums import Utility
from routing.floor import announcements as rules
from routing.floor.announcements import Notice, Outage
from routing.store.models import CallSession, WorkOrder
from routing.store.peaks_tables import Announcement, IncidentLink

log = logging.getLogger(__name__)


def now() -> datetime:
    return datetime.now(UTC)


# Calls read the cached board; a few seconds' lag only matters for changes made by another
# process (this one refreshes at once after its own API writes).
BOARD_REFRESH_S = 3.0


def outage_of(row: Announcement) -> Outage:
    return Outage(id=row.id, incident_id=row.incident_id, utility=row.utility, kind=row.kind,
                  districts=tuple(row.districts), starts_at=row.starts_at, ends_at=row.ends_at,
                  recovery_at=row.recovery_at, closed_at=row.closed_at)


class AnnouncementBoard:
    """The announcements not yet over, in memory; what calls read at their start."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], refresh_s: float) -> None:
        self.sessions = sessions
        self.refresh_s = refresh_s
        self.outages: list[Outage] = []

    async def refresh(self) -> None:
        at = now()
        async with self.sessions.begin() as session:
            rows = await session.scalars(select(Announcement).where(
                Announcement.closed_at.is_(None), Announcement.ends_at > at))
            self.outages = [outage_of(row) for row in rows]
            await self._link_new_orders(session, at)

    async def run(self) -> None:
        while True:
            with contextlib.suppress(Exception):
                await self.refresh()
            await asyncio.sleep(self.refresh_s)

    def notices(self, at: datetime) -> tuple[Notice, ...]:
        return rules.notices(self.outages, at)

    async def link_call_order(self, *, order_number: str, channel_id: str,
                              utility: Utility | None, at: datetime) -> str | None:
        """Attach the order a call left to the incident the caller heard about."""
        outage = rules.incident_for(self.outages, utility, None, at)
        if outage is None:
            return None
        try:
            return await self._link_order(outage, order_number, channel_id, at)
        except SQLAlchemyError as exc:  # the refresh links it later; the call goes on
            log.warning("order %s: not linked to %s: %s", order_number, outage.incident_id, exc)
            return None

    async def _link_order(self, outage: Outage, order_number: str, channel_id: str,
                          at: datetime) -> str | None:
        async with self.sessions.begin() as session:
            order = await session.scalar(select(WorkOrder).where(
                WorkOrder.number == order_number))
            call = await session.scalar(select(CallSession.id).where(
                CallSession.channel_id == channel_id))
            if order is None:
                return None
            return await _link(session, outage, order, call, at)

    async def _link_new_orders(self, session: AsyncSession, at: datetime) -> None:
        active = rules.active(self.outages, at)
        if not active:
            return
        # Only orders some outage covers: each one read is linked, none is read twice.
        orders = await session.scalars(
            select(WorkOrder).outerjoin(IncidentLink, IncidentLink.order_id == WorkOrder.id)
            .where(IncidentLink.id.is_(None), or_(*map(_covered, active))).limit(200))
        for order in orders:
            outage = rules.incident_for(
                [o for o in active if o.starts_at <= order.created_at], order.utility,
                order.district, at)
            if outage is not None:
                await _link(session, outage, order, order.call_session_id, at)


def _covered(outage: Outage) -> ColumnElement[bool]:
    """SQL for rules.Outage.covers, for orders made since the outage began."""
    where = and_(WorkOrder.utility == outage.utility, WorkOrder.created_at >= outage.starts_at)
    if outage.districts:
        where = and_(where, or_(WorkOrder.district.is_(None),
                                WorkOrder.district.in_(outage.districts)))
    return where


async def _link(session: AsyncSession, outage: Outage, order: WorkOrder, call: int | None,
                at: datetime) -> str | None:
    try:
        async with session.begin_nested():
            session.add(IncidentLink(announcement_id=outage.id, incident_id=outage.incident_id,
                                     order_id=order.id, call_session_id=call, linked_at=at))
    except IntegrityError:  # linked already (by the call or by an earlier refresh)
        return None
    return outage.incident_id
