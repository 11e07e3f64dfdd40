"""Extensions (申请延期, L 3.1.5(5)) and the pending approval chain (待办, L 3.1.5(4)).

The records an order carries for them, and the pure rules over those records: records in,
new records out, or an `OrderError` saying why not. Which order states allow these events
and which roles may send them is the transition table's business (`routing.orders.transitions`);
here is only what the clauses add: at most two requests, one open at a time, and a chain
walked step by step in the clause's order, each step by its own role.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from routing.orders.transitions import (
    ApprovalOutOfOrder,
    ExtensionAlreadyOpen,
    ExtensionLimitReached,
    ExtensionNotApplicable,
    ExtensionTooLate,
    InvalidCommand,
    NoOpenExtension,
    Role,
    RoleNotAllowed,
)

# L 3.1.5(5)a "每件工单申请延期不得超过2次": the limit is on applications, so a rejected
# request still uses one of the two, and a third is refused whatever happened to the others.
MAX_EXTENSIONS = 2


class Verdict(StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"
    # The unit reported a result while the pending chain was still being walked: the
    # request lost its object, and the order never became a pending order.
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Extension:
    """One extension request of the responsible unit and the business section's decision."""

    requested_by: str
    requested_at: datetime
    reason: str
    previous_due: datetime
    new_due: datetime
    verdict: Verdict = Verdict.OPEN
    decided_by: str | None = None
    decided_at: datetime | None = None
    comment: str | None = None


def request_extension(
    extensions: tuple[Extension, ...], *, actor: str, at: datetime, reason: str | None,
    new_due: datetime | None, current_due: datetime | None,
) -> tuple[Extension, ...]:
    """The records with a new open request, or the reason it is refused."""
    if len(extensions) >= MAX_EXTENSIONS:  # checked first: a third request never gets further
        raise ExtensionLimitReached(f"{MAX_EXTENSIONS} extensions were already requested")
    if any(e.verdict is Verdict.OPEN for e in extensions):
        raise ExtensionAlreadyOpen("the previous request is still waiting for a decision")
    if current_due is None:
        raise ExtensionNotApplicable("the order has no resolve deadline to extend")
    if not reason or new_due is None:
        raise InvalidCommand("an extension request needs a reason and the new deadline")
    if at > current_due:
        # L 3.1.5(5)a: a unit asks because it *cannot finish within* the committed time; a
        # deadline already missed stays missed (else the on-time rate could be repaired later).
        raise ExtensionTooLate(f"the deadline {current_due.isoformat()} has already passed")
    if new_due <= current_due:
        raise InvalidCommand("the new deadline must be later than the current one")
    request = Extension(actor, at, reason, previous_due=current_due, new_due=new_due)
    return (*extensions, request)


def decide_extension(
    extensions: tuple[Extension, ...], *, approve: bool, actor: str, at: datetime,
    comment: str | None,
) -> tuple[tuple[Extension, ...], Extension]:
    """The records with the open request decided, and that request as decided."""
    index = next((i for i, e in enumerate(extensions) if e.verdict is Verdict.OPEN), None)
    if index is None:
        raise NoOpenExtension("no extension request is waiting for a decision")
    verdict = Verdict.APPROVED if approve else Verdict.REJECTED
    decided = replace(
        extensions[index], verdict=verdict, decided_by=actor, decided_at=at, comment=comment
    )
    return (*extensions[:index], decided, *extensions[index + 1 :]), decided


class ChainStep(StrEnum):
    """L 3.1.5(4)b after the unit's stamped written request (责任单位提出书面申请), in order."""

    BUSINESS_CHIEF = "business_chief"  # 业务科长
    DUTY_SUPERVISOR = "duty_supervisor"  # 值班督查
    # 督查科长（根据责任单位加盖公章的书面说明进行评价）
    SUPERVISION_EVALUATION = "supervision_evaluation"
    LEADER_SIGNATURE = "leader_signature"  # 中心领导审批签字
    SUPERVISION_REPLY = "supervision_reply"  # 督查科长回复责任单位


CHAIN: tuple[ChainStep, ...] = tuple(ChainStep)  # definition order is the clause's order
STEP_ROLE: Mapping[ChainStep, Role] = {
    ChainStep.BUSINESS_CHIEF: Role.BUSINESS_SECTION,
    ChainStep.DUTY_SUPERVISOR: Role.DUTY_SUPERVISOR,
    ChainStep.SUPERVISION_EVALUATION: Role.SUPERVISION_SECTION,
    ChainStep.LEADER_SIGNATURE: Role.LEADER,
    ChainStep.SUPERVISION_REPLY: Role.SUPERVISION_SECTION,
}


@dataclass(frozen=True)
class StepDecision:
    """One decision of the chain: who decided which step, when, and what they wrote."""

    step: ChainStep
    actor: str
    role: Role
    approve: bool
    at: datetime
    comment: str | None


@dataclass(frozen=True)
class PendingRequest:
    """A unit's request to make the order a pending order, and the chain walked so far."""

    requested_by: str
    requested_at: datetime
    reason: str
    document: str  # reference to the unit's written request bearing its stamp (加盖公章)
    previous_state: str  # where a rejection sends the order back to
    decisions: tuple[StepDecision, ...] = ()
    verdict: Verdict = Verdict.OPEN

    def next_step(self) -> ChainStep | None:
        """The step that must decide next; None once the chain is over either way."""
        if self.verdict is not Verdict.OPEN:
            return None
        return CHAIN[len(self.decisions)]


def decide_step(request: PendingRequest, decision: StepDecision) -> PendingRequest:
    """The request after one more decision, refused when it is not the next step's to make."""
    expected = request.next_step()
    if expected is None:
        raise ApprovalOutOfOrder(f"the pending request is already {request.verdict}")
    if decision.step is not expected:
        # L 3.1.5(4)b is a chain: no step may be skipped, repeated or taken out of turn.
        raise ApprovalOutOfOrder(f"step {expected} comes next, not {decision.step}")
    if decision.role is not STEP_ROLE[expected]:
        raise RoleNotAllowed(f"step {expected} is decided by {STEP_ROLE[expected]}")
    decisions = (*request.decisions, decision)
    if not decision.approve:
        verdict = Verdict.REJECTED  # a rejection at any step ends the chain
    elif len(decisions) == len(CHAIN):
        verdict = Verdict.APPROVED  # signed by the leader, and the unit has been answered
    else:
        verdict = Verdict.OPEN
    return replace(request, decisions=decisions, verdict=verdict)
