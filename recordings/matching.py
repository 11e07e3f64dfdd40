"""Finding lexicon terms in a transcript by characters and by pinyin: pure functions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from recordings.lexicon import Term
from recordings.textnorm import Syllables

# A pinyin-only match is a guess about what the engine misheard: worth less than the word.
PINYIN_DISCOUNT = 0.8


@dataclass(frozen=True)
class Match:
    term: Term
    start: int
    end: int
    by_pinyin: bool  # the characters differ; the sounds agree

    @property
    def weight(self) -> float:
        return self.term.weight * (PINYIN_DISCOUNT if self.by_pinyin else 1.0)

    def describe(self, text: str) -> str:
        said = text[self.start : self.end]
        heard = f"{said}~{self.term.text}" if self.by_pinyin else said
        return f"{heard}->{self.term.label}"


def _char_matches(text: str, term: Term) -> Iterable[Match]:
    start = text.find(term.text)
    while start >= 0:
        yield Match(term, start, start + len(term.text), by_pinyin=False)
        start = text.find(term.text, start + 1)


def _sounds_alike(term: Syllables, text: Syllables, at: int) -> bool:
    return all(term[k] & text[at + k] for k in range(len(term)))


def _pinyin_matches(text: str, syls: Syllables, term: Term) -> Iterable[Match]:
    if term.syllables is None:
        return
    size = len(term.syllables)
    for at in range(len(text) - size + 1):
        if text[at : at + size] != term.text and _sounds_alike(term.syllables, syls, at):
            yield Match(term, at, at + size, by_pinyin=True)


def find_matches(text: str, syls: Syllables, terms: Iterable[Term]) -> list[Match]:
    """Every occurrence of every term, overlapping or not."""
    found: list[Match] = []
    for term in terms:
        found.extend(_char_matches(text, term))
        found.extend(_pinyin_matches(text, syls, term))
    return found


def select_longest(matches: Iterable[Match]) -> list[Match]:
    """Non-overlapping matches, longest first, characters before pinyin; in text order.

    A longer term is the more specific reading of a span (节水龙头 over 水龙头), and a
    match on the written word beats one on its sound.
    """
    ranked = sorted(matches, key=lambda m: (m.start - m.end, m.by_pinyin, -m.weight, m.start))
    taken: list[Match] = []
    used: set[int] = set()
    for match in ranked:
        span = set(range(match.start, match.end))
        if not span & used:
            taken.append(match)
            used |= span
    return sorted(taken, key=lambda m: m.start)
