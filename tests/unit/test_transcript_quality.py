"""A transcript that is the recogniser's failure, not the caller's words, is a doubt."""

from __future__ import annotations

import pytest

from recordings.engines import DOMAIN_PROMPT
from recordings.lexicon import load_lexicon
from recordings.transcript_quality import unreadable
from recordings.understanding import reconcile, understand
from routing.enums import OrderType, Utility


def test_given_the_prompt_written_back_then_it_is_unreadable() -> None:
    echo = "市民来电" + DOMAIN_PROMPT[20:60]
    assert unreadable(echo) == "transcript unreadable: the recogniser wrote its prompt back"


def test_given_a_phrase_looping_then_it_is_unreadable() -> None:
    assert "looped" in (unreadable("喂你好，我家我家我家我家我家我家") or "")


def test_given_a_run_of_digits_with_few_words_then_it_is_unreadable() -> None:
    assert unreadable("193193194191191193191193193191") == "transcript unreadable: mostly digits"


@pytest.mark.parametrize(
    "words",
    [
        "我家厨房燃气管道漏气了，味道很大，地址是历下区泉城路100号",
        "哈哈哈哈，路灯不亮",  # one character repeated is not a phrase loop
        "供水、停水、水表",  # a few prompt words are what callers say too
        "暖气不热，暖气不热，我要投诉",
        "我电话是13561234567，地址是经十路100号",  # a phone number and an address are words
    ],
)
def test_given_words_a_caller_says_then_they_are_readable(words: str) -> None:
    assert unreadable(words) is None


def test_given_keys_chose_everything_when_the_words_are_unreadable_then_an_agent_looks() -> None:
    understood = understand(DOMAIN_PROMPT, load_lexicon())
    assert any(d.startswith("transcript unreadable") for d in understood.doubts)
    result = reconcile(Utility.WATER, OrderType.MAINTENANCE, understood)
    assert result.disagreement
    assert any("transcript unreadable" in r for r in result.reasons)
