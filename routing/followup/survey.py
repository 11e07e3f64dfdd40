"""The callback survey (回访, L 1.3(1)) as rules: pure, no I/O.

When a unit reports an order handled or not handled, the hotline phones the citizen: after
the policy's delay, only in calling hours (H 3.7.2), and within the utility's limit (G 3.5.2,
G 3.6.5, H 3.7.2). The citizen answers with a key: 1 satisfied or 2 basically satisfied close
the order, 3 not satisfied reopens it (L 3.1.1: repeated failures go to supervision, see
`routing.orders.lifecycle.supervision_reason`), 0 asks for an agent. An unanswered call is tried
again per policy, then the order goes to the agents' manual callback list. Adapters
(routing/followup/survey_store.py, ari_app/survey_calls.py) carry out what these functions decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from routing.followup.survey_policy import SurveyPolicy
from routing.orders.calendar import SHANGHAI
from routing.orders.transitions import Event


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"  # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    NOT_SATISFIED = "not_satisfied"  # 不满意


class SurveyStatus(StrEnum):
    SCHEDULED = "scheduled"  # waiting for its time (first ring or a retry)
    CALLING = "calling"  # claimed by a survey worker: the phone is ringing or talking
    ANSWERED = "answered"  # the citizen gave a satisfaction key
    AGENT = "agent"  # the citizen pressed 0: put through to an agent
    MANUAL = "manual"  # not reached by phone: on the agents' manual callback list
    DECLINED = "declined"  # the citizen said no to callbacks: never rung
    MOOT = "moot"  # the order moved on (an agent called back, reopened...) before we rang


OPEN_STATUSES = frozenset({SurveyStatus.SCHEDULED, SurveyStatus.CALLING})

# What each key means, as the call's closing question says it.
KEYS: dict[str, Satisfaction | None] = {
    "1": Satisfaction.SATISFIED,
    "2": Satisfaction.BASICALLY_SATISFIED,
    "3": Satisfaction.NOT_SATISFIED,
    "0": None,  # an agent
}


@dataclass(frozen=True)
class Plan:
    """When to ring first, the limit to reach the citizen by, and when retries stop."""

    first_at: datetime
    due_at: datetime
    give_up_at: datetime
    clause: str


@dataclass(frozen=True)
class Verdict:
    """What a key does to the order: the lifecycle events to apply, and what is recorded."""

    status: SurveyStatus
    satisfaction: Satisfaction | None
    events: tuple[Event, ...]
    reason: str | None


@dataclass(frozen=True)
class Retry:
    """After a call that reached nobody: ring again at `at`, or (at None) go to the list."""

    at: datetime | None
    status: SurveyStatus


def plan(*, reported_at: datetime, utility: str | None, policy: SurveyPolicy) -> Plan:
    rule = policy.rule_for(utility)
    first = next_calling_moment(reported_at + policy.delay, policy)
    due = reported_at + timedelta(hours=rule.within_hours)
    return Plan(first, due, reported_at + rule.give_up_after, rule.clause)


def skip_reason(*, caller_number: str | None, declined: bool, give_up_at: datetime | None = None,
                now: datetime | None = None) -> SurveyStatus | None:
    """Why this citizen is not rung at all (None: ring them)."""
    if declined:
        return SurveyStatus.DECLINED
    if not caller_number:
        return SurveyStatus.MANUAL  # nobody to ring: an agent decides what to do
    if give_up_at is not None and now is not None and give_up_at <= now:
        return SurveyStatus.MANUAL  # past the last clause's limit: a person follows it up
    return None


def in_calling_hours(at: datetime, policy: SurveyPolicy) -> bool:
    start, end = policy.calling_hours.window()
    local = at.astimezone(SHANGHAI).time()
    return local >= start and (end is None or local < end)


def next_calling_moment(at: datetime, policy: SurveyPolicy) -> datetime:
    """`at` itself if calls may ring then, else the next start of calling hours."""
    if in_calling_hours(at, policy):
        return at
    start, _ = policy.calling_hours.window()
    local = at.astimezone(SHANGHAI)
    opening = local.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
    if opening <= local:
        opening = (local + timedelta(days=1)).replace(
            hour=start.hour, minute=start.minute, second=0, microsecond=0
        )
    return opening.astimezone(at.tzinfo)


def verdict(key: str) -> Verdict | None:
    """What the citizen's key means (None: not one of the offered keys)."""
    if key not in KEYS:
        return None
    satisfaction = KEYS[key]
    if satisfaction is None:
        return Verdict(SurveyStatus.AGENT, None, (), None)
    if satisfaction is Satisfaction.NOT_SATISFIED:
        return Verdict(SurveyStatus.ANSWERED, satisfaction,
                       (Event.START_CALLBACK, Event.REOPEN), "回访：市民不满意")
    return Verdict(SurveyStatus.ANSWERED, satisfaction,
                   (Event.START_CALLBACK, Event.CLOSE), f"回访：{_SPOKEN[satisfaction]}")


_SPOKEN = {Satisfaction.SATISFIED: "满意", Satisfaction.BASICALLY_SATISFIED: "基本满意",
           Satisfaction.NOT_SATISFIED: "不满意"}


def after_unreached(
    *, attempts: int, now: datetime, give_up_at: datetime, policy: SurveyPolicy
) -> Retry:
    """The next try after `attempts` calls reached nobody, or the manual list."""
    if attempts >= policy.attempts:
        return Retry(None, SurveyStatus.MANUAL)
    at = next_calling_moment(now + policy.retry_gap, policy)
    if at > give_up_at:
        return Retry(None, SurveyStatus.MANUAL)
    return Retry(at, SurveyStatus.SCHEDULED)


def free_lines(*, active: int, waiting_callers: int, policy: SurveyPolicy) -> int:
    """How many survey calls may start now: none while a caller waits in the queue."""
    if waiting_callers > 0:
        return 0
    return max(0, policy.max_concurrent - active)
