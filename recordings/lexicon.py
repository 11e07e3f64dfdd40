"""The understanding vocabulary (recordings/lexicon.yaml) loaded into matchable terms.

Loading reads a file, so it lives here and not in `understanding`, which stays pure: load
once where a process starts (`load_lexicon()` caches per path) and pass the result in.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from recordings.hazard_rules import HazardRule, build_hazard_rules
from recordings.textnorm import HANZI, Syllables, normalize, syllables
from routing.enums import OrderType, Utility

LEXICON_FILE = Path(__file__).resolve().parent / "lexicon.yaml"

# Below two syllables pinyin alone says too little: 水 (shui) would match 睡 and 税. Request
# words are everyday words that engines rarely mishear, and at two syllables their sound
# turns up by chance (溅一 sounds like 建议): they match on pinyin only from three.
MIN_PINYIN_SYLLABLES = 2
MIN_PINYIN_SYLLABLES_REQUEST = 3


@dataclass(frozen=True)
class Term:
    """One word to look for, with what it says and how strongly."""

    text: str
    label: str  # a Utility or OrderType value, a district name, "place" or "hazard"
    weight: float
    syllables: Syllables | None  # None: match on characters only


@dataclass(frozen=True)
class Lexicon:
    utilities: tuple[Term, ...]
    order_types: tuple[Term, ...]
    hazards: tuple[Term, ...]  # label: the name of its rule in `hazard_rules`
    districts: tuple[Term, ...]  # label: the district's full name
    places: tuple[Term, ...]
    hazard_rules: tuple[HazardRule, ...] = ()


class LexiconError(ValueError):
    """lexicon.yaml does not have the expected shape."""


def make_term(
    text: str, label: str, weight: float = 1.0, *, min_pinyin: int | None = MIN_PINYIN_SYLLABLES
) -> Term:
    """A term in normalised form; pinyin matching for Chinese words of `min_pinyin`+ syllables.

    `min_pinyin=None`: characters only.
    """
    text = normalize(text)
    usable = (
        min_pinyin is not None and len(text) >= min_pinyin and HANZI.fullmatch(text) is not None
    )
    return Term(text, label, float(weight), syllables(text) if usable else None)


def _weighted(section: Any, allowed: set[str], where: str, min_pinyin: int) -> tuple[Term, ...]:
    if not isinstance(section, dict) or not set(section) <= allowed:
        raise LexiconError(f"{where}: keys must be among {sorted(allowed)}")
    terms: list[Term] = []
    for label, words in section.items():
        if not isinstance(words, dict):
            raise LexiconError(f"{where}.{label}: expected a mapping of word -> weight")
        terms.extend(
            make_term(str(word), label, float(weight), min_pinyin=min_pinyin)
            for word, weight in words.items()
        )
    return tuple(terms)


def _districts(section: Any) -> tuple[Term, ...]:
    if not isinstance(section, dict):
        raise LexiconError("districts: expected a mapping of name -> {short}")
    terms: list[Term] = []
    for name, spec in section.items():
        terms.append(make_term(name, name))
        short = (spec or {}).get("short")
        if short:
            terms.append(make_term(short, name, min_pinyin=None))
    return tuple(terms)


def build_lexicon(data: dict[str, Any]) -> Lexicon:
    """A lexicon from the parsed YAML document."""
    rules = build_hazard_rules(data.get("hazards"))
    return Lexicon(
        utilities=_weighted(
            data.get("utilities"), {u.value for u in Utility}, "utilities", MIN_PINYIN_SYLLABLES
        ),
        order_types=_weighted(
            data.get("order_types"),
            {t.value for t in OrderType},
            "order_types",
            MIN_PINYIN_SYLLABLES_REQUEST,
        ),
        hazards=tuple(
            make_term(w, r.name) for r in rules for w in dict.fromkeys((*r.words, *r.context_words))
        ),
        districts=_districts(data.get("districts")),
        places=tuple(make_term(w, "place") for w in data.get("places") or []),
        hazard_rules=rules,
    )


@cache
def load_lexicon(path: Path = LEXICON_FILE) -> Lexicon:
    """The lexicon in `path` (the packaged one by default), parsed once per process."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise LexiconError(f"{path}: top level must be a mapping")
    return build_lexicon(data)
