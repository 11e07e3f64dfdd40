"""The hazard rules of recordings/lexicon.yaml, parsed and validated. Pure (no matching here).

Each rule names a kind of danger, the clauses of the standards that make it an emergency, the
words that say it, and whether near homophones count (`near_sound`). Words under
`with_utility` mean danger only when the caller is talking about that utility. Matching
them against a transcript is `recordings.hazards`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from recordings.textnorm import normalize
from routing.enums import Utility

# The standards' clause references as the repository writes them: L 3.2.4(7), G 3.1.4.4.
_CLAUSE = re.compile(r"^[LGWH] \d+(\.\d+)*(\(\d+\))?[a-z]?$")


class HazardError(ValueError):
    """The hazards section of lexicon.yaml does not have the expected shape."""


@dataclass(frozen=True)
class HazardRule:
    """One kind of danger, the clause that makes it an emergency, and its words."""

    name: str
    clauses: tuple[str, ...]
    words: tuple[str, ...]  # danger on their own
    near_sound: frozenset[str]  # words that also count when one syllable is near
    context_utility: str | None  # the utility under which `context_words` mean danger
    context_words: tuple[str, ...]


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise HazardError(f"{where}: expected a non-empty list of strings")
    return tuple(value)


def _rule(name: str, spec: Any) -> HazardRule:
    if not isinstance(spec, dict) or not {"clauses", "words"} <= set(spec):
        raise HazardError(f"hazards.{name}: needs clauses and words")
    clauses = _strings(spec["clauses"], f"hazards.{name}.clauses")
    if bad := [c for c in clauses if not _CLAUSE.match(c)]:
        raise HazardError(f"hazards.{name}: not a clause reference: {bad}")
    context = spec.get("with_utility") or {}
    if not isinstance(context, dict) or len(context) > 1:
        raise HazardError(f"hazards.{name}.with_utility: one utility -> words")
    utility, words = next(iter(context.items()), (None, []))
    if utility is not None and utility not in {u.value for u in Utility}:
        raise HazardError(f"hazards.{name}.with_utility: unknown utility {utility!r}")
    own = tuple(normalize(w) for w in _strings(spec["words"], f"hazards.{name}.words"))
    where = f"hazards.{name}.with_utility"
    in_context = tuple(normalize(w) for w in _strings(words, where)) if utility else ()
    near = frozenset(normalize(w) for w in spec.get("near_sound") or [])
    if stray := near - set(own) - set(in_context):
        raise HazardError(f"hazards.{name}.near_sound: not among its words: {sorted(stray)}")
    return HazardRule(
        name=name,
        clauses=clauses,
        words=own,
        near_sound=near,
        context_utility=utility,
        context_words=in_context,
    )


def build_hazard_rules(section: Any) -> tuple[HazardRule, ...]:
    """The rules of the parsed `hazards` section, validated (HazardError if malformed).

    No section is no rules (a lexicon built for a test); an empty or malformed one is an error.
    """
    if section is None:
        return ()
    if not isinstance(section, dict) or not section:
        raise HazardError("hazards: expected a mapping of hazard name -> rule")
    return tuple(_rule(str(name), spec) for name, spec in section.items())
