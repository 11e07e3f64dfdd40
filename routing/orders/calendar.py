"""China's working-day calendar, and the hotline's rules for counting a time limit.

Working days follow the official State Council arrangement: weekends and public holidays are
off, make-up working days (调休, e.g. Sat 10 Oct 2026) are on. The data comes from the
`chinesecalendar` package, which only knows the years the State Council has published. For
a date outside its data we fall back to Monday–Friday and warn once per year, because a
deadline computed a little wrong is better than an order with no deadline at all.

How limits are counted (DOMAIN.md; kept in this one place, `limit_end`): "immediately" is the
acceptance instant; N minutes / hours / calendar days run from the acceptance instant (a day is
24 h); "same day" ends at 23:59:59 of the acceptance day; for N working days the acceptance day
is day 0 and the limit ends at 23:59:59 of the Nth working day after it. All in Asia/Shanghai.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import chinese_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The last second of a local day: where "same day" and working-day limits end.
END_OF_DAY = time(23, 59, 59)
_SATURDAY = 5

log = logging.getLogger(__name__)


class Unit(StrEnum):
    """How a limit is counted; the YAML table spells limits with these names."""

    IMMEDIATE = "immediate"
    SAME_DAY = "same_day"
    MINUTES = "minutes"
    HOURS = "hours"
    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"


POINT_UNITS = frozenset({Unit.IMMEDIATE, Unit.SAME_DAY})  # the ones that take no number
_ELAPSED = {Unit.MINUTES: "minutes", Unit.HOURS: "hours", Unit.CALENDAR_DAYS: "days"}


def require_aware(moment: datetime) -> None:
    """Refuse naive datetimes: a deadline needs to know which instant it starts from."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"datetime {moment.isoformat()} has no timezone")


def local_date(moment: datetime) -> date:
    """The calendar date of an aware instant in Asia/Shanghai."""
    require_aware(moment)
    return moment.astimezone(SHANGHAI).date()


def end_of_local_day(moment: datetime) -> datetime:
    """23:59:59 Asia/Shanghai of the day the instant falls on ("same day").

    An order taken within the day's last second is due at that instant, never before it
    (hypothesis found 23:59:59.000001).
    """
    return max(datetime.combine(local_date(moment), END_OF_DAY, tzinfo=SHANGHAI), moment)


class WorkingDayCalendar:
    """Working days per China's official calendar, with a Mon–Fri fallback."""

    def __init__(self) -> None:
        # One warning per year outside the data, not one per lookup (a lookup loop would
        # otherwise flood the log).
        self._warned_years: set[int] = set()

    def is_working_day(self, day: date) -> bool:
        """True on working days, including make-up working days on weekends."""
        if isinstance(day, datetime):
            raise TypeError("is_working_day takes a date; use local_date() for an instant")
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            self._warn_fallback(day.year)
            return day.weekday() < _SATURDAY

    def add_working_days(self, start_date: date, n: int) -> date:
        """The Nth working day after start_date (day 0); n == 0 gives start_date itself."""
        if n < 0:
            raise ValueError(f"working days must be >= 0, got {n}")
        day = start_date
        remaining = n
        while remaining:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_day_end(self, accepted_at: datetime, n: int) -> datetime:
        """23:59:59 Asia/Shanghai of the Nth working day after the acceptance day."""
        last_day = self.add_working_days(local_date(accepted_at), n)
        return datetime.combine(last_day, END_OF_DAY, tzinfo=SHANGHAI)

    def _warn_fallback(self, year: int) -> None:
        if year in self._warned_years:
            return
        self._warned_years.add(year)
        log.warning(
            "chinesecalendar has no data for %d; counting Mon-Fri as working days "
            "(public holidays and make-up days of that year are ignored)",
            year,
        )


def limit_end(
    unit: Unit, value: int | None, accepted_at: datetime, calendar: WorkingDayCalendar
) -> datetime:
    """When a limit of `value` `unit`s ends for an order accepted at accepted_at (aware)."""
    require_aware(accepted_at)
    if unit is Unit.IMMEDIATE:
        return accepted_at
    if unit is Unit.SAME_DAY:
        return end_of_local_day(accepted_at)
    if value is None or value < 0:
        raise ValueError(f"a limit in {unit} needs a non-negative number, got {value}")
    if unit is Unit.WORKING_DAYS:
        return calendar.working_day_end(accepted_at, value)
    return accepted_at + timedelta(**{_ELAPSED[unit]: value})
