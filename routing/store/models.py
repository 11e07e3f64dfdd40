"""Tables: work orders, the call sessions that made them, and the audit trail.

Times are aware and stored in UTC; enumerations are stored as their JSON values with a
CHECK constraint, so a bad value fails in the database too, not only in Python.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from routing.agents.acd import AgentState
from routing.enums import CallOutcome, OrderType, Utility
from routing.followup.survey import Satisfaction
from routing.orders.transitions import State
from routing.store import access_tables as access_tables  # Open311 clients, login attempts
from routing.store import knowledge_tables as knowledge_tables  # the knowledge base (issue 17)
from routing.store import order_tables as order_tables  # registers the engine's tables on Base
from routing.store import peaks_tables as peaks_tables  # announcements, standby, handovers
from routing.store import survey_tables as survey_tables  # callback surveys (回访)
from routing.store.model_base import NAMING as NAMING
from routing.store.model_base import Base as Base
from routing.store.model_base import enum_column as _enum

# The order's status is its lifecycle state (routing.orders.transitions.State); the old name stays.
OrderStatus = State


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


# The states the sweeper chases (routing/dispatch/sweeper.py): receipt while dispatched; resolution
# until the unit reports.
RECEIPT_CHASE = "status = 'dispatched'"
RESOLVE_CHASE = "status IN ('dispatched', 'received', 'not_handled')"
# The automatic dispatcher (routing/dispatch/auto_dispatch.py) reads only orders not dispatched yet.
DISPATCH_WATCH = "status = 'created'"
# On site (issue 16): a crew is owed on site until the unit reports its arrival.
ONSITE_CHASE = "arrived_at IS NULL AND status IN ('dispatched', 'received')"


class WorkOrder(Base):
    __tablename__ = "work_orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    # None: the caller went to an agent before choosing; an agent classifies it.
    utility: Mapped[Utility | None] = mapped_column(_enum(Utility, "utility"))
    order_type: Mapped[OrderType] = mapped_column(_enum(OrderType, "order_type"))
    status: Mapped[State] = mapped_column(_enum(State, "order_status"), default=State.CREATED)
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

    # --- the order engine (0003) ---
    # Optimistic locking: every lifecycle write is UPDATE ... WHERE version = the one read.
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    agency_id: Mapped[str | None] = mapped_column(String(64), index=True)
    district: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(256))
    description: Mapped[str | None] = mapped_column(Text)
    emergency: Mapped[bool] = mapped_column(default=False, server_default=false())
    dispatch_due: Mapped[datetime | None]
    receipt_due: Mapped[datetime | None]
    onsite_due: Mapped[datetime | None]
    resolve_due: Mapped[datetime | None]
    deadline_clauses: Mapped[list[str] | None] = mapped_column(JSON)
    # The SLA table's row keys the deadlines follow (routing/orders/sla_policy.yaml, 0007).
    case: Mapped[str] = mapped_column(String(32), default="general", server_default="general")
    complex: Mapped[bool] = mapped_column(default=False, server_default=false())
    arrived_at: Mapped[datetime | None]  # the unit's crew reported on site
    dispatched_at: Mapped[datetime | None]
    # The dispatch policy rule that dispatched it by itself (0008); None: a person did.
    auto_dispatch_rule: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime | None]
    handled_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    extension_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    pending_approved: Mapped[bool] = mapped_column(default=False, server_default=false())
    supervision: Mapped[bool] = mapped_column(default=False, server_default=false())
    parent_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"))
    # The whole lifecycle record (routing.orders.lifecycle.as_json); None until the first event.
    lifecycle: Mapped[dict[str, Any] | None]
    # Speech results, filled by the recordings engineer's analysis.
    transcript: Mapped[str | None] = mapped_column(Text)
    speech: Mapped[dict[str, Any] | None]
    keys_words_disagree: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # The callback survey (回访, 0009): the citizen's word at the last survey, and whether
    # they said no to being called back (then nobody rings them).
    satisfaction: Mapped[Satisfaction | None] = mapped_column(
        _enum(Satisfaction, "order_satisfaction")
    )
    callback_declined: Mapped[bool] = mapped_column(default=False, server_default=false())

    call_session: Mapped[CallSession | None] = relationship(back_populates="order")

    # The sweeper reads only late orders of a state, through these (never a full scan); the
    # partial indexes hold exactly the orders it may chase, already in its reading order.
    __table_args__ = (
        Index("ix_work_orders_status_receipt_due", "status", "receipt_due"),
        Index("ix_work_orders_status_resolve_due", "status", "resolve_due"),
        Index("ix_work_orders_caller_number", "caller_number"),
        Index("ix_work_orders_receipt_chase", "receipt_due", "id",
              postgresql_where=text(RECEIPT_CHASE), sqlite_where=text(RECEIPT_CHASE)),
        Index("ix_work_orders_resolve_chase", "resolve_due", "id",
              postgresql_where=text(RESOLVE_CHASE), sqlite_where=text(RESOLVE_CHASE)),
        Index("ix_work_orders_dispatch_watch", "dispatch_due", "id",
              postgresql_where=text(DISPATCH_WATCH), sqlite_where=text(DISPATCH_WATCH)),
        Index("ix_work_orders_onsite_chase", "onsite_due", "id",
              postgresql_where=text(ONSITE_CHASE), sqlite_where=text(ONSITE_CHASE)),
    )


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
    # Who read an order (0005, routing/admin/audit.py): the reader's role and address.
    role: Mapped[str | None] = mapped_column(String(32))
    ip: Mapped[str | None] = mapped_column(String(45))  # an IPv6 address in text at most


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
