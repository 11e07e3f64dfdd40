"""Words of danger: which hazard a transcript names, by which clause, and how surely. Pure.

The rules come from the `hazards` section of recordings/lexicon.yaml, each citing the
clauses that make it an emergency. A word is found by its characters, by its pinyin
(然气漏 for 燃气漏) or, for the words a rule lists as `near_sound`, by a near homophone:
one syllable off by one typical telephone-band confusion (路汽 for 漏气: lu/lou). A near
match is a guess and counts at a low confidence; gas leak words tolerate it because a
missed leak costs far more than an agent's callback (G 3.1.4.4). Some words mean danger
only when the caller talks about a given utility (味道 with 燃气 is a leak, with 下水道 a
smell): they sit under `with_utility` and count only when that utility was understood.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from recordings.hazard_rules import HazardRule
from recordings.lexicon import Term
from recordings.matching import Match, find_matches
from recordings.textnorm import Syllables

# How far a hazard word's evidence goes, by how it was found (a flag's confidence).
HIT_CONFIDENCE = {"chars": 0.95, "pinyin": 0.75, "near": 0.45}
# A word that needs a utility's context (味道 with 燃气) says less on its own.
CONTEXT_FACTOR = 0.8
# Short context words sound like everyday words (闻到 ~ 问到): characters only below this.
CONTEXT_PINYIN_FROM = 3

# One-step confusions beyond those `textnorm.fuzzy` already folds: finals the 8 kHz band
# blurs (ou/u as in 漏/路, o/uo, an/ang) and initials regional accents swap (l/n, f/h, and
# r/l, r/y: many Shandong speakers say 然 close to 兰 or 言).
_NEAR_FINALS = frozenset(
    frozenset(p)
    for p in (("ou", "u"), ("o", "uo"), ("an", "ang"), ("ian", "iang"), ("uan", "uang"))
)
_NEAR_INITIALS = frozenset(frozenset(p) for p in (("l", "n"), ("f", "h"), ("r", "l"), ("r", "y")))
_INITIALS = tuple("bpmfdtnlgkhjqxrzcsyw")  # after fuzzy(): zh, ch, sh are z, c, s


@dataclass(frozen=True)
class HazardHit:
    rule: HazardRule
    match: Match
    how: str  # "chars", "pinyin" or "near"
    in_context: bool  # a `with_utility` word, counted because that utility was named

    @property
    def confidence(self) -> float:
        return HIT_CONFIDENCE[self.how] * (CONTEXT_FACTOR if self.in_context else 1.0)

    def describe(self, text: str) -> str:
        said = text[self.match.start : self.match.end]
        word = self.match.term.text
        heard = said if self.how == "chars" else f"{said}~{word} ({self.how})"
        return f"{heard}->{self.rule.name} [{', '.join(self.rule.clauses)}]"


def _split(syllable: str) -> tuple[str, str]:
    for initial in _INITIALS:
        if syllable.startswith(initial) and len(syllable) > len(initial):
            return initial, syllable[len(initial) :]
    return "", syllable


def _near(word: frozenset[str], heard: frozenset[str]) -> bool:
    for a in word:
        for b in heard:
            (ia, fa), (ib, fb) = _split(a), _split(b)
            if ia == ib and frozenset((fa, fb)) in _NEAR_FINALS:
                return True
            if fa == fb and ia and ib and frozenset((ia, ib)) in _NEAR_INITIALS:
                return True
    return False


def near_matches(text: str, syls: Syllables, term: Term) -> Iterable[Match]:
    """Spans that sound like `term` but for one syllable that is a near homophone."""
    if term.syllables is None or len(term.syllables) < 2:
        return
    size = len(term.syllables)
    for at in range(len(text) - size + 1):
        window = syls[at : at + size]
        off = [k for k in range(size) if not term.syllables[k] & window[k]]
        if len(off) == 1 and _near(term.syllables[off[0]], window[off[0]]):
            yield Match(term, at, at + size, by_pinyin=True)


def _covered(hit: Match, others: Iterable[Match]) -> bool:
    """Inside a longer word: 打不着火 (won't light) is no 着火 (fire)."""
    return any(
        m.start <= hit.start and hit.end <= m.end and m.end - m.start > hit.end - hit.start
        for m in others
    )


def _found(
    text: str, syls: Syllables, term: Term, rule: HazardRule, in_context: bool
) -> list[tuple[Match, str]]:
    found = [(m, "pinyin" if m.by_pinyin else "chars") for m in find_matches(text, syls, [term])]
    if in_context and len(term.text) < CONTEXT_PINYIN_FROM:
        found = [(m, how) for m, how in found if how == "chars"]
    if term.text in rule.near_sound:
        found += [(m, "near") for m in near_matches(text, syls, term)]
    return found


def find_hazards(
    text: str,
    syls: Syllables,
    terms: Iterable[Term],
    rules: Iterable[HazardRule],
    utility: str | None,
    longer_words: list[Match],
) -> list[HazardHit]:
    """Every hazard the text names; `longer_words` can cover (cancel) a hazard word."""
    by_name = {rule.name: rule for rule in rules}
    hits: list[HazardHit] = []
    for term in terms:
        rule = by_name.get(term.label)
        if rule is None:
            continue
        in_context = term.text in rule.context_words and term.text not in rule.words
        if in_context and rule.context_utility != utility:
            continue
        hits += [
            HazardHit(rule, m, how, in_context)
            for m, how in _found(text, syls, term, rule, in_context)
            if not _covered(m, longer_words)
        ]
    return hits
