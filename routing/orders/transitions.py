"""The declared work-order state machine: states, events, roles, and who may do what.

`TRANSITIONS` says, for every event, from which states it may fire, where it leads, which
roles may send it and for which order types. `build_table` refuses a table with unreachable
states, trap states, states from which the order can never be closed, exits from the final
state, an event with no transition, two transitions for one (state, event), or a name that
is not declared: a mistake in the table fails when this module is imported, not on a
citizen's call. The refusals a command can meet (`OrderError` and its kinds, each with a
stable `error_id` and an HTTP status) are declared here too.
`routing.orders.lifecycle` applies the table to orders.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from routing.enums import OrderType


class Role(StrEnum):
    """The roles that act on an order (L 1.3, L 3.1.1, L 3.1.5(4))."""

    CENTER_STAFF = "center_staff"  # 话务员
    BUSINESS_SECTION = "business_section"  # 业务科
    SUPERVISION_SECTION = "supervision_section"  # 督查科
    DUTY_SUPERVISOR = "duty_supervisor"  # 值班督查
    LEADER = "leader"  # 中心领导
    AGENCY = "agency"  # 联动机构 user


class OrderError(Exception):
    """A refused command. Nothing was changed: the caller still holds the order it had."""

    error_id: ClassVar[str] = "order-error"
    status: ClassVar[int] = 409


class TransitionNotAllowed(OrderError):
    error_id = "transition-not-allowed"


class RoleNotAllowed(OrderError):
    error_id = "role-not-allowed"
    status = 403


class AgencyNotAssigned(OrderError):
    error_id = "agency-not-assigned"
    status = 403


class OrderTypeNotAllowed(OrderError):
    error_id = "order-type-not-allowed"


class InvalidCommand(OrderError):
    error_id = "invalid-command"
    status = 422


class ExtensionLimitReached(OrderError):
    error_id = "extension-limit-reached"


class ExtensionAlreadyOpen(OrderError):
    error_id = "extension-already-open"


class NoOpenExtension(OrderError):
    error_id = "no-open-extension"


class ExtensionNotApplicable(OrderError):
    error_id = "extension-not-applicable"


class ExtensionTooLate(OrderError):
    error_id = "extension-too-late"


class ApprovalOutOfOrder(OrderError):
    error_id = "approval-out-of-order"


class InvalidDefinition(Exception):
    """The declared transition table is inconsistent (raised at import, never at run time)."""


class State(StrEnum):
    CREATED = "created"  # accepted by the center and not (or no longer) with a unit
    DISPATCHED = "dispatched"  # 派单: sent to the responsible unit
    RECEIVED = "received"  # 签收: the unit confirmed receipt (L 3.2.4(2)-(4))
    HANDLED = "handled"  # 已处理 (L 3.2.3)
    PENDING = "pending"  # 待办 / 待处理 (L 3.2.3, L 3.1.5(4))
    NOT_HANDLED = "not_handled"  # 未处理, with the reason (L 3.2.3)
    CALLBACK = "callback"  # 回访: the center reports back to the citizen (L 1.3(1))
    CLOSED = "closed"


class Event(StrEnum):
    ANSWER = "answer"
    DISPATCH = "dispatch"
    RECEIVE = "receive"
    RETURN = "return"  # the unit sends it back as not theirs
    REPORT_HANDLED = "report_handled"
    REPORT_NOT_HANDLED = "report_not_handled"
    REQUEST_PENDING = "request_pending"
    APPROVE_PENDING_STEP = "approve_pending_step"
    REJECT_PENDING_STEP = "reject_pending_step"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    REJECT_EXTENSION = "reject_extension"
    START_CALLBACK = "start_callback"
    CLOSE = "close"  # the citizen is satisfied (or accepts the reason it was not handled)
    REOPEN = "reopen"  # the citizen is not satisfied
    RECLASSIFY = "reclassify"
    CLASSIFY = "classify"  # set the SLA row's case and complexity: the deadlines follow
    ARRIVE = "arrive"  # the unit's crew is on site


INITIAL = State.CREATED
FINAL = frozenset({State.CLOSED})
_ALL_TYPES = frozenset(OrderType)
_OPEN = frozenset(State) - FINAL


@dataclass(frozen=True)
class Transition:
    """One declared transition; target None means the order stays in its state."""

    event: Event
    sources: frozenset[State]
    target: State | None
    roles: frozenset[Role]
    clause: str
    types: frozenset[OrderType] = _ALL_TYPES


def _t(event: Event, sources: Iterable[State], target: State | None, roles: Iterable[Role],
       clause: str, types: Iterable[OrderType] = _ALL_TYPES) -> Transition:
    return Transition(event, frozenset(sources), target, frozenset(roles), clause,
                      frozenset(types))


S, R, E = State, Role, Event
_CENTER = (R.CENTER_STAFF, R.BUSINESS_SECTION, R.SUPERVISION_SECTION)
_CALLERS = (R.CENTER_STAFF, R.SUPERVISION_SECTION)  # who calls the citizen back
# L 3.1.5(4)b: the deciders of the pending chain (which step is whose: approvals.STEP_ROLE).
_CHAIN_ROLES = (R.BUSINESS_SECTION, R.DUTY_SUPERVISOR, R.SUPERVISION_SECTION, R.LEADER)
_REPORTABLE = (S.RECEIVED, S.PENDING)
_VERIFIED = (S.RECEIVED, S.PENDING, S.HANDLED, S.NOT_HANDLED, S.CALLBACK)
TRANSITIONS: tuple[Transition, ...] = (
    # L 3.2.3(1) consultations are answered on the spot; L 3.2.2(4) out-of-scope help is
    # explained with the right channel; a suggestion may be recorded and answered at once.
    _t(E.ANSWER, [S.CREATED], S.CLOSED, [R.CENTER_STAFF], "L 3.2.3(1)",
       [OrderType.CONSULTATION, OrderType.HELP, OrderType.SUGGESTION]),
    _t(E.DISPATCH, [S.CREATED], S.DISPATCHED, _CENTER, "L 3.2.4"),
    _t(E.RECEIVE, [S.DISPATCHED], S.RECEIVED, [R.AGENCY], "L 3.2.4(2)"),
    _t(E.RETURN, [S.DISPATCHED, S.RECEIVED], S.CREATED, [R.AGENCY], "L 3.1.1"),
    _t(E.REPORT_HANDLED, _REPORTABLE, S.HANDLED, [R.AGENCY], "L 3.2.3(2)"),
    _t(E.REPORT_NOT_HANDLED, _REPORTABLE, S.NOT_HANDLED, [R.AGENCY], "L 3.2.3(2)"),
    _t(E.REQUEST_PENDING, [S.RECEIVED], S.PENDING, [R.AGENCY], "L 3.1.5(4)b"),
    _t(E.APPROVE_PENDING_STEP, [S.PENDING], None, _CHAIN_ROLES, "L 3.1.5(4)b"),
    # The only way into PENDING is from RECEIVED, so "back to the previous state" is RECEIVED.
    _t(E.REJECT_PENDING_STEP, [S.PENDING], S.RECEIVED, _CHAIN_ROLES, "L 3.1.5(4)b"),
    _t(E.REQUEST_EXTENSION, [S.RECEIVED], None, [R.AGENCY], "L 3.1.5(5)a"),
    _t(E.APPROVE_EXTENSION, _OPEN, None, [R.BUSINESS_SECTION], "L 3.1.5(5)a"),
    _t(E.REJECT_EXTENSION, _OPEN, None, [R.BUSINESS_SECTION], "L 3.1.5(5)a"),
    _t(E.START_CALLBACK, [S.HANDLED, S.NOT_HANDLED], S.CALLBACK, _CALLERS, "L 1.3(1)"),
    _t(E.CLOSE, [S.CALLBACK], S.CLOSED, _CALLERS, "L 1.3(1)"),
    _t(E.REOPEN, [S.CALLBACK], S.DISPATCHED, _CALLERS, "L 3.1.1"),
    _t(E.RECLASSIFY, _VERIFIED, None, [R.BUSINESS_SECTION], "L 3.2.1(1)",
       [OrderType.COMPLAINT]),
    # L 3.2.5(2): each industry's limits by the kind of case (the SLA table's rows).
    _t(E.CLASSIFY, _OPEN, None, [R.CENTER_STAFF, R.BUSINESS_SECTION], "L 3.2.5(2)"),
    # L 3.2.5(1): the unit reports back; arriving is what the on-site limits time.
    _t(E.ARRIVE, [S.RECEIVED], None, [R.AGENCY, R.CENTER_STAFF], "L 3.2.5(1)"),
)
del S, R, E


def build_table(
    transitions: Iterable[Transition], *, initial: State = INITIAL,
    final: frozenset[State] = FINAL,
) -> Mapping[tuple[State, Event], Transition]:
    """The (state, event) lookup of a declared table, or InvalidDefinition saying why not."""
    rows = tuple(transitions)
    table: dict[tuple[State, Event], Transition] = {}
    for row in rows:
        if not row.sources or not row.roles or not row.types:
            raise InvalidDefinition(f"{row.event}: sources, roles and types must not be empty")
        if not _declared(row):
            raise InvalidDefinition(f"{row.event}: not a declared event, state, role or type")
        for source in row.sources:
            if (source, row.event) in table:
                raise InvalidDefinition(f"two transitions for {row.event} from {source}")
            table[(source, row.event)] = row
    if unused := _names(set(Event) - {row.event for row in rows}):
        raise InvalidDefinition(f"events with no transition: {unused}")
    _check_graph(_edges(rows), initial, final)
    return table


def _declared(row: Transition) -> bool:
    """Whether every name in the row is a member of its enumeration (a typo is not)."""
    return (
        isinstance(row.event, Event)
        and all(isinstance(s, State) for s in (*row.sources, row.target or INITIAL))
        and all(isinstance(r, Role) for r in row.roles)
        and all(isinstance(t, OrderType) for t in row.types)
    )


def _edges(rows: Iterable[Transition]) -> dict[State, set[State]]:
    edges: dict[State, set[State]] = {state: set() for state in State}
    for row in rows:
        for source in row.sources:
            edges[source].add(row.target or source)
    return edges


def _check_graph(
    edges: Mapping[State, set[State]], initial: State, final: frozenset[State]
) -> None:
    if exits := _names(s for s in final if edges[s]):
        raise InvalidDefinition(f"final states with transitions out: {exits}")
    if traps := _names(s for s in State if s not in final and not edges[s] - {s}):
        raise InvalidDefinition(f"trap states (no way out): {traps}")
    if unreachable := _names(set(State) - _closure({initial}, edges)):
        raise InvalidDefinition(f"unreachable states: {unreachable}")
    reverse: dict[State, set[State]] = {state: set() for state in State}
    for source, targets in edges.items():
        for target in targets:
            reverse[target].add(source)
    if stuck := _names(set(State) - _closure(set(final), reverse)):
        raise InvalidDefinition(f"states from which no final state can be reached: {stuck}")


def _names(members: Iterable[StrEnum]) -> str:
    return ", ".join(sorted(m.value for m in members))


def _closure(start: set[State], edges: Mapping[State, set[State]]) -> set[State]:
    seen, todo = set(start), list(start)
    while todo:
        for nxt in edges[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


TABLE = build_table(TRANSITIONS)  # validated here, at import


def authorize(
    *, state: State, event: Event, role: Role, order_type: OrderType,
    assigned_agency: str | None, actor_agency: str | None,
) -> Transition:
    """The declared transition for this event from this state by this role, or the refusal."""
    row = TABLE.get((state, event))
    if row is None:
        raise TransitionNotAllowed(f"{event} is not allowed in state {state}")
    if role not in row.roles:
        raise RoleNotAllowed(f"{role} may not {event}")
    if order_type not in row.types:
        raise OrderTypeNotAllowed(f"{event} does not apply to a {order_type}")
    if role is Role.AGENCY and (actor_agency is None or actor_agency != assigned_agency):
        # Only the unit the order is dispatched to signs for it and reports on it.
        raise AgencyNotAssigned(f"the order is with {assigned_agency}, not {actor_agency}")
    return row
