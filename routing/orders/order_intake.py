"""What a new order is, whoever asks for it: a call through the IVR, an agent through the API,
the web through Open311, or a message left while the app was down.

Every source describes its order as a `NewOrder`; `new_row` turns it into the row with its
deadlines, and `routing.orders.repository.insert_order` is the one place that writes it. The
emergency flag is decided here once (`is_emergency`), so a keys-only emergency-repair call
is as much an emergency as one an agent types in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from routing.enums import OrderType, Utility
from routing.orders.order_store import fill_deadlines
from routing.orders.policy import GENERAL
from routing.store.models import WorkOrder


class Source(StrEnum):
    CALL = "call"  # the IVR, at the end of the caller's choices
    AGENT = "agent"  # the order desk (POST /api/orders)
    OPEN311 = "open311"  # the web (L 3.2.2: web submissions)
    MESSAGE = "message"  # a message left in the dialplan's fallback while the app was down


@dataclass(frozen=True)
class NewOrder:
    """An order to create; `emergency` is what the source flagged (words, an agent's tick)."""

    source: Source
    utility: Utility | None
    order_type: OrderType
    caller_number: str | None
    description: str | None = None
    district: str | None = None  # a directory slug
    address: str | None = None
    emergency: bool = False
    needs_agent: bool = False
    ivr_path: tuple[str, ...] = ()
    recording_name: str | None = None
    call_session_id: int | None = None
    parent_order_id: int | None = None
    case: str = GENERAL  # the SLA table's row keys (routing/orders/sla_policy.yaml)
    complex: bool = False


def is_emergency(order_type: OrderType, flagged: bool) -> bool:
    """An emergency-repair order (抢险抢修, L 3.2.1: danger to public safety, dispatched at
    once, L 3.2.4(2)) is an emergency by its type; any other is one when flagged."""
    return flagged or order_type is OrderType.EMERGENCY_REPAIR


def new_row(new: NewOrder, *, number: str, now: datetime) -> WorkOrder:
    """The row of a new order in state `created`, its deadlines counted from `now`."""
    row = WorkOrder(
        number=number, utility=new.utility, order_type=new.order_type,
        needs_agent=new.needs_agent, caller_number=new.caller_number,
        ivr_path=list(new.ivr_path), recording_name=new.recording_name,
        call_session_id=new.call_session_id, created_at=now, district=new.district,
        address=new.address, description=new.description,
        emergency=is_emergency(new.order_type, new.emergency),
        parent_order_id=new.parent_order_id, case=new.case, complex=new.complex,
    )
    fill_deadlines(row)
    return row
