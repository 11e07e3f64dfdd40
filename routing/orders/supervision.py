"""Repeat calls (L 3.2.1(1)) and the supervision section's queue (督办, L 3.1.1).

L 3.2.1(1) counts as a complaint "责任单位对抢险抢修和设施维护类工单未按有关行业服务承诺标准
完成，市民再次来电…的工单": when a citizen calls again about an emergency-repair or maintenance
order that missed its committed standard, the call becomes a complaint linked to the original.
Any other repeat call is a note on the original order. `convert_repeat_call` decides which and
returns it as a command for the adapter; it creates nothing itself.

The referral to the supervision section happens in `routing.orders.lifecycle` when a citizen is not
satisfied (the rule is `lifecycle.supervision_reason`); `supervision_queue` lists the result.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from routing.enums import OrderType, Utility
from routing.orders.lifecycle import Order, State
from routing.orders.policy import Deadlines

# L 3.2.1(1) names these two types only; a repeat call about a complaint stays a note.
CONVERTIBLE = frozenset({OrderType.EMERGENCY_REPAIR, OrderType.MAINTENANCE})
REPEAT_CLAUSE = "L 3.2.1(1)"


class RepeatAction(StrEnum):
    COMPLAINT = "complaint"  # a new complaint order, linked to the original
    NOTE = "note"  # a note on the original order, nothing new to dispatch


@dataclass(frozen=True)
class CreateComplaint:
    """The complaint order to create; its deadlines come from compute_deadlines at `created_at`."""

    utility: Utility | None
    agency: str | None  # the same responsible unit: the complaint is about its handling
    linked_order_id: str
    created_at: datetime
    reason: str
    order_type: OrderType = OrderType.COMPLAINT
    clause: str = REPEAT_CLAUSE


@dataclass(frozen=True)
class RepeatCall:
    """What a repeat call about `original_id` leads to, and why."""

    action: RepeatAction
    original_id: str
    at: datetime
    reason: str
    committed_due: datetime | None
    complaint: CreateComplaint | None = None


def committed_due(original: Order, deadlines: Deadlines) -> datetime | None:
    """The standard the unit committed to: the resolve deadline (as moved by approved
    extensions, which count as within the limit, L 3.1.5(3)); where the industry commits only
    to an on-site time (a gas leak: 30 min, G 3.1.4.4), that time."""
    if original.resolve_due is not None:
        return original.resolve_due
    return deadlines.resolve_due if deadlines.resolve_due is not None else deadlines.onsite_due


def convert_repeat_call(*, original: Order, now: datetime, deadlines: Deadlines) -> RepeatCall:
    """A complaint linked to `original` if it missed its committed standard, else a note."""
    due = committed_due(original, deadlines)
    # Handled means the unit's handling stands: reported and not since reopened, or completed.
    handled = original.handled_at is not None or original.completed_at is not None
    if original.order_type not in CONVERTIBLE:
        reason = f"a repeat call about a {original.order_type} order is noted on it"
    elif due is None:
        reason = "the order has no committed time, so none was missed"
    elif handled:
        reason = "the unit has reported the order handled"
    elif now <= due:
        reason = f"the committed time {due.isoformat()} has not passed yet"
    else:
        complaint = CreateComplaint(
            utility=original.utility, agency=original.agency,
            linked_order_id=original.order_id, created_at=now,
            reason=f"not completed by the committed time {due.isoformat()}; called again",
        )
        return RepeatCall(
            RepeatAction.COMPLAINT, original.order_id, now, complaint.reason, due, complaint
        )
    return RepeatCall(RepeatAction.NOTE, original.order_id, now, reason, due)


def supervision_queue(orders: Iterable[Order]) -> list[Order]:
    """The open orders referred to the supervision section, oldest first."""
    queued = (o for o in orders if o.supervision and o.state is not State.CLOSED)
    return sorted(queued, key=lambda o: o.created_at)
