"""What the classification and arrival events do to an order (pure; `routing.orders.lifecycle`
dispatches to them like to its own effects).

The SLA table's row keys, `case` and `complex`, decide an order's limits (L 3.2.5(2)); these
effects only change the keys. The adapter that persists the order recomputes the deadlines
from the table whenever the type or the keys changed (`routing.orders.order_store.write_back`), so
no path can change a case and keep the old limits.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from routing.enums import OrderType
from routing.orders.transitions import InvalidCommand, OrderError

if TYPE_CHECKING:  # lifecycle imports this module: the types only
    from routing.orders.lifecycle import Command, Order

GENERAL = "general"  # routing.orders.policy.GENERAL (kept free of the policy's imports)


class AlreadyArrived(OrderError):
    error_id = "already-arrived"


def _flag(value: bool) -> str:
    return "true" if value else "false"


def reclassify(order: Order, cmd: Command) -> tuple[Order, dict[str, str]]:
    """L 3.2.1(1): a complaint found not to be the unit's fault becomes another type; its
    limits become the new type's row (the general one unless a case is named)."""
    if cmd.order_type is None:
        raise InvalidCommand(f"{cmd.event} needs the new order type")
    if not cmd.reason:
        raise InvalidCommand(f"{cmd.event} needs why it is not the unit's fault")
    if cmd.order_type is OrderType.COMPLAINT:
        raise InvalidCommand("a complaint is reclassified to another type")
    case, complex_ = cmd.case or GENERAL, bool(cmd.complex)
    changed = replace(order, order_type=cmd.order_type, case=case, complex=complex_)
    return changed, {"from": order.order_type, "to": cmd.order_type, "case": case,
                     "complex": _flag(complex_)}


def classify(order: Order, cmd: Command) -> tuple[Order, dict[str, str]]:
    """L 3.2.5(2): set the case and/or the complexity the limits follow."""
    if cmd.case is None and cmd.complex is None:
        raise InvalidCommand(f"{cmd.event} needs a case or complex")
    case = order.case if cmd.case is None else cmd.case
    complex_ = order.complex if cmd.complex is None else cmd.complex
    detail = {"from_case": order.case, "case": case, "from_complex": _flag(order.complex),
              "complex": _flag(complex_)}
    if cmd.reason:
        detail["reason"] = cmd.reason
    return replace(order, case=case, complex=complex_), detail


def arrive(order: Order, cmd: Command) -> tuple[Order, dict[str, str]]:
    """The unit's crew is on site: the moment the on-site limit is held to (the first one)."""
    if order.arrived_at is not None:
        raise AlreadyArrived(f"arrival was reported at {order.arrived_at.isoformat()} already")
    late = order.onsite_due is not None and cmd.at > order.onsite_due
    return replace(order, arrived_at=cmd.at), {"on_time": _flag(not late)}
