"""Tables of the order engine beside `work_orders`: extensions, the pending chain, dispatch
pushes, sweeper notifications, users and their sessions.

The order's full lifecycle record lives on the order row (`work_orders.lifecycle`); the
extension and pending-step rows are its queryable projection, written in the same
transaction. Unique keys carry the idempotency: one push per idempotency key, one
notification per (order, kind, due time) whatever the number of sweepers.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from routing.orders.transitions import Role
from routing.store.model_base import Base, enum_column


class PushStatus(StrEnum):
    QUEUED = "queued"  # created with the dispatch; not tried yet
    DELIVERED = "delivered"
    RETRY = "retry"  # waiting for next_attempt_at
    FAILED = "failed"  # permanent refusal or schedule exhausted: a person must look
    NO_WEBHOOK = "no_webhook"  # the agency has no webhook: portal and duty call only


class OrderExtension(Base):
    """One extension request (L 3.1.5(5)a) and its decision; seq is 1 or 2."""

    __tablename__ = "order_extensions"
    __table_args__ = (UniqueConstraint("order_id", "seq", name="uq_order_extensions_order_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"))
    seq: Mapped[int]
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text)
    previous_due: Mapped[datetime]
    new_due: Mapped[datetime]
    verdict: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    comment: Mapped[str | None] = mapped_column(Text)


class PendingStep(Base):
    """One recorded step of a pending request (L 3.1.5(4)b): the request itself or a decision."""

    __tablename__ = "pending_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    step: Mapped[str] = mapped_column(String(32))  # "request" or a ChainStep value
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[Role] = mapped_column(enum_column(Role, "pending_step_role"))
    approve: Mapped[bool]
    at: Mapped[datetime]
    comment: Mapped[str | None] = mapped_column(Text)


class DispatchAttempt(Base):
    """The signed webhook push of one dispatch, with its retry state."""

    __tablename__ = "dispatch_attempts"
    __table_args__ = (Index("ix_dispatch_attempts_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    agency_id: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str] = mapped_column(String(96), unique=True)
    urgent: Mapped[bool]
    status: Mapped[PushStatus] = mapped_column(enum_column(PushStatus, "push_status"))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]


class Notification(Base):
    """A notice or escalation the sweeper raised; unique per (order, kind, due_at)."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("order_id", "kind", "due_at", name="uq_notifications_order_kind_due"),
        Index("ix_notifications_kind_consumed", "kind", "consumed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"))
    kind: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime]
    created_at: Mapped[datetime]
    agency_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Set by whoever carried the notice out (e.g. the ARI duty call); None = still to do.
    consumed_at: Mapped[datetime | None]
    result: Mapped[str | None] = mapped_column(String(64))


class User(Base):
    """A console or agency-portal user; the password is kept only as a salted scrypt hash."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[Role] = mapped_column(enum_column(Role, "user_role"))
    agency_id: Mapped[str | None] = mapped_column(String(64))
    password_salt: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]
    # 0010: a disabled user cannot log in; a locked one (too many wrong passwords) neither,
    # until a supervisor unlocks it; the password's age counts from password_changed_at.
    disabled_at: Mapped[datetime | None]
    locked_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]


class UserSession(Base):
    """A login: only the SHA-256 of the cookie's token is stored."""

    __tablename__ = "user_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    last_seen_at: Mapped[datetime | None]  # 0010: an idle session ends (access_policy.yaml)
