"""The dispatch policy (routing/dispatch/dispatch_policy.yaml): who dispatches an order, and when,
and
how a missing receipt is chased by phone.

`parse_dispatch_policy` validates an already-read table (DispatchPolicyError names the bad
rule), `load_dispatch_policy` is the only function that reads a file, and the rest is pure:
`decide` gives an order's dispatch decision from its fields, `chase_step` the receipt-chase
call owed at a moment. Adapters (routing/dispatch/auto_dispatch.py, the sweeper) carry them out.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from routing.agencies.directory import Duty
from routing.enums import OrderType, Utility
from routing.rule_files import read_yaml

DEFAULT_DISPATCH_POLICY_PATH = Path(__file__).with_name("dispatch_policy.yaml")


class DispatchPolicyError(ValueError):
    """The policy is malformed; the message names the bad part."""


class Mode(StrEnum):
    AT_COMMIT = "at_commit"
    REVIEW = "review"


class Contact(StrEnum):
    DUTY = "duty"
    BACKUP = "backup"
    SUPERVISOR = "supervisor"


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Match(_Strict):
    utilities: tuple[Utility, ...] | None = None
    order_types: tuple[OrderType, ...] | None = None
    emergency: bool | None = None

    def fits(self, utility: Utility | None, order_type: OrderType, emergency: bool) -> bool:
        return ((self.utilities is None or utility in self.utilities)
                and (self.order_types is None or order_type in self.order_types)
                and (self.emergency is None or self.emergency == emergency))

    @property
    def everything(self) -> bool:
        return self.utilities is None and self.order_types is None and self.emergency is None


class Rule(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    match: Match
    dispatch: Mode
    auto_before_due_minutes: float | None = Field(default=None, ge=0)
    ring_duty_line: bool = False
    clauses: tuple[str, ...] = Field(min_length=1)
    source: str = Field(pattern="^(standard|center_default)$")
    note: str | None = None

    @model_validator(mode="after")
    def _lead_only_for_review(self) -> Rule:
        if self.dispatch is Mode.AT_COMMIT and self.auto_before_due_minutes is not None:
            raise ValueError("auto_before_due_minutes is for dispatch: review only")
        return self


class ChaseStep(_Strict):
    contact: Contact
    after_minutes: float = Field(ge=0)


class ReceiptChase(_Strict):
    orders: str = Field(pattern="^(emergency|all)$")
    steps: tuple[ChaseStep, ...] = Field(min_length=1)
    repeat_minutes: float = Field(gt=0)
    clauses: tuple[str, ...] = Field(min_length=1)
    source: str = Field(pattern="^(standard|center_default)$")
    note: str | None = None

    @model_validator(mode="after")
    def _increasing(self) -> ReceiptChase:
        times = [step.after_minutes for step in self.steps]
        gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
        if any(gap <= 0 for gap in gaps):
            raise ValueError("steps must come one after another (after_minutes increasing)")
        return self


class DoubtfulHold(_Strict):
    """How long a doubtful non-emergency order waits for an agent (a share of its window)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    hold_share: float = Field(gt=0, lt=1)
    clauses: tuple[str, ...] = Field(min_length=1)
    source: str = Field(pattern="^(standard|center_default)$")
    note: str | None = None


class DispatchPolicy(_Strict):
    version: int = 1
    rules: tuple[Rule, ...] = Field(min_length=1)
    doubtful: DoubtfulHold
    receipt_chase: ReceiptChase
    duty_supervisor: Duty

    @model_validator(mode="after")
    def _complete(self) -> DispatchPolicy:
        ids = [rule.id for rule in self.rules]
        if len(set(ids)) != len(ids) or self.doubtful.id in ids:
            raise ValueError("rule ids (and doubtful.id) must be unique")
        if not self.rules[-1].match.everything:
            raise ValueError("the last rule must match every order (match: {})")
        if any(rule.match.everything for rule in self.rules[:-1]):
            raise ValueError("only the last rule may match every order")
        return self


@dataclass(frozen=True)
class Decision:
    """What the policy says about one order."""

    rule: str
    clauses: tuple[str, ...]
    review: bool  # on the agents' review list until dispatched
    auto_at: datetime | None  # when the system dispatches it by itself; None: only a person
    ring_duty_line: bool
    unreviewed_doubt: bool = False  # doubtful speech, sent by the system if nobody reviews it


def decide(policy: DispatchPolicy, *, utility: Utility | None, order_type: OrderType,
           emergency: bool, created_at: datetime, dispatch_due: datetime | None,
           doubtful: bool = False) -> Decision:
    """The first fitting rule's decision. An order without a utility or a dispatch limit is
    never dispatched by the system: it has no unit yet (an agent classifies it). A doubtful
    non-emergency order the rule would dispatch by itself is held for an agent instead
    (`held_for_review`)."""
    rule = next(r for r in policy.rules if r.match.fits(utility, order_type, emergency))
    decision = _by_rule(rule, utility=utility, created_at=created_at, dispatch_due=dispatch_due)
    if (doubtful and not emergency and decision.review and decision.auto_at is not None
            and dispatch_due is not None):
        return held_for_review(policy.doubtful, created_at=created_at, dispatch_due=dispatch_due)
    return decision


def held_for_review(hold: DoubtfulHold, *, created_at: datetime, dispatch_due: datetime
                    ) -> Decision:
    """A doubtful order's decision: on the review list until `hold_share` of its window."""
    window = max(dispatch_due - created_at, timedelta(0))
    return Decision(rule=hold.id, clauses=hold.clauses, review=True,
                    auto_at=created_at + window * hold.hold_share, ring_duty_line=False,
                    unreviewed_doubt=True)


def _by_rule(rule: Rule, *, utility: Utility | None, created_at: datetime,
             dispatch_due: datetime | None) -> Decision:
    auto_at = None
    lead = rule.auto_before_due_minutes
    if utility is not None and rule.dispatch is Mode.AT_COMMIT:
        auto_at = created_at
    elif utility is not None and dispatch_due is not None and lead is not None:
        auto_at = max(created_at, dispatch_due - timedelta(minutes=lead))
    return Decision(rule=rule.id, clauses=rule.clauses, review=rule.dispatch is Mode.REVIEW,
                    auto_at=auto_at, ring_duty_line=rule.ring_duty_line)


@dataclass(frozen=True)
class ChaseCall:
    """The chase call owed: which step (0-based; past the last = its repeats), whom, since when."""

    step: int
    contact: Contact
    due_at: datetime


def chase_step(chase: ReceiptChase, *, start: datetime, now: datetime) -> ChaseCall | None:
    """The newest chase call owed at `now` for a receipt chased since `start`, or None."""
    owed = [(i, s) for i, s in enumerate(chase.steps)
            if now >= start + timedelta(minutes=s.after_minutes)]
    if not owed:
        return None
    index, step = owed[-1]
    due = start + timedelta(minutes=step.after_minutes)
    if index == len(chase.steps) - 1:
        repeats = int((now - due) / timedelta(minutes=chase.repeat_minutes))
        index, due = index + repeats, due + repeats * timedelta(minutes=chase.repeat_minutes)
    return ChaseCall(step=index, contact=step.contact, due_at=due)


def chased(chase: ReceiptChase, *, emergency: bool) -> bool:
    return emergency or chase.orders == "all"


def parse_dispatch_policy(data: Any) -> DispatchPolicy:
    try:
        return DispatchPolicy.model_validate(data)
    except ValidationError as exc:
        raise DispatchPolicyError("; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'policy'}: {err['msg']}"
            for err in exc.errors())) from None


def load_dispatch_policy(path: Path | None = None) -> DispatchPolicy:
    return parse_dispatch_policy(read_yaml(path or DEFAULT_DISPATCH_POLICY_PATH,
                                           DispatchPolicyError))
