"""Planned-outage notice rules (routing/floor/outage_notice.yaml): how far ahead each utility must
announce (W 6.1, G 3.1.6.1, H 3.6.3.1, H 3.6.3.3) and what else its clauses ask (W 6.1 approval
beyond 12 h, W 6.3 water delivered beyond 24 h, W 6.1 a delay announced again).

`check_lead_time` and `reminders_for` are pure; `load_notice_policy` is the only function
touching the file (validated at load, cached per path).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, PositiveInt, model_validator

from routing.enums import Utility
from routing.floor.announcements import AnnouncementError
from routing.rule_files import read_yaml

DEFAULT_PATH = Path(__file__).with_name("outage_notice.yaml")
GENERAL = "general"
_CLAUSE = r"^[WGHL] \S+$"
Scope = Literal["general", "small_area", "annual_maintenance"]


class NoticePolicyError(ValueError):
    """outage_notice.yaml is malformed; the message says where."""


class NoticeTooLate(AnnouncementError):
    """A planned outage announced later than its clause allows."""

    def __init__(self, message: str, clauses: tuple[str, ...]) -> None:
        super().__init__("starts_at", message)
        self.clauses = clauses


class Lead(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    hours: PositiveInt | None = None
    days: PositiveInt | None = None

    @model_validator(mode="after")
    def _one(self) -> Lead:
        if (self.hours is None) == (self.days is None):
            raise ValueError("a lead is {hours: N} or {days: N}")
        return self

    @property
    def span(self) -> timedelta:
        return timedelta(hours=self.hours) if self.hours else timedelta(days=self.days or 0)

    def describe(self) -> str:
        return f"{self.hours}小时" if self.hours else f"{self.days}天"


class LeadTime(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    utility: Utility
    scope: Scope = "general"
    lead: Lead
    clauses: tuple[str, ...] = Field(min_length=1)


class Reminder(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    utility: Utility
    longer_than_hours: NonNegativeInt
    text: str = Field(min_length=1)
    clauses: tuple[str, ...] = Field(min_length=1)


class NoticePolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    version: int
    lead_times: tuple[LeadTime, ...]
    reminders: tuple[Reminder, ...] = ()

    @model_validator(mode="after")
    def _unique_and_cited(self) -> NoticePolicy:
        keys = [(r.utility, r.scope) for r in self.lead_times]
        if len(keys) != len(set(keys)):
            raise ValueError("two lead times for one (utility, scope)")
        cited = [c for r in self.lead_times for c in r.clauses]
        cited += [c for r in self.reminders for c in r.clauses]
        if bad := [c for c in cited if not re.match(_CLAUSE, c)]:
            raise ValueError(f"clause ids must look like 'W 6.1': {bad}")
        return self

    def lead_for(self, utility: Utility, scope: str) -> LeadTime | None:
        return next((r for r in self.lead_times if (r.utility, r.scope) == (utility, scope)),
                    None)


def parse_notice_policy(data: Any) -> NoticePolicy:
    try:
        return NoticePolicy.model_validate(data)
    except ValueError as exc:
        raise NoticePolicyError(str(exc)) from None


@functools.cache
def load_notice_policy(path: Path = DEFAULT_PATH) -> NoticePolicy:
    return parse_notice_policy(read_yaml(path, NoticePolicyError))


def check_lead_time(policy: NoticePolicy, *, utility: Utility, scope: str,
                    starts_at: datetime, now: datetime) -> LeadTime | None:
    """The rule a planned outage starting at `starts_at`, announced `now`, satisfies (None
    where the standards set none); AnnouncementError naming the clause when it is too late."""
    rule = policy.lead_for(utility, scope)
    if rule is None:
        if scope != GENERAL and any(r.utility is utility for r in policy.lead_times):
            scopes = sorted(r.scope for r in policy.lead_times if r.utility is utility)
            raise AnnouncementError("scope", f"no {scope!r} notice rule for {utility}; "
                                    f"one of {scopes}")
        return None
    if starts_at - now < rule.lead.span:
        cited = "、".join(rule.clauses)
        raise NoticeTooLate(f"计划停供须提前{rule.lead.describe()}公告（{cited}），"
                            f"本公告距开始仅{_hours(starts_at - now)}小时", rule.clauses)
    return rule


def _hours(span: timedelta) -> str:
    return f"{span.total_seconds() / 3600:.1f}"


def reminders_for(policy: NoticePolicy, *, utility: Utility, starts_at: datetime,
                  ends_at: datetime) -> list[Mapping[str, Any]]:
    """What the clauses ask beyond the notice for a planned outage of this length."""
    length = ends_at - starts_at
    return [{"text": r.text, "clauses": list(r.clauses)} for r in policy.reminders
            if r.utility is utility and length > timedelta(hours=r.longer_than_hours)]
