"""Tables of the peaks work (issue 5): outage announcements and the calls/orders linked to
their parent incident, standby staff lent by agencies, and shift handover records.

An announcement is never deleted: closing it sets `closed_at`, so the incident's history and
its linked orders stay readable after the outage.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from routing.enums import Utility
from routing.floor.announcements import OutageKind
from routing.store.model_base import Base, enum_column


class Announcement(Base):
    """A planned or known outage callers hear about before the main menu."""

    __tablename__ = "announcements"
    __table_args__ = (Index("ix_announcements_window", "starts_at", "ends_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[str] = mapped_column(String(32), unique=True)
    utility: Mapped[Utility] = mapped_column(enum_column(Utility, "announcement_utility"))
    kind: Mapped[OutageKind] = mapped_column(enum_column(OutageKind, "outage_kind"))
    districts: Mapped[list[str]] = mapped_column(JSON, default=list)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    recovery_at: Mapped[datetime | None]
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(64))


class IncidentLink(Base):
    """A call, and the order it left, attached to an announcement's parent incident."""

    __tablename__ = "incident_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id"), index=True)
    incident_id: Mapped[str] = mapped_column(String(32), index=True)
    # One order belongs to at most one incident: a retried link is harmless.
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), unique=True)
    call_session_id: Mapped[int | None] = mapped_column(ForeignKey("call_sessions.id"))
    linked_at: Mapped[datetime]


class StandbyStaff(Base):
    """One of the 1-3 people an agency lends to the hotline's seats in a surge (L 3.1.2(5))."""

    __tablename__ = "standby_staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    # Set when called in: the limited login created for them.
    user_id: Mapped[str | None] = mapped_column(String(32))
    called_in_at: Mapped[datetime | None]


class Handover(Base):
    """A shift handover record (L 3.1.2(2)), signed by both supervisors."""

    __tablename__ = "handovers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
    outgoing: Mapped[str] = mapped_column(String(64))
    incoming: Mapped[str | None] = mapped_column(String(64))
    items: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    signed_out_at: Mapped[datetime]
    signed_in_at: Mapped[datetime | None]
