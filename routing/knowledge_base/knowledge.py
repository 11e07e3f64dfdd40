"""The knowledge base's rules: what an entry is, the seed table, and how a question finds
its answers. Pure: no I/O beyond reading the seed file when asked to.

Search works on characters, not words: Chinese has no spaces and callers' wording varies
(暖气不热 / 屋里不暖和), so a query is cut into overlapping character pairs (bigrams) and
single characters, and an entry scores by how many of them its title, tags and answer
share, the title and tags weighing more. For a few hundred answers that is faster than a
database round trip and works the same on PostgreSQL and SQLite, with no segmenter to
install or train.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from routing.enums import Utility
from routing.knowledge_base.knowledge_text import tidy

DEFAULT_SEED_PATH = Path(__file__).with_name("knowledge.yaml")
MAX_TITLE = 120
MAX_ANSWER = 2000
MAX_TAGS = 20
MAX_QUERY = 200
_WORDS = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]+")
# Characters too common in questions to tell one answer from another.
_FILLER = frozenset("的了吗呢吧啊么怎样什哪是在有我你他她们个这那要会能就都和与及或请问")
# Question words every caller uses: they tell no answer from another (什么时候, 多长时间).
_FILLER_PAIRS = frozenset({"怎么", "什么", "时候", "多久", "多长", "时间", "一下", "可以", "能不",
                           "不能", "是不", "不是", "多少", "哪里", "为什", "请问", "你们", "我们"})
# Words callers and the standards use for one thing (暖气 / 供热 / 采暖 are all heating):
# folded to one spelling before the text is cut, so a question need not use the entry's word.
_SYNONYMS = {"供暖": ("供热", "采暖", "暖气", "取暖"), "燃气": ("天然气", "煤气"),
             "井盖": ("井盖子", "盖子"), "消火栓": ("消防栓",), "水费": ("水钱",)}
_FOLD = {word: canonical for canonical, words in _SYNONYMS.items() for word in words}
_SAME_THING = re.compile("|".join(sorted(_FOLD, key=len, reverse=True)))


def _canonical(match: re.Match[str]) -> str:
    return _FOLD[match.group(0)]


# How much a gram the base never uses counts against a match: a little, so a caller's own
# story does not bury the words that matter, yet one shared pair in a stray sentence is
# not an answer.
_UNKNOWN_SHARE = 0.5
_WEIGHTS = (("title", 3.0), ("tags", 3.0), ("answer", 1.0))


class KnowledgeError(ValueError):
    """An entry or the seed table breaks a rule; the message says which."""


class EntryText(BaseModel):
    """What a person writes: checked the same whether it comes from the seed or the API."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    utility: Utility | None = None
    title: str = Field(min_length=2, max_length=MAX_TITLE)
    answer: str = Field(min_length=2, max_length=MAX_ANSWER)
    tags: list[str] = Field(default_factory=list, max_length=MAX_TAGS)
    # An answer that rests on nothing is an opinion: the center publishes commitments only.
    clauses: list[str] = Field(min_length=1, max_length=12)
    valid_from: date | None = None
    valid_to: date | None = None

    @field_validator("title", "answer")
    @classmethod
    def _tidy(cls, text: str) -> str:
        return tidy(text)

    @field_validator("tags", "clauses")
    @classmethod
    def _short_items(cls, items: list[str], info: ValidationInfo) -> list[str]:
        cleaned = [i.strip() for i in items if i.strip()]
        if any(len(i) > 40 for i in cleaned):
            raise ValueError("each tag or clause is at most 40 characters")
        if info.field_name == "clauses" and not cleaned:  # blank clauses cite nothing
            raise ValueError("an answer cites at least one clause")
        return cleaned


class SeedEntry(EntryText):
    slug: str = Field(pattern=r"^[a-z0-9-]{3,64}$")


class Seed(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    owner: str
    review_months: int = Field(ge=1, le=36)
    entries: list[SeedEntry] = Field(min_length=1)


@dataclass(frozen=True)
class Searchable:
    """An entry as search sees it (what the repository hands over)."""

    id: int
    utility: Utility | None
    title: str
    answer: str
    tags: tuple[str, ...]
    valid_from: date | None = None
    valid_to: date | None = None

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to)


def load_seed(path: Path | None = None) -> Seed:
    """The seed table, validated: unique slugs, known utilities, a clause on every answer."""
    source = path or DEFAULT_SEED_PATH
    try:
        seed = Seed.model_validate(yaml.safe_load(source.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise KnowledgeError(f"{source}: {exc}") from exc
    slugs = [e.slug for e in seed.entries]
    dupes = sorted({s for s in slugs if slugs.count(s) > 1})
    if dupes:
        raise KnowledgeError(f"{source}: slugs used twice: {', '.join(dupes)}")
    for entry in seed.entries:
        check_validity(entry.valid_from, entry.valid_to)
    return seed


def check_validity(valid_from: date | None, valid_to: date | None) -> None:
    if valid_from and valid_to and valid_to < valid_from:
        raise KnowledgeError("valid_to is before valid_from")


def grams(text: str) -> frozenset[str]:
    """Character pairs of every run of letters, plus single characters that carry meaning."""
    found: set[str] = set()
    for run in _WORDS.findall(_SAME_THING.sub(_canonical, text.lower())):
        found.update(c for c in run if c not in _FILLER)
        pairs = (run[i:i + 2] for i in range(len(run) - 1))
        found.update(p for p in pairs if p not in _FILLER_PAIRS and not set(p) & _FILLER)
    return frozenset(found)


@dataclass(frozen=True)
class Index:
    """Entries cut into grams once, and how telling each gram is (rarer = more telling)."""

    entries: tuple[Searchable, ...]
    fields: tuple[dict[str, frozenset[str]], ...]
    weight: dict[str, float]

    @classmethod
    def of(cls, entries: Iterable[Searchable]) -> Index:
        kept = tuple(entries)
        fields = tuple({"title": grams(e.title), "tags": grams(" ".join(e.tags)),
                        "answer": grams(e.answer)} for e in kept)
        seen = Counter(g for f in fields for g in frozenset().union(*f.values()))
        # Inverse document frequency; a single character counts half a pair.
        weight = {g: math.log(1 + len(kept) / n) * (1.0 if len(g) > 1 else 0.5)
                  for g, n in seen.items()}
        return cls(kept, fields, weight)


def score(query: frozenset[str], fields: dict[str, frozenset[str]],
          weight: dict[str, float]) -> float:
    """How much of what the query says that the base knows at all an entry covers, 0..1.

    Words the base never uses (a caller's own story) count little against it; an entry must
    share at least one pair of characters, since single characters match too easily.
    """
    shared = [g for g in query if g in weight and any(g in f for f in fields.values())]
    if not any(len(g) > 1 for g in shared):
        return 0.0
    best = {g: max(w for name, w in _WEIGHTS if g in fields[name]) for g in shared}
    top = max(w for _, w in _WEIGHTS)
    unknown = [g for g in query if g not in weight]
    mass = sum(weight[g] for g in query if g in weight) + _UNKNOWN_SHARE * sum(
        1.0 if len(g) > 1 else 0.5 for g in unknown)
    return sum(weight[g] * best[g] for g in shared) / (top * mass)


def search(query: str, entries: Iterable[Searchable] | Index, *, utility: Utility | None,
           today: date, limit: int = 5, floor: float = 0.3) -> list[tuple[Searchable, float]]:
    """The best entries valid today, the caller's utility first among equals.

    With a utility, entries of other utilities still compete (a heating caller may ask about
    the hotline itself), but an entry of the caller's utility or of none gets a small lift.
    """
    found = entries if isinstance(entries, Index) else Index.of(entries)
    wanted = grams(query[:MAX_QUERY])
    ranked: list[tuple[float, Searchable, float]] = []
    for entry, fields in zip(found.entries, found.fields, strict=True):
        value = score(wanted, fields, found.weight) if entry.valid_on(today) else 0.0
        lifted = value * (1.25 if utility is not None and entry.utility in (utility, None)
                          else 1.0)
        if lifted >= floor:
            ranked.append((lifted, entry, round(value, 3)))
    ranked.sort(key=lambda found: (-found[0], found[1].id))
    return [(entry, value) for _, entry, value in ranked[:limit]]


def for_utility(entries: Sequence[Searchable], utility: Utility, *, today: date,
                limit: int = 3) -> list[Searchable]:
    """The entries the IVR may offer a caller of one utility, in the table's order."""
    return [e for e in entries if e.utility is utility and e.valid_on(today)][:limit]
