"""The knowledge base's pure rules: the seed table's checks and how questions find answers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routing.enums import Utility
from routing.knowledge_base.knowledge import (
    Index,
    KnowledgeError,
    Searchable,
    grams,
    load_seed,
    score,
    search,
)

TODAY = date(2026, 12, 5)


def _entries() -> list[Searchable]:
    return [Searchable(id=i, utility=e.utility, title=e.title, answer=e.answer,
                       tags=tuple(e.tags), valid_from=e.valid_from, valid_to=e.valid_to)
            for i, e in enumerate(load_seed().entries)]


def test_the_packaged_seed_loads_and_every_answer_cites_a_clause() -> None:
    seed = load_seed()
    assert len(seed.entries) >= 20
    assert all(e.clauses for e in seed.entries)
    assert {e.utility for e in seed.entries} >= {Utility.WATER, Utility.GAS, Utility.HEATING}


def test_a_seed_with_a_slug_twice_is_refused(tmp_path: Path) -> None:
    entry = ("  - {slug: same-one, title: 标题一, answer: 回答一, clauses: [L 3.2.3]}\n")
    path = tmp_path / "kb.yaml"
    path.write_text(f"version: 1\nowner: x\nreview_months: 12\nentries:\n{entry}{entry}",
                    encoding="utf-8")
    with pytest.raises(KnowledgeError, match="same-one"):
        load_seed(path)


def test_a_seed_answer_without_a_clause_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kb.yaml"
    path.write_text("version: 1\nowner: x\nreview_months: 12\nentries:\n"
                    "  - {slug: no-source, title: 标题, answer: 回答, clauses: []}\n",
                    encoding="utf-8")
    with pytest.raises(KnowledgeError, match="clauses"):
        load_seed(path)


@pytest.mark.parametrize(("question", "slug"), [
    ("闻到煤气味了怎么办", "gas-leak-what-to-do"),
    ("水表冻坏了", "water-meter-broken"),
    ("欠了水费会不会停水", "water-arrears"),
    ("燃气灶安装要等多久", "gas-appliance-install"),
    ("液化气罐漏气", "lpg-service"),
])
def test_a_question_finds_its_answer_first(question: str, slug: str) -> None:
    slugs = [e.slug for e in load_seed().entries]
    best = search(question, _entries(), utility=None, today=TODAY)
    assert best and slugs[best[0][0].id] == slug


def test_an_unrelated_question_finds_nothing() -> None:
    assert search("今天股票涨了吗", _entries(), utility=None, today=TODAY) == []


def test_an_entry_outside_its_validity_is_not_offered() -> None:
    entry = Searchable(id=1, utility=None, title="冬季供暖", answer="供暖期", tags=(),
                       valid_to=date(2026, 3, 15))
    assert search("供暖", [entry], utility=None, today=TODAY) == []
    assert search("供暖", [entry], utility=None, today=date(2026, 3, 1))


def test_the_callers_utility_ranks_its_answers_first() -> None:
    water = Searchable(id=1, utility=Utility.WATER, title="井盖丢了", answer="12小时修复", tags=())
    heating = Searchable(id=2, utility=Utility.HEATING, title="井盖丢了", answer="2小时到场",
                         tags=())
    ranked = search("井盖丢了", [water, heating], utility=Utility.HEATING, today=TODAY)
    assert [e.id for e, _ in ranked] == [2, 1]


INDEX = Index.of(_entries())


@given(st.text(max_size=60))
def test_a_score_is_between_nought_and_one(question: str) -> None:
    for fields in INDEX.fields[:5]:
        assert 0.0 <= score(grams(question), fields, INDEX.weight) <= 1.0


def test_one_shared_character_is_not_an_answer() -> None:
    assert search("今天天气怎么样", INDEX, utility=None, today=TODAY) == []
