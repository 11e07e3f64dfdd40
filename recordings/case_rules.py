"""Which SLA case the caller's words suggest (recordings/cases.yaml). Pure, except
`load_case_rules`, the only function reading the file.

A rule names a case of the SLA table (routing/orders/sla_policy.yaml), the (utility, order types)
it is suggested for, the hazards of lexicon.yaml that say it and its own words. The words
are heard like the lexicon's (characters, or pinyin from two syllables); the hazards were
already heard, near homophones included, by `recordings.hazards`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from recordings.lexicon import Term, make_term
from recordings.matching import find_matches
from recordings.textnorm import Syllables
from routing.enums import OrderType, Utility

CASES_FILE = Path(__file__).resolve().parent / "cases.yaml"
_NAME = re.compile(r"^[a-z0-9_]{1,32}$")


class CaseRuleError(ValueError):
    """cases.yaml does not have the expected shape."""


@dataclass(frozen=True)
class CaseRule:
    name: str
    rows: frozenset[tuple[Utility, OrderType]]  # where the case is suggested
    hazards: frozenset[str]
    words: tuple[Term, ...]

    def fits(self, utility: Utility | None, order_type: OrderType | None) -> bool:
        return (utility, order_type) in self.rows


def _rows(name: str, spec: Any) -> frozenset[tuple[Utility, OrderType]]:
    if not isinstance(spec, Mapping) or not spec:
        raise CaseRuleError(f"cases.{name}.for: a mapping of utility -> [order types]")
    try:
        return frozenset((Utility(u), OrderType(t)) for u, types in spec.items() for t in types)
    except (ValueError, TypeError) as exc:
        raise CaseRuleError(f"cases.{name}.for: {exc}") from None


def _rule(name: str, spec: Any, hazard_names: frozenset[str]) -> CaseRule:
    if not _NAME.match(name) or not isinstance(spec, Mapping):
        raise CaseRuleError(f"cases.{name}: a row key of the SLA table with a mapping")
    if unknown := set(spec) - {"for", "hazards", "words"}:
        raise CaseRuleError(f"cases.{name}: unknown keys {sorted(unknown)}")
    hazards, words = spec.get("hazards") or [], spec.get("words") or []
    if stray := set(hazards) - hazard_names:
        raise CaseRuleError(f"cases.{name}.hazards: not in lexicon.yaml: {sorted(stray)}")
    if not hazards and not words:
        raise CaseRuleError(f"cases.{name}: needs hazards or words to be heard by")
    return CaseRule(name, _rows(name, spec.get("for")), frozenset(hazards),
                    tuple(make_term(str(w), name) for w in words))


def build_case_rules(data: Any, hazard_names: Iterable[str]) -> tuple[CaseRule, ...]:
    """The validated rules of a parsed cases.yaml; hazards must be lexicon.yaml's."""
    if not isinstance(data, Mapping) or not isinstance(data.get("cases"), Mapping):
        raise CaseRuleError("cases.yaml: a top-level `cases` mapping")
    known = frozenset(hazard_names)
    return tuple(_rule(str(name), spec, known) for name, spec in data["cases"].items())


@cache
def load_case_rules(hazard_names: frozenset[str], path: Path = CASES_FILE
                    ) -> tuple[CaseRule, ...]:
    return build_case_rules(yaml.safe_load(path.read_text(encoding="utf-8")), hazard_names)


def heard_cases(text: str, syls: Syllables, rules: Iterable[CaseRule],
                hazards: Iterable[str]) -> tuple[str, ...]:
    """The cases the words name, in the rules' order (the more specific first)."""
    heard_hazards = set(hazards)
    return tuple(
        rule.name for rule in rules
        if rule.hazards & heard_hazards or find_matches(text, syls, rule.words)
    )


def suggested_case(rules: Iterable[CaseRule], heard: Iterable[str], utility: Utility | None,
                   order_type: OrderType | None) -> str | None:
    """The first heard case that is suggested for this utility and order type."""
    by_name = {rule.name: rule for rule in rules}
    return next((name for name in heard
                 if name in by_name and by_name[name].fits(utility, order_type)), None)
