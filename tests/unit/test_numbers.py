"""Counts as they are said: the prompt ids for 0..99."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivr.numbers import COUNT_ONE, COUNT_TEN, COUNT_TWO, count_prompts

SAID = {COUNT_ONE: "一", COUNT_TWO: "两", COUNT_TEN: "十", **{f"d_{n}": s for n, s in
        enumerate("零幺二三四五六七八九")}}


def spoken(n: int) -> str:
    return "".join(SAID[p] for p in count_prompts(n, "d_"))


@pytest.mark.parametrize(("n", "text"), [
    (0, "零"), (1, "一"), (2, "两"), (3, "三"), (9, "九"), (10, "十"), (11, "十一"),
    (12, "十二"), (15, "十五"), (20, "二十"), (21, "二十一"), (22, "二十二"), (30, "三十"),
    (99, "九十九"),
])
def test_counts_read_as_spoken(n: int, text: str) -> None:
    assert spoken(n) == text


@given(st.integers(min_value=0, max_value=99))
def test_never_the_phone_one_and_at_most_three_prompts(n: int) -> None:
    prompts = count_prompts(n, "d_")
    assert "d_1" not in prompts and 1 <= len(prompts) <= 3


@pytest.mark.parametrize("n", [-1, 100])
def test_out_of_range_is_refused(n: int) -> None:
    with pytest.raises(ValueError):
        count_prompts(n, "d_")
