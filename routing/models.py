"""Tables: work orders, the call sessions that made them, and the audit trail.

Times are aware and stored in UTC; enumerations are stored as their JSON values with a
CHECK constraint, so a bad value fails in the database too, not only in Python.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, Enum, ForeignKey, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from routing.acd import AgentState
from routing.enums import CallOutcome, OrderType, Utility

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _enum(kind: type[StrEnum], name: str) -> Enum:
    return Enum(
        kind,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
    }


class OrderStatus(StrEnum):
    CREATED = "created"


class CallSession(Base):
    __tablename__ = "call_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(64), unique=True)
    caller_number: Mapped[str | None] = mapped_column(String(32))
    caller_name: Mapped[str | None] = mapped_column(String(80))
    started_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    outcome: Mapped[CallOutcome] = mapped_column(
        _enum(CallOutcome, "call_outcome"), default=CallOutcome.IN_PROGRESS, index=True
    )
    path: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The IVR engine's last state, so a restarted process can take the call back.
    flow_state: Mapped[dict[str, Any] | None]
    # Latencies measured on this call (answer, key -> next prompt), for the benchmarks.
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    order: Mapped[WorkOrder | None] = relationship(back_populates="call_session")


class WorkOrder(Base):
    __tablename__ = "work_orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    # None: the caller went to an agent before choosing; an agent classifies it.
    utility: Mapped[Utility | None] = mapped_column(_enum(Utility, "utility"))
    order_type: Mapped[OrderType] = mapped_column(_enum(OrderType, "order_type"))
    status: Mapped[OrderStatus] = mapped_column(
        _enum(OrderStatus, "order_status"), default=OrderStatus.CREATED
    )
    needs_agent: Mapped[bool] = mapped_column(default=False)
    caller_number: Mapped[str | None] = mapped_column(String(32))
    ivr_path: Mapped[list[str]] = mapped_column(JSON, default=list)
    recording_name: Mapped[str | None] = mapped_column(String(128))
    recording_path: Mapped[str | None] = mapped_column(String(512))
    recording_bytes: Mapped[int | None]
    recording_seconds: Mapped[float | None]
    # One call leaves at most one order: the constraint makes a retried create harmless.
    call_session_id: Mapped[int | None] = mapped_column(ForeignKey("call_sessions.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(index=True)

    call_session: Mapped[CallSession | None] = relationship(back_populates="order")


class OrderCounter(Base):
    """The last order number handed out on each day (Asia/Shanghai)."""

    __tablename__ = "order_counters"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AgentRow(Base):
    """An agent (话务员) at a softphone: who they are, what they take, where they stand."""

    __tablename__ = "agents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    endpoint: Mapped[str] = mapped_column(String(128))
    skills: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[AgentState] = mapped_column(
        _enum(AgentState, "agent_state"), default=AgentState.LOGGED_OUT
    )
    state_since: Mapped[datetime]
    pause_reason: Mapped[str | None] = mapped_column(String(32))
