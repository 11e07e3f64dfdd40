"""Outage announcements (公告): which apply to a call, what a caller hears, which parent
incident an order belongs to. Pure: rows in, decisions out.

The hotline standard asks the shift to keep announcements up to date ("公告动态管理",
L 3.1.2(2)②) and to staff the peaks that outages cause (L 3.1.2(5)); a caller who hears that
the outage is known and when supply comes back need not wait for an agent, and every order
it still causes is attached to one parent incident instead of being handled alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from routing.enums import Utility
from routing.orders.calendar import SHANGHAI

# Longer than this and callers hang up before the menu; the newest outages are heard first.
MAX_NOTICES = 2
# An announcement is a short-lived notice, not a standing message: a week covers planned
# works announced ahead (L 3.1.2(5)); anything longer is a typo in the end time.
MAX_SPAN = timedelta(days=7)
MAX_TEXT = 200
# Outside these years a time is a typo (and year 1 or 9999 cannot be shifted to Jinan time).
YEARS = (2000, 2999)


class OutageKind(StrEnum):
    PLANNED = "planned"  # 计划停水/停气/停热: announced works
    UNPLANNED = "unplanned"  # 故障抢修: a known failure under repair


class AnnouncementError(ValueError):
    """An announcement that cannot be registered as given; `field` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True, slots=True)
class Outage:
    """One registered announcement as the rules see it."""

    id: int
    incident_id: str
    utility: Utility
    kind: OutageKind
    districts: tuple[str, ...]  # slugs; empty = the whole city
    starts_at: datetime
    ends_at: datetime
    recovery_at: datetime | None = None
    closed_at: datetime | None = None

    def active(self, now: datetime) -> bool:
        return self.closed_at is None and self.starts_at <= now < self.ends_at

    def covers(self, utility: Utility | None, district: str | None) -> bool:
        """A call about `utility` in `district` (None: not known yet) is about this outage."""
        if utility != self.utility:
            return False
        return district is None or not self.districts or district in self.districts


@dataclass(frozen=True, slots=True)
class Notice:
    """What one announcement makes the IVR say: the hours and minutes are Shanghai time."""

    incident_id: str
    utility: Utility
    kind: OutageKind
    recovery: tuple[int, int] | None


def check_window(starts_at: datetime, ends_at: datetime, recovery_at: datetime | None) -> None:
    """End after start, within MAX_SPAN; the expected recovery inside the window."""
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at),
                        ("recovery_at", recovery_at)):
        if value is not None and value.tzinfo is None:
            raise AnnouncementError(name, "needs a time zone (e.g. +08:00)")
        if value is not None and not YEARS[0] <= value.year <= YEARS[1]:
            raise AnnouncementError(name, f"a year from {YEARS[0]} to {YEARS[1]}")
    if ends_at <= starts_at:
        raise AnnouncementError("ends_at", "must be after starts_at")
    if ends_at - starts_at > MAX_SPAN:
        raise AnnouncementError("ends_at", f"at most {MAX_SPAN.days} days after starts_at")
    if recovery_at is not None and not starts_at <= recovery_at <= ends_at:
        raise AnnouncementError("recovery_at", "must lie between starts_at and ends_at")


def check_districts(given: Iterable[str], known: Mapping[str, str]) -> tuple[str, ...]:
    """The districts as slugs of the agency directory (slug or Chinese name accepted)."""
    slugs: list[str] = []
    for text in given:
        slug = next((s for s, name in known.items() if text in (s, name, name.rstrip("区"))),
                    None)
        if slug is None:
            raise AnnouncementError("districts", f"unknown district {text!r}; one of "
                                    f"{sorted(known)}")
        if slug not in slugs:
            slugs.append(slug)
    return tuple(slugs)


def check_text(text: str) -> str:
    text = text.strip()
    if not 1 <= len(text) <= MAX_TEXT:
        raise AnnouncementError("text", f"1-{MAX_TEXT} characters")
    return text


def active(outages: Iterable[Outage], now: datetime) -> list[Outage]:
    """The announcements in force, newest first."""
    return sorted((o for o in outages if o.active(now)), key=lambda o: o.starts_at,
                  reverse=True)


def notices(outages: Iterable[Outage], now: datetime) -> tuple[Notice, ...]:
    """What a caller hears before the main menu (at most MAX_NOTICES)."""
    return tuple(notice_of(o) for o in active(outages, now)[:MAX_NOTICES])


def notice_of(outage: Outage) -> Notice:
    recovery = None
    if outage.recovery_at is not None:
        local = outage.recovery_at.astimezone(SHANGHAI)
        recovery = (local.hour, local.minute)
    return Notice(outage.incident_id, outage.utility, outage.kind, recovery)


def incident_for(outages: Sequence[Outage], utility: Utility | None, district: str | None,
                 now: datetime) -> Outage | None:
    """The announcement whose parent incident a call or order about `utility` joins."""
    return next((o for o in active(outages, now) if o.covers(utility, district)), None)


def incident_id_for(starts_at: datetime, seq: int) -> str:
    """A readable parent incident id: the Shanghai day and the announcement's number."""
    return f"INC{starts_at.astimezone(SHANGHAI):%Y%m%d}-{seq:04d}"
