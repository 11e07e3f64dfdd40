"""Who read which order (L 3.1.4: role-based access, logs checked): the pure decision of
what one read leaves in the audit trail. The HTTP adapter (console/audit_http.py) writes it.

Changes are already audited where they happen (routing/orders/order_service.py); a read leaves one
row per order disclosed, so "who saw order N" is one indexed lookup on `entity_id`, the same
lookup that finds who changed it. All rows of one request go in one bulk insert.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

ENTITY = "work_order"
ANONYMOUS = "anonymous"  # sandbox only: outside it every personal read needs a login
# The largest page an order or call list serves (console/http.py `_limit`): a list read up
# to it is audited in full; beyond it the rows say how many more were shown.
MAX_AUDITED = 500


class Read(StrEnum):
    """How an order was disclosed; the audit row's action."""

    ORDER = "read_order"  # GET /api/orders/{number}
    ORDER_LIST = "list_orders"  # GET /api/orders, the supervision queue
    CALL_LIST = "list_calls"  # GET /api/calls: orders inside the calls
    AGENCY_ORDER = "agency_read_order"  # the agency portal, one order
    AGENCY_LIST = "agency_list_orders"  # the agency portal, its list
    RECORDING = "play_recording"  # the caller's recording heard in the order desk
    PHOTO = "view_photo"  # a photo the unit attached as evidence


# What each kind of answer shows of the caller's personal information (L 3.1.4): the
# center's order JSON carries the full number and the recording; the agency's only a mask.
CENTER_FIELDS = ("caller_number", "address", "recording", "transcript")
AGENCY_FIELDS = ("caller_number_masked", "address", "transcript")


@dataclass(frozen=True)
class Disclosure:
    """What a handler answered with: which orders, how, and which personal fields."""

    read: Read
    numbers: tuple[str, ...]
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Reader:
    """Who asked: the logged-in user (None in the open sandbox) and from where."""

    user_id: str | None
    role: str | None
    ip: str | None


@dataclass(frozen=True)
class AuditRecord:
    """One row of `audit_events`, as plain values."""

    at: datetime
    actor: str
    role: str | None
    ip: str | None
    entity: str
    entity_id: str
    action: str
    detail: dict[str, Any] = field(default_factory=dict)


def disclosure(read: Read, numbers: Iterable[str | None], fields: tuple[str, ...]
               ) -> Disclosure:
    """A handler's answer as a disclosure (calls without an order give None: skipped)."""
    return Disclosure(read, tuple(n for n in numbers if n), fields)


def reads_to_audit(shown: Disclosure, reader: Reader, *, at: datetime) -> list[AuditRecord]:
    """The rows one successful read leaves: one per distinct order shown, at most
    MAX_AUDITED; an empty answer disclosed nothing and leaves nothing."""
    distinct = list(dict.fromkeys(shown.numbers))
    detail: dict[str, Any] = {"fields": list(shown.fields), "listed": len(distinct)}
    if len(distinct) > MAX_AUDITED:
        detail["not_recorded"] = len(distinct) - MAX_AUDITED
    return [
        AuditRecord(
            at=at,
            actor=reader.user_id or ANONYMOUS,
            role=reader.role,
            ip=reader.ip,
            entity=ENTITY,
            entity_id=number,
            action=shown.read.value,
            detail=detail,
        )
        for number in distinct[:MAX_AUDITED]
    ]


def is_read(action: str) -> bool:
    """Whether an audit row records a read (else a change made to the order)."""
    return action in {r.value for r in Read}
