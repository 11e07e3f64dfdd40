"""Tables of who may come in from outside (0010): Open311 clients and their keys, what an
Open311 request carried beside its order, and login attempts.

Personal information stays inside (L 3.1.4): an Open311 request's name, e-mail and exact
place are kept here and never published; only a key's SHA-256 is stored, as with sessions.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from routing.store.model_base import Base


class Open311Client(Base):
    """An organisation allowed to post requests; its key is shown once, kept as a hash."""

    __tablename__ = "open311_clients"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Open311Request(Base):
    """What came with an order posted through Open311. `published`: the citizen's request
    may be read back by anyone (coarsened); an order without a row here is never shown."""

    __tablename__ = "open311_requests"

    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), primary_key=True)
    client_id: Mapped[str | None] = mapped_column(String(64))
    published: Mapped[bool] = mapped_column(default=True, server_default=false())
    lat: Mapped[float | None] = mapped_column(Float)
    long: Mapped[float | None] = mapped_column(Float)
    address_id: Mapped[str | None] = mapped_column(String(64))
    first_name: Mapped[str | None] = mapped_column(String(64))
    last_name: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(128))


class LoginAttempt(Base):
    """One password check: counted per user and per address to throttle guessing."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_user_at", "user_id", "at"),
        Index("ix_login_attempts_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64))  # as typed: unknown ids count too
    ip: Mapped[str] = mapped_column(String(45))
    at: Mapped[datetime]
    ok: Mapped[bool]
