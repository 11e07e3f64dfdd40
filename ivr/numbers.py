"""Counts read out the way they are said before a measure word (pure).

Order numbers are read digit by digit with 幺 for 1, as on the phone; a count is not: "您前面
还有两位", "预计等待约十五分钟". Counts use the digit prompts for 3-9 and three of their own.
"""

from __future__ import annotations

COUNT_ONE, COUNT_TWO, COUNT_TEN = "count_one", "count_two", "count_ten"  # 一, 两, 十
COUNT_PROMPTS = (COUNT_ONE, COUNT_TWO, COUNT_TEN)
MAX_COUNT = 99


def count_prompts(n: int, digit_prefix: str) -> tuple[str, ...]:
    """0..99 as spoken: 1 一, 2 两, 10 十, 12 十二, 20 二十, 35 三十五 (prompt ids)."""
    if not 0 <= n <= MAX_COUNT:
        raise ValueError(f"a spoken count is 0..{MAX_COUNT}, not {n}")
    tens, units = divmod(n, 10)
    if tens == 0:
        return (COUNT_TWO,) if units == 2 else (_digit(units, digit_prefix),)
    spoken = [] if tens == 1 else [_digit(tens, digit_prefix)]
    spoken.append(COUNT_TEN)
    if units:
        spoken.append(_digit(units, digit_prefix))
    return tuple(spoken)


def _digit(d: int, digit_prefix: str) -> str:
    # Inside a number 1 is 一 (十一, 二十一), never the phone's 幺; 2 stays 二 (二十, 十二).
    return COUNT_ONE if d == 1 else digit_prefix + str(d)
