"""The work-order lifecycle: the order record, and `apply`, which moves it by the table.

`apply` is pure: an order and a command in; the new order and one audit record out, or a
typed `OrderError` (stable `error_id`) and nothing changed. Which event may fire from which
state, for which roles and order types, is declared in `routing.orders.transitions` and validated
when that module is imported (importing this one imports it). What each event *does* to the
order is here, one small function per event; extensions and the pending chain delegate to
`routing.orders.approvals`. Records are plain frozen dataclasses; `as_json` makes any of them
JSON-ready for whoever persists them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from routing.enums import OrderType, Utility
from routing.orders.approvals import (
    STEP_ROLE,
    ChainStep,
    Extension,
    PendingRequest,
    StepDecision,
    Verdict,
    decide_extension,
    decide_step,
    request_extension,
)
from routing.orders.order_case import arrive, classify, reclassify
from routing.orders.transitions import (
    TABLE,
    Event,
    InvalidCommand,
    InvalidDefinition,
    OrderError,
    Role,
    State,
    authorize,
)

__all__ = ["AuditRecord", "Command", "Event", "Order", "OrderError", "Outcome", "Role",
           "State", "apply", "as_json", "supervision_reason"]  # callers need one import
_T = TypeVar("_T")


@dataclass(frozen=True)
class Order:
    """What the lifecycle knows of a work order; times are aware (stored in UTC)."""

    order_id: str
    order_type: OrderType
    utility: Utility | None
    created_at: datetime
    state: State = State.CREATED
    agency: str | None = None  # the responsible unit it is dispatched to
    resolve_due: datetime | None = None  # from compute_deadlines, moved by approved extensions
    dispatched_at: datetime | None = None  # the first dispatch: what the KPIs count as 派单
    handled_at: datetime | None = None  # the current handling's report, if it was handled
    first_handled_at: datetime | None = None  # the first one: a reopen never moves it (KPIs)
    completed_at: datetime | None = None  # set on close: the accepted handling's report time
    closed_at: datetime | None = None
    outcome_reason: str | None = None  # answer, or why it was not handled
    outcome_by: str | None = None  # the unit whose report outcome_reason is; None: an agent's
    failed_handlings: int = 0  # reopened because the citizen was not satisfied
    returns: int = 0  # sent back by a unit as not theirs (推诿)
    supervision: bool = False  # in the supervision section's queue (督办, L 3.1.1)
    extensions: tuple[Extension, ...] = ()
    pending: PendingRequest | None = None  # the latest pending request
    pending_approved: bool = False  # approved as a pending order (待办工单) at some point
    linked_order_id: str | None = None  # the order a repeat-call complaint is about
    # the SLA table's row keys (routing.orders.policy): the limits follow them
    case: str = "general"
    complex: bool = False
    onsite_due: datetime | None = None  # from compute_deadlines
    # the unit's crew reported on site (routing.orders.order_case)
    arrived_at: datetime | None = None


@dataclass(frozen=True)
class Command:
    """An event with the actor who sends it, and the data that event needs."""

    event: Event
    actor: str
    role: Role
    at: datetime
    actor_agency: str | None = None  # the unit an agency user belongs to
    agency: str | None = None  # dispatch: the responsible unit
    reason: str | None = None  # answer, reason, or a decision's comment
    new_due: datetime | None = None  # request_extension
    step: ChainStep | None = None  # pending decisions: the step decided
    document: str | None = None  # request_pending: the stamped written request
    order_type: OrderType | None = None  # reclassify: the new type
    case: str | None = None  # classify, reclassify: the SLA row's case
    complex: bool | None = None  # classify, reclassify


@dataclass(frozen=True)
class AuditRecord:
    """One accepted transition: who, as which role, when, from where to where, and why."""

    order_id: str
    event: Event
    actor: str
    role: Role
    at: datetime
    from_state: State
    to_state: State
    reason: str | None
    clause: str
    detail: Mapping[str, str] = field(default_factory=dict)


def as_json(value: Any) -> Any:
    """JSON-ready data: dataclasses as dicts, tuples as lists, instants as ISO 8601, decimals
    (KPI percentages, already rounded to 0.01) as numbers. pydantic's TypeAdapter(Order)
    reads an order back from it."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: as_json(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [as_json(v) for v in value]
    if isinstance(value, datetime | Decimal):
        return value.isoformat() if isinstance(value, datetime) else float(value)
    return value


@dataclass(frozen=True)
class Outcome:
    """The order after an accepted command, and the audit record of that transition."""

    order: Order
    audit: AuditRecord


def apply(*, order: Order, command: Command) -> Outcome:
    """Carry out one command on an order, or raise an OrderError and change nothing."""
    for moment in (command.at, command.new_due):
        if moment is not None and moment.utcoffset() is None:
            raise InvalidCommand(f"time {moment.isoformat()} has no timezone")
    row = authorize(
        state=order.state, event=command.event, role=command.role, order_type=order.order_type,
        assigned_agency=order.agency, actor_agency=command.actor_agency,
    )
    changed, detail = _EFFECTS[command.event](order, command)
    target = row.target or order.state
    record = AuditRecord(
        order_id=order.order_id, event=command.event, actor=command.actor, role=command.role,
        at=command.at, from_state=order.state, to_state=target, reason=command.reason,
        clause=row.clause, detail=detail,
    )
    return Outcome(replace(changed, state=target), record)


# L 3.1.1 难点问题督办: "责任单位两次未处理或者责任单位推诿扯皮，市民不满意的，由业务科提交督查科".
SUPERVISION_FAILED_HANDLINGS = 2  # left unhandled twice
SUPERVISION_RETURNS = 2  # passed around: sent back as not theirs more than once


def supervision_reason(order: Order) -> str | None:
    """Why an order whose citizen is not satisfied goes to the supervision section, if it does."""
    if order.failed_handlings >= SUPERVISION_FAILED_HANDLINGS:
        return f"L 3.1.1: not handled to the citizen's satisfaction {order.failed_handlings} times"
    if order.returns >= SUPERVISION_RETURNS:
        return f"L 3.1.1: returned by units as not theirs {order.returns} times"
    return None


_Effect = Callable[[Order, Command], tuple[Order, dict[str, str]]]


def _need(value: _T | None, what: str, event: Event) -> _T:
    if value is None or value == "":
        raise InvalidCommand(f"{event} needs {what}")
    return value


def _answer(order: Order, cmd: Command) -> tuple[Order, dict[str, str]]:
    answer = _need(cmd.reason, "the answer given", cmd.event)
    return replace(order, outcome_reason=answer, outcome_by=None, completed_at=cmd.at,
                   closed_at=cmd.at), {}


def _dispatch(order: Order, cmd: Command) -> tuple[Order, dict[str, str]]:
    agency = _need(cmd.agency, "the responsible unit", cmd.event)
    # KPIs count an order as dispatched (派单) once, at its first dispatch.
    first = order.dispatched_at or cmd.at
    return replace(order, agency=agency, dispatched_at=first), {"agency": agency}


def _stay(order: Order, cmd: Command) -> tuple[Order, dict[str, str]]:
    return order, {}


def _return(order: Order, cmd: Command) -> tuple[Order, dict[str, str]]:
    _need(cmd.reason, "the reason it is not the unit's", cmd.event)
    returned = replace(order, agency=None, returns=order.returns + 1)
    return returned, {"agency": order.agency or "", "returns": str(returned.returns)}


def _withdrawn(pending: PendingRequest | None) -> PendingRequest | None:
    if pending is None or pending.verdict is not Verdict.OPEN:
        return pending
    return replace(pending, verdict=Verdict.WITHDRAWN)


def _report(order: Order, cmd: Command) -> tuple[Order, dict[str, str]]:
    handled = cmd.event is Event.REPORT_HANDLED
    # L 3.2.3: 已处理（处理周期） or 未处理（原因）: an order not handled needs the reason.
    reason = cmd.reason if handled else _need(cmd.reason, "the reason", cmd.event)
    return replace(
        order, handled_at=cmd.at if handled else None, outcome_reason=reason,
        outcome_by=cmd.actor_agency,
        first_handled_at=order.first_handled_at or (cmd.at if handled else None),
        pending=_withdrawn(order.pending),
    ), {}


def _request_pending(order: Order, cmd: Command) -> tuple[Order, dict[str, str]]:
    # L 3.1.5(4)b: the chain starts from the unit's written request bearing its stamp.
    document = _need(cmd.document, "the stamped written request", cmd.event)
    reason = _need(cmd.reason, "the objective reason", cmd.event)
    request = PendingRequest(cmd.actor, cmd.at, reason, document, previous_state=order.state)
    return replace(order, pending=request), {"document": document}


def _decide_pending(order: Order, cmd: Command) -> tuple[Order, dict[str, str]]:
    approve = cmd.event is Event.APPROVE_PENDING_STEP
    step = _need(cmd.step, "the chain step decided", cmd.event)
    comment = cmd.reason if approve else _need(cmd.reason, "the reason", cmd.event)
    current = _need(order.pending, "a pending request", cmd.event)
    decision = StepDecision(step, cmd.actor, cmd.role, approve, cmd.at, comment)
    request = decide_step(current, decision)
    approved = order.pending_approved or request.verdict is Verdict.APPROVED
    return replace(order, pending=request, pending_approved=approved), {
        "step": step, "verdict": request.verdict,
    }


def _request_extension(order: Order, cmd: Command) -> tuple[Order, dict[str, str]]:
    extensions = request_extension(
        order.extensions, actor=cmd.actor, at=cmd.at, reason=cmd.reason, new_due=cmd.new_due,
        current_due=order.resolve_due,
    )
    return replace(order, extensions=extensions), {"request": str(len(extensions))}


def _decide_extension(order: Order, cmd: Command) -> tuple[Order, dict[str, str]]:
    approve = cmd.event is Event.APPROVE_EXTENSION
    comment = cmd.reason if approve else _need(cmd.reason, "the reason", cmd.event)
    extensions, decided = decide_extension(
        order.extensions, approve=approve, actor=cmd.actor, at=cmd.at, comment=comment
    )
    # L 3.1.5(3): approved extension time counts as within the limit, so it *is* the limit.
    due = decided.new_due if approve else order.resolve_due
    return replace(order, extensions=extensions, resolve_due=due), {
        "verdict": decided.verdict, "new_due": decided.new_due.isoformat(),
    }


def _close(order: Order, cmd: Command) -> tuple[Order, dict[str, str]]:
    # Completed (处结) only when the accepted outcome is a handling; an order closed on an
    # explained "not handled" is closed but not completed, and the KPIs count it so.
    return replace(order, completed_at=order.handled_at, closed_at=cmd.at), {}


def _reopen(order: Order, cmd: Command) -> tuple[Order, dict[str, str]]:
    _need(cmd.reason, "what the citizen is not satisfied with", cmd.event)
    reopened = replace(
        order, failed_handlings=order.failed_handlings + 1, handled_at=None, outcome_reason=None,
        outcome_by=None,
    )
    detail = {"failed_handlings": str(reopened.failed_handlings)}
    if not order.supervision and (why := supervision_reason(reopened)) is not None:
        reopened = replace(reopened, supervision=True)
        detail["supervision"] = why
    return reopened, detail


_EFFECTS: Mapping[Event, _Effect] = {
    Event.ANSWER: _answer,
    Event.DISPATCH: _dispatch,
    Event.RECEIVE: _stay,
    Event.RETURN: _return,
    Event.REPORT_HANDLED: _report,
    Event.REPORT_NOT_HANDLED: _report,
    Event.REQUEST_PENDING: _request_pending,
    Event.APPROVE_PENDING_STEP: _decide_pending,
    Event.REJECT_PENDING_STEP: _decide_pending,
    Event.REQUEST_EXTENSION: _request_extension,
    Event.APPROVE_EXTENSION: _decide_extension,
    Event.REJECT_EXTENSION: _decide_extension,
    Event.START_CALLBACK: _stay,
    Event.CLOSE: _close,
    Event.REOPEN: _reopen,
    Event.RECLASSIFY: reclassify,
    Event.CLASSIFY: classify,
    Event.ARRIVE: arrive,
}
if missing := sorted(set(Event) - set(_EFFECTS)):
    raise InvalidDefinition(f"events with no effect: {missing}")
if set(STEP_ROLE.values()) != TABLE[(State.PENDING, Event.APPROVE_PENDING_STEP)].roles:
    raise InvalidDefinition("the pending chain's deciders differ from the table's roles")
