"""Order numbers: the Shanghai day (YYMMDD) and the day's sequence, at least four digits.

A quiet day's numbers stay ten digits (2612050001), short enough to read back by phone; a
surge day goes on past 9,999 with more digits (26120510000, then 261205100000), up to
999,999 orders a day. The day always has six digits, so every number — the old ones too —
parses back to one (day, sequence), and no two sequences of a day share a number.
"""

from __future__ import annotations

import re

MIN_DIGITS = 4
MAX_SEQUENCE = 999_999  # six digits: ten times the 100,000 a day the center plans for
_NUMBER = re.compile(r"^(\d{6})(\d{4,6})$")


class OrderNumbersExhausted(RuntimeError):
    """More orders in one day than the format holds."""


def format_number(day: str, sequence: int) -> str:
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise OrderNumbersExhausted(f"order {sequence} of day {day}: 1..{MAX_SEQUENCE} only")
    return f"{day}{sequence:0{MIN_DIGITS}d}"


def parse_number(number: str) -> tuple[str, int]:
    """(YYMMDD, sequence) of an order number, or ValueError."""
    found = _NUMBER.match(number)
    if found is None or (len(found.group(2)) > MIN_DIGITS and found.group(2)[0] == "0"):
        raise ValueError(f"not an order number: {number!r}")
    return found.group(1), int(found.group(2))
