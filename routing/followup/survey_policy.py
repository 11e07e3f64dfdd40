"""The callback-survey policy (routing/followup/survey_policy.yaml), validated when it is loaded.

`load_survey_policy` reads the file; `with_overrides` applies serve's settings
(HOTLINE_SURVEY_DELAY_SECONDS, HOTLINE_SURVEY_HOURS). Nothing is read at import.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from routing.enums import Utility

DEFAULT_SURVEY_POLICY_PATH = Path(__file__).with_name("survey_policy.yaml")
_HOURS = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CallingHours(_Strict):
    """When survey calls may ring, Asia/Shanghai; `end` 24:00 is midnight."""

    start: str
    end: str
    clause: str = Field(min_length=1)

    @model_validator(mode="after")
    def _well_formed(self) -> CallingHours:
        parse_hours(f"{self.start}-{self.end}")
        return self

    def window(self) -> tuple[time, time | None]:
        """(start, end); end None means up to midnight."""
        return parse_hours(f"{self.start}-{self.end}")


class SurveyRule(_Strict):
    """How soon a utility's citizen must be reached after the unit's report."""

    within_hours: float = Field(gt=0)
    clause: str = Field(min_length=1)
    outer_hours: float | None = Field(default=None, gt=0)
    outer_clause: str | None = None
    source: str = "standard"

    @model_validator(mode="after")
    def _outer_after_within(self) -> SurveyRule:
        if self.outer_hours is not None and self.outer_hours < self.within_hours:
            raise ValueError("outer_hours must not be shorter than within_hours")
        if (self.outer_hours is None) != (self.outer_clause is None):
            raise ValueError("outer_hours and outer_clause go together")
        return self

    @property
    def give_up_after(self) -> timedelta:
        """From the report, when retries stop and the order goes to the manual list."""
        return timedelta(hours=self.outer_hours or self.within_hours)


class UtilityRule(SurveyRule):
    utility: Utility


class SurveyPolicy(_Strict):
    version: int = Field(ge=1)
    calling_hours: CallingHours
    delay_minutes: float = Field(ge=0)
    delay_source: str
    ring_seconds: int = Field(ge=5, le=120)
    attempts: int = Field(ge=1, le=10)
    retry_gap_minutes: float = Field(ge=0)
    max_concurrent: int = Field(ge=1, le=50)
    pacing_source: str
    rules: tuple[UtilityRule, ...]
    default_rule: SurveyRule

    @field_validator("rules")
    @classmethod
    def _one_rule_per_utility(cls, rules: tuple[UtilityRule, ...]) -> tuple[UtilityRule, ...]:
        seen = [rule.utility for rule in rules]
        if len(seen) != len(set(seen)):
            raise ValueError("two rules for one utility")
        return rules

    def rule_for(self, utility: Utility | str | None) -> SurveyRule:
        return next((r for r in self.rules if r.utility == utility), self.default_rule)

    @property
    def delay(self) -> timedelta:
        return timedelta(minutes=self.delay_minutes)

    @property
    def retry_gap(self) -> timedelta:
        return timedelta(minutes=self.retry_gap_minutes)


def parse_hours(text: str) -> tuple[time, time | None]:
    """"08:00-21:00" -> (08:00, 21:00); "00:00-24:00" -> (00:00, None): all day."""
    match = _HOURS.match(text.strip())
    if match is None:
        raise ValueError(f"calling hours {text!r}: want HH:MM-HH:MM, e.g. 08:00-21:00")
    sh, sm, eh, em = (int(g) for g in match.groups())
    if (sh, sm) >= (24, 0) or (eh == 24 and em != 0):
        raise ValueError(f"calling hours {text!r}: times run 00:00 to 24:00")
    end = None if eh == 24 else time(eh, em)
    if end is not None and end <= time(sh, sm):
        raise ValueError(f"calling hours {text!r}: the end must come after the start")
    return time(sh, sm), end


def load_survey_policy(path: Path = DEFAULT_SURVEY_POLICY_PATH) -> SurveyPolicy:
    """Read and validate the policy file (pydantic's ValidationError names a bad field)."""
    with path.open(encoding="utf-8") as fh:
        return SurveyPolicy.model_validate(yaml.safe_load(fh))


def with_overrides(
    policy: SurveyPolicy, *, delay_seconds: float | None, hours: str | None
) -> SurveyPolicy:
    """The policy with serve's settings applied (each None leaves the file's value)."""
    update: dict[str, object] = {}
    if delay_seconds is not None:
        update["delay_minutes"] = delay_seconds / 60
        update["delay_source"] = "setting HOTLINE_SURVEY_DELAY_SECONDS"
    if hours is not None:
        start, _, end = hours.strip().partition("-")
        parse_hours(hours)
        update["calling_hours"] = CallingHours(
            start=start, end=end, clause="setting HOTLINE_SURVEY_HOURS"
        )
    return policy.model_copy(update=update)
