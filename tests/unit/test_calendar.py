"""The working-day calendar: 2026 holidays and make-up days, weekends, and the Mon–Fri fallback.

Expected values follow the State Council's 2026 holiday arrangement as shipped by
chinesecalendar 1.11.0 (National Day: 1–7 Oct off, make-up working days Sun 20 Sep and
Sat 10 Oct; Mid-Autumn: Fri 25 Sep off), which agrees with DOMAIN.md.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import chinese_calendar
import pytest

from routing.orders.calendar import (
    SHANGHAI,
    Unit,
    WorkingDayCalendar,
    end_of_local_day,
    limit_end,
)

BEYOND_DATA = 2040  # a year chinesecalendar has no data for (it stops at 2026)


@pytest.fixture
def cal() -> WorkingDayCalendar:
    return WorkingDayCalendar()


@pytest.mark.parametrize("day", [date(2026, 10, d) for d in range(1, 8)])
def test_national_day_2026_is_off(cal: WorkingDayCalendar, day: date) -> None:
    assert not cal.is_working_day(day)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 10, 10), True),  # Sat, make-up day for National Day (DOMAIN.md)
        (date(2026, 9, 20), True),  # Sun, make-up day for National Day
        (date(2026, 10, 8), True),  # Thu, first day back
        (date(2026, 10, 11), False),  # Sun after the make-up Saturday
        (date(2026, 9, 25), False),  # Fri, Mid-Autumn Festival
        (date(2026, 2, 14), True),  # Sat, make-up day for the Spring Festival
        (date(2026, 2, 16), False),  # Mon, Spring Festival
        (date(2026, 3, 14), False),  # ordinary Saturday
        (date(2026, 3, 15), False),  # ordinary Sunday
        (date(2026, 3, 16), True),  # ordinary Monday
    ],
)
def test_weekends_holidays_and_make_up_days(
    cal: WorkingDayCalendar, day: date, working: bool
) -> None:
    assert cal.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 9, 30), 0, date(2026, 9, 30)),  # day 0 is the acceptance day itself
        (date(2026, 9, 30), 1, date(2026, 10, 8)),  # skips the whole holiday
        (date(2026, 9, 30), 3, date(2026, 10, 10)),  # the make-up Saturday counts
        (date(2026, 10, 9), 2, date(2026, 10, 12)),  # Sat 10 (1), Mon 12 (2)
        (date(2026, 3, 13), 1, date(2026, 3, 16)),  # Friday -> Monday
        (date(2026, 10, 3), 1, date(2026, 10, 8)),  # accepted on a holiday
    ],
)
def test_add_working_days(cal: WorkingDayCalendar, start: date, n: int, expected: date) -> None:
    assert cal.add_working_days(start, n) == expected


def test_add_working_days_refuses_negative(cal: WorkingDayCalendar) -> None:
    with pytest.raises(ValueError, match=">= 0"):
        cal.add_working_days(date(2026, 1, 5), -1)


def test_working_day_end_is_last_second_in_shanghai(cal: WorkingDayCalendar) -> None:
    due = cal.working_day_end(datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI), 2)
    assert due == datetime(2026, 10, 9, 23, 59, 59, tzinfo=SHANGHAI)
    assert due.utcoffset() == timedelta(hours=8)


def test_working_day_end_takes_the_local_day_of_a_utc_instant(cal: WorkingDayCalendar) -> None:
    # 16:30 UTC on 30 Sep is 00:30 on 1 Oct in Jinan: day 0 is the holiday, not 30 Sep.
    due = cal.working_day_end(datetime(2026, 9, 30, 16, 30, tzinfo=UTC), 1)
    assert due == datetime(2026, 10, 8, 23, 59, 59, tzinfo=SHANGHAI)


def test_naive_datetimes_are_refused(cal: WorkingDayCalendar) -> None:
    with pytest.raises(ValueError, match="no timezone"):
        cal.working_day_end(datetime(2026, 9, 30, 10, 0), 1)


def test_is_working_day_wants_a_date(cal: WorkingDayCalendar) -> None:
    with pytest.raises(TypeError):
        cal.is_working_day(datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI))


def test_fallback_premise_library_has_no_data() -> None:
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(BEYOND_DATA, 1, 2))


def test_fallback_is_monday_to_friday_and_warns_once_per_year(
    cal: WorkingDayCalendar, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="routing.orders.calendar"):
        assert cal.is_working_day(date(BEYOND_DATA, 10, 1))  # Mon (really National Day)
        assert not cal.is_working_day(date(BEYOND_DATA, 10, 6))  # Sat
        assert cal.add_working_days(date(BEYOND_DATA, 10, 5), 1) == date(BEYOND_DATA, 10, 8)
        assert cal.is_working_day(date(BEYOND_DATA + 1, 1, 1))  # Tue, another year
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [str(BEYOND_DATA) in r.getMessage() for r in warnings] == [True, False]
    assert str(BEYOND_DATA + 1) in warnings[1].getMessage()


def test_end_of_local_day() -> None:
    # 20:00 UTC on 30 Jun is 04:00 on 1 Jul in Jinan.
    assert end_of_local_day(datetime(2026, 6, 30, 20, 0, tzinfo=UTC)) == datetime(
        2026, 7, 1, 23, 59, 59, tzinfo=SHANGHAI
    )


ACCEPTED = datetime(2026, 10, 9, 23, 50, tzinfo=SHANGHAI)  # Fri before the make-up Saturday


@pytest.mark.parametrize(
    ("unit", "value", "expected"),
    [
        (Unit.IMMEDIATE, None, ACCEPTED),
        (Unit.SAME_DAY, None, datetime(2026, 10, 9, 23, 59, 59, tzinfo=SHANGHAI)),
        (Unit.MINUTES, 30, datetime(2026, 10, 10, 0, 20, tzinfo=SHANGHAI)),
        (Unit.HOURS, 8, datetime(2026, 10, 10, 7, 50, tzinfo=SHANGHAI)),
        (Unit.CALENDAR_DAYS, 2, datetime(2026, 10, 11, 23, 50, tzinfo=SHANGHAI)),
        (Unit.WORKING_DAYS, 2, datetime(2026, 10, 12, 23, 59, 59, tzinfo=SHANGHAI)),
    ],
)
def test_limit_end_counting_rules(
    cal: WorkingDayCalendar, unit: Unit, value: int | None, expected: datetime
) -> None:
    assert limit_end(unit, value, ACCEPTED, cal) == expected


def test_limit_end_needs_a_number_for_durations(cal: WorkingDayCalendar) -> None:
    with pytest.raises(ValueError, match="needs a non-negative number"):
        limit_end(Unit.HOURS, None, ACCEPTED, cal)


def test_same_day_never_ends_before_an_order_taken_in_its_last_second() -> None:
    late = datetime(2026, 11, 27, 23, 59, 59, 500_000, tzinfo=SHANGHAI)
    assert end_of_local_day(late) == late
    assert end_of_local_day(late.replace(second=58)) == late.replace(second=59, microsecond=0)
