"""Order numbers hold a surge day and parse back, old and new (routing/orders/order_numbers.py)."""

from __future__ import annotations

import pytest

from routing.orders.order_numbers import (
    MAX_SEQUENCE,
    OrderNumbersExhausted,
    format_number,
    parse_number,
)


def test_a_quiet_days_numbers_keep_ten_digits() -> None:
    assert format_number("261205", 1) == "2612050001"
    assert format_number("261205", 9_999) == "2612059999"


def test_a_surge_day_goes_on_with_more_digits() -> None:
    assert format_number("261205", 10_000) == "26120510000"
    assert format_number("261205", 10_001) == "26120510001"
    assert format_number("261205", 100_000) == "261205100000"


def test_every_sequence_of_a_day_has_its_own_number_and_parses_back() -> None:
    numbers = {format_number("261205", n) for n in range(1, 120_001)}
    assert len(numbers) == 120_000
    assert all(parse_number(format_number("261205", n)) == ("261205", n)
               for n in (1, 999, 9_999, 10_000, 10_001, 99_999, 100_000, MAX_SEQUENCE))


def test_old_numbers_still_parse() -> None:
    assert parse_number("2612050042") == ("261205", 42)


@pytest.mark.parametrize("text", ["261205", "261205001", "2612050010000", "26120500001",
                                  "x612050001", "26120512345678"])
def test_what_is_not_an_order_number_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_number(text)


def test_past_the_format_the_day_is_exhausted_loudly() -> None:
    with pytest.raises(OrderNumbersExhausted):
        format_number("261205", MAX_SEQUENCE + 1)
