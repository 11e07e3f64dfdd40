"""The access policy (routing/admin/access_policy.yaml), validated when loaded; and the pure
login decision: given the recent failures, is this attempt let through?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

DEFAULT_ACCESS_POLICY_PATH = Path(__file__).with_name("access_policy.yaml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LoginPolicy(_Strict):
    window_minutes: int = Field(gt=0, le=24 * 60)
    lock_after_failures: int = Field(gt=0)
    ip_failures: int = Field(gt=0)
    session_idle_minutes: int = Field(gt=0)

    @property
    def window(self) -> timedelta:
        return timedelta(minutes=self.window_minutes)

    @property
    def idle(self) -> timedelta:
        return timedelta(minutes=self.session_idle_minutes)


class Open311Policy(_Strict):
    window_seconds: int = Field(gt=0)
    per_key: int = Field(gt=0)
    per_ip: int = Field(gt=0)


class PasswordPolicy(_Strict):
    max_age_days: int = Field(gt=0)


class AccessPolicy(_Strict):
    version: int
    clauses: list[str] = Field(min_length=1)
    source: str
    login: LoginPolicy
    open311: Open311Policy
    password: PasswordPolicy


def load_access_policy(path: Path = DEFAULT_ACCESS_POLICY_PATH) -> AccessPolicy:
    with path.open(encoding="utf-8") as fh:
        return AccessPolicy.model_validate(yaml.safe_load(fh))


class Verdict(StrEnum):
    TRY = "try"  # check the password
    LOCKED = "locked"  # the user is locked: refused without checking
    IP_THROTTLED = "ip_throttled"  # too many failures from this address


@dataclass(frozen=True)
class LoginHistory:
    """What the store knows at the moment of an attempt."""

    locked: bool
    ip_failures: list[datetime]  # this address's failures within the window, oldest first


def judge(history: LoginHistory, policy: LoginPolicy) -> Verdict:
    if history.locked:
        return Verdict.LOCKED
    if len(history.ip_failures) >= policy.ip_failures:
        return Verdict.IP_THROTTLED
    return Verdict.TRY


def retry_after(history: LoginHistory, policy: LoginPolicy, now: datetime) -> int:
    """Seconds until the oldest failure from the address leaves the window."""
    if not history.ip_failures:
        return 1
    free_at = history.ip_failures[0] + policy.window
    return max(1, int((free_at - now).total_seconds()) + 1)


def must_lock(user_failures: int, policy: LoginPolicy) -> bool:
    """After a failed attempt: has the user now failed too often within the window?"""
    return user_failures >= policy.lock_after_failures


def password_expired(changed_at: datetime | None, created_at: datetime,
                     policy: PasswordPolicy, now: datetime) -> bool:
    return now - (changed_at or created_at) > timedelta(days=policy.max_age_days)
