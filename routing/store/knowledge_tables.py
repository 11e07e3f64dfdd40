"""Tables of the knowledge base (issue 17): the answers, every version of them, and which
answer closed which consultation.

An entry is never deleted: retiring it keeps its history and the consultations it answered
readable. Every change, including the seed and an agency's proposal, is a revision row.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from routing.enums import Utility
from routing.store.model_base import Base, enum_column


class KnowledgeEntry(Base):
    """One answer as it stands now."""

    __tablename__ = "knowledge_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    utility: Mapped[Utility | None] = mapped_column(enum_column(Utility, "knowledge_utility"))
    title: Mapped[str] = mapped_column(String(120))
    answer: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    clauses: Mapped[list[str]] = mapped_column(JSON, default=list)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    owner: Mapped[str] = mapped_column(String(64))
    review_on: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(64))


class KnowledgeRevision(Base):
    """A version of an entry: applied (seed, edit) or proposed by an agency and decided."""

    __tablename__ = "knowledge_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("knowledge_entries.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # seed | create | edit | proposal
    state: Mapped[str] = mapped_column(String(16))  # applied | proposed | refused
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(String(500))
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]


class KnowledgeUse(Base):
    """A consultation answered on the spot (L 3.2.3(1)) and the answer it was given: by an
    agent (the closed consultation order) or by the IVR (the call; no order is made)."""

    __tablename__ = "knowledge_uses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("knowledge_entries.id"), index=True)
    entry_version: Mapped[int] = mapped_column(Integer)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"), unique=True)
    call_session_id: Mapped[int | None] = mapped_column(ForeignKey("call_sessions.id"),
                                                        index=True)
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
