"""What the order desk shows and offers, as pure rules (no I/O): the lists it counts, which
deadline an order is working against in its state, and which actions a role may take on it.

The actions come from the declared transition table (`routing.orders.transitions.TABLE`), so a
button is shown exactly when the server would accept the event; the server still checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum

from routing.enums import OrderType
from routing.orders.transitions import TABLE, Event, Role, State

# "将超时": an order is shown as due soon this long before its current deadline. A display
# setting of the center, not a limit of the standards (those are in routing/orders/sla_policy.yaml).
DUE_SOON = timedelta(hours=2)


class View(StrEnum):
    """The order desk's lists (issue 12)."""

    REVIEW = "review"  # 待审核: IVR orders (a recording) not yet dispatched
    DISPATCH = "dispatch"  # 待派单
    RECEIPT = "receipt"  # 待签收
    IN_PROGRESS = "in_progress"  # 处理中
    CALLBACK = "callback"  # 待回访
    LATE = "late"  # 已超时 / 将超时
    ALL = "all"


# The states each list holds (REVIEW and DISPATCH split `created` by where the order came from).
VIEW_STATES: Mapping[View, frozenset[State]] = {
    View.REVIEW: frozenset({State.CREATED}),
    View.DISPATCH: frozenset({State.CREATED}),
    View.RECEIPT: frozenset({State.DISPATCHED}),
    View.IN_PROGRESS: frozenset({State.RECEIVED, State.PENDING}),
    View.CALLBACK: frozenset({State.HANDLED, State.NOT_HANDLED, State.CALLBACK}),
}

# The deadline an order works against in each state (L 3.2.4 dispatch and receipt, then the
# resolution limit of its SLA row); states not listed have none running.
CURRENT_DEADLINE: Mapping[State, str] = {
    State.CREATED: "dispatch_due",
    State.DISPATCHED: "receipt_due",
    State.RECEIVED: "resolve_due",
    State.PENDING: "resolve_due",
}


class Urgency(StrEnum):
    NONE = "none"
    OK = "ok"
    SOON = "soon"  # 将超时
    LATE = "late"  # 已超时


def urgency(due: datetime | None, now: datetime) -> Urgency:
    if due is None:
        return Urgency.NONE
    if due <= now:
        return Urgency.LATE
    return Urgency.SOON if due - now <= DUE_SOON else Urgency.OK


# The events the desk offers as buttons; decisions on extensions and pending requests are
# the supervision screen's, the unit's own events the agency portal's.
DESK_EVENTS: tuple[Event, ...] = (
    Event.DISPATCH,
    Event.ANSWER,
    Event.START_CALLBACK,
    Event.CLOSE,
    Event.REOPEN,
    Event.RECLASSIFY,
    Event.CLASSIFY,  # the SLA row's case and complexity (L 3.2.5(2)): the deadlines follow
)
AGENCY_EVENTS: tuple[Event, ...] = (
    Event.RECEIVE,
    Event.RETURN,
    Event.REPORT_HANDLED,
    Event.REPORT_NOT_HANDLED,
    Event.REQUEST_EXTENSION,
    Event.REQUEST_PENDING,
)


def allowed_events(
    *, state: State, role: Role, order_type: OrderType, offered: tuple[Event, ...]
) -> list[Event]:
    """The offered events this role may send to an order in this state, as the table says."""
    allowed = []
    for event in offered:
        row = TABLE.get((state, event))
        if row is not None and role in row.roles and order_type in row.types:
            allowed.append(event)
    return allowed


# Who may correct an order's classification and place before it is dispatched (L 3.2.2(6):
# the agent who took it and the business section that checks orders).
CORRECTORS = frozenset({Role.CENTER_STAFF, Role.BUSINESS_SECTION})
FIELDS = ("utility", "order_type", "district", "address", "emergency")


class CorrectionRefused(Exception):
    def __init__(self, error_id: str, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.error_id, self.status = error_id, status


def correction_route(*, state: State, role: Role, changed: set[str]) -> str:
    """How a correction is carried out: "edit" (before dispatch: every field, deadlines
    recomputed), "reclassify" (after dispatch: only the type, by the lifecycle's reclassify
    rule, L 3.2.1(1)), or CorrectionRefused."""
    if not changed:
        raise CorrectionRefused("nothing-to-correct", "没有需要更正的内容", 422)
    if state is State.CREATED:
        if role not in CORRECTORS:
            raise CorrectionRefused("role-not-allowed", f"{role} 不能更正工单", 403)
        return "edit"
    if changed == {"order_type"}:
        return "reclassify"  # the transition table checks role, state and type
    raise CorrectionRefused(
        "order-already-dispatched", "工单已派出：只能改类型（投诉改类），其他内容请退回后更正"
    )
