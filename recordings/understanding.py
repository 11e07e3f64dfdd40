"""What a caller's words say: utility, order type, emergency, district, address, the SLA
cases named (recordings/cases.yaml). Pure.

No I/O: the lexicon is loaded by `recordings.lexicon.load_lexicon()` and passed in. Words
are matched on simplified characters and on pinyin, because ASR errors are mostly
homophones (然气 for 燃气, 公暖 for 供暖). `reconcile` sets the result beside the keys the
caller pressed: the keys choose the menu, the words can disagree, and words of danger
always raise the emergency flag. Danger leans safe: a gas leak heard only as a near
homophone (路汽 for 漏气) still raises the flag, with a low `emergency_confidence` and the
hazard, clause and heard words in `hazards` so the agent knows to call back and check.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from recordings.address import locate
from recordings.case_rules import CaseRule, heard_cases
from recordings.classifier import EMERGENCY_FROM, Reading, TextClassifier, read
from recordings.hazards import HazardHit, find_hazards
from recordings.lexicon import Lexicon
from recordings.matching import Match, find_matches, select_longest
from recordings.textnorm import Syllables, normalize, syllables
from recordings.transcript_quality import unreadable
from routing.enums import OrderType, Utility

# Below this score a utility is a guess from a single weak word (河, 马路): say none.
MIN_UTILITY_SCORE = 2.0
# A score at which one label is as sure as the lexicon can make it (a weight-5 word).
STRONG_SCORE = 5.0
# Ties between order types go to the one that costs most to miss.
TYPE_PRIORITY = (
    OrderType.EMERGENCY_REPAIR,
    OrderType.COMPLAINT,
    OrderType.SUGGESTION,
    OrderType.HELP,
    OrderType.CONSULTATION,
    OrderType.MAINTENANCE,
)
UTILITY_ORDER = tuple(Utility)
UTILITY_VALUES = frozenset(u.value for u in Utility)


@dataclass(frozen=True)
class Understanding:
    """What the words say. `order_type_is_default`: no word named a type (maintenance).

    `emergency_confidence`: how surely the words say emergency (0 when they do not);
    `hazards`: each danger heard, as "heard~word (how)->hazard [clauses]".
    """

    text: str
    utility: Utility | None
    order_type: OrderType | None
    emergency: bool
    district: str | None
    address: str | None
    confidence: float
    order_type_is_default: bool
    evidence: tuple[str, ...]
    emergency_confidence: float = 0.0
    hazards: tuple[str, ...] = ()
    cases: tuple[str, ...] = ()  # SLA cases the words name (recordings/cases.yaml)
    hazard_names: tuple[str, ...] = ()  # the hazard rules heard (gas_leak, ...)
    # What the trained classifier left unsure (recordings/classifier.py): for the review list.
    doubts: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "utility": self.utility.value if self.utility else None,
            "order_type": self.order_type.value if self.order_type else None,
            "emergency": self.emergency,
            "district": self.district,
            "address": self.address,
            "confidence": self.confidence,
            "emergency_confidence": self.emergency_confidence,
            "hazards": list(self.hazards),
            "cases": list(self.cases),
            "doubts": list(self.doubts),
        }


def _scores(matches: Iterable[Match]) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for match in matches:
        totals[match.term.label] += match.weight
    return dict(totals)


def _ranked(scores: dict[str, float], order: Iterable[str]) -> list[tuple[str, float]]:
    position = {label: i for i, label in enumerate(order)}
    return sorted(scores.items(), key=lambda kv: (-kv[1], position.get(kv[0], 99)))


def _certainty(ranked: list[tuple[str, float]]) -> float:
    """How clearly the best label wins (margin) and how much evidence it has (strength)."""
    if not ranked:
        return 0.0
    top = ranked[0][1]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    return (top / (top + second)) * min(1.0, top / STRONG_SCORE)


def _choose_utility(ranked: list[tuple[str, float]]) -> Utility | None:
    if not ranked or ranked[0][1] < MIN_UTILITY_SCORE:
        return None
    return Utility(ranked[0][0])


def _choose_type(
    ranked: list[tuple[str, float]], utility: Utility | None
) -> tuple[OrderType | None, bool]:
    if ranked:
        return OrderType(ranked[0][0]), False
    # A utility named with no request word is a fault report: maintenance.
    return (OrderType.MAINTENANCE, True) if utility else (None, False)


def _utility_matches(text: str, syls: Syllables, lexicon: Lexicon) -> list[Match]:
    # District names claim their span first: 天桥区 is a place, not an overpass (天桥).
    pool = (*lexicon.utilities, *lexicon.districts)
    return [
        m for m in select_longest(find_matches(text, syls, pool)) if m.term.label in UTILITY_VALUES
    ]


def _danger(
    order_type: OrderType | None, types: list[tuple[str, float]], hazards: list[HazardHit]
) -> tuple[bool, float]:
    """The emergency flag and its surest evidence: a hazard word or the type words."""
    by_type = _certainty(types) if order_type is OrderType.EMERGENCY_REPAIR else None
    if by_type is None and not hazards:
        return False, 0.0
    return True, max([by_type or 0.0, *(h.confidence for h in hazards)])


def _type_with_danger(
    order_type: OrderType | None, is_default: bool, hazards: list[HazardHit]
) -> tuple[OrderType | None, bool]:
    # L 3.2.1(2): danger to public safety makes it 抢险抢修 whatever else was asked, as
    # `reconcile` will; the words asked for (consultation, ...) stay in the evidence.
    return (OrderType.EMERGENCY_REPAIR, False) if hazards else (order_type, is_default)


def _learned(
    reading: Reading, rules: tuple[Utility | None, OrderType | None, bool, float]
) -> tuple[Utility | None, OrderType | None, bool, float]:
    """Utility and type from the trained classifier, which carries over to wording the
    lexicon never listed; the rules' reading stands where the model knew no word."""
    utility = Utility(reading.utility.label) if reading.utility.label else rules[0]
    if reading.order_type.label is None:
        return utility, rules[1], rules[2], rules[3]
    confidence = 0.6 * reading.utility.confidence + 0.4 * reading.order_type.confidence
    return utility, OrderType(reading.order_type.label), False, confidence


def _learned_danger(reading: Reading | None, emergency: bool, danger: float) -> tuple[bool, float]:
    # The net leans safe: a fair chance of 抢险抢修 in the model raises the flag too, with
    # its probability as the confidence so an agent (or the call) checks a weak one.
    if reading is None or reading.emergency_probability < EMERGENCY_FROM:
        return emergency, danger
    return True, max(danger, reading.emergency_probability) if emergency else (
        reading.emergency_probability
    )


def understand(
    transcript: str,
    lexicon: Lexicon,
    cases: tuple[CaseRule, ...] = (),
    model: TextClassifier | None = None,
) -> Understanding:
    """Everything the words say about the request; never raises on any text. With the case
    rules, also which SLA cases the words name (burst, cover missing, no gas, ...); with the
    trained classifier (recordings.classifier.load_classifier()), utility and type are its
    reading, and what it is unsure of is listed in `doubts`."""
    text = normalize(transcript)
    syls = syllables(text)
    utility_matches = _utility_matches(text, syls, lexicon)
    type_matches = select_longest(find_matches(text, syls, lexicon.order_types))
    utilities = _ranked(_scores(utility_matches), [u.value for u in UTILITY_ORDER])
    types = _ranked(_scores(type_matches), [t.value for t in TYPE_PRIORITY])
    utility = _choose_utility(utilities)
    order_type, is_default = _choose_type(types, utility)
    confidence = 0.6 * _certainty(utilities) + 0.4 * _certainty(types) if utility else 0.0
    reading = read(model, text) if model else None
    if reading:
        utility, order_type, is_default, confidence = _learned(
            reading, (utility, order_type, is_default, confidence)
        )
    hazards = find_hazards(
        text, syls, lexicon.hazards, lexicon.hazard_rules, utility and utility.value, type_matches
    )
    place = locate(text, syls, lexicon)
    emergency, danger = _danger(order_type, types, hazards)
    emergency, danger = _learned_danger(reading, emergency, danger)
    order_type, is_default = _type_with_danger(order_type, is_default, hazards)
    if emergency:
        order_type, is_default = OrderType.EMERGENCY_REPAIR, False
    evidence = [m.describe(text) for m in (*utility_matches, *type_matches)]
    heard = tuple(dict.fromkeys(h.describe(text) for h in hazards))
    return Understanding(
        text=text,
        utility=utility,
        order_type=order_type,
        emergency=emergency,
        district=place.district,
        address=place.address,
        # A flag resting on a guess makes the whole reading a guess: the agent should check.
        confidence=round(min(confidence, danger) if emergency else confidence, 2),
        order_type_is_default=is_default,
        evidence=(*evidence, *heard, *place.evidence),
        emergency_confidence=round(danger, 2),
        hazards=heard,
        cases=heard_cases(text, syls, cases, (h.rule.name for h in hazards)),
        hazard_names=tuple(dict.fromkeys(h.rule.name for h in hazards)),
        doubts=_doubts(transcript, reading),
    )


def _doubts(transcript: str, reading: Reading | None) -> tuple[str, ...]:
    garbled = unreadable(transcript)
    return (*(reading.doubts if reading else ()), *([garbled] if garbled else []))


@dataclass(frozen=True)
class Reconciled:
    """Keys and words side by side; `utility`/`order_type` are what the order should get."""

    utility: Utility | None
    order_type: OrderType | None
    emergency: bool
    disagreement: bool
    keys_utility: Utility | None
    keys_type: OrderType | None
    spoken_utility: Utility | None
    spoken_type: OrderType | None
    reasons: tuple[str, ...]


def _disagreements(
    keys_utility: Utility | None, keys_type: OrderType | None, understood: Understanding
) -> list[str]:
    reasons = []
    if keys_utility and understood.utility and keys_utility != understood.utility:
        reasons.append(f"keys say {keys_utility.value}, words say {understood.utility.value}")
    spoken_type = None if understood.order_type_is_default else understood.order_type
    if keys_type and spoken_type and keys_type != spoken_type:
        reasons.append(f"keys say {keys_type.value}, words say {spoken_type.value}")
    return reasons


def _unsure(
    keys_utility: Utility | None, keys_type: OrderType | None, understood: Understanding
) -> list[str]:
    """The classifier's doubts about what the keys left to the words: an agent decides."""
    # Unreadable words could have said anything, danger included: always an agent's look.
    left = (
        ("utility", keys_utility is None),
        ("order type", keys_type is None),
        ("transcript", True),
    )
    return [
        f"words {doubt}"
        for doubt in understood.doubts
        if any(doubt.startswith(name) and open_ for name, open_ in left)
    ]


def reconcile(
    keys_utility: Utility | None, keys_type: OrderType | None, understood: Understanding
) -> Reconciled:
    """Keys win for the menu choice; words fill gaps and can only raise the emergency flag.

    Both readings are kept, and `disagreement` tells an agent to look at the order.
    """
    reasons = _disagreements(keys_utility, keys_type, understood)
    reasons += _unsure(keys_utility, keys_type, understood)
    words_emergency = understood.emergency and keys_type is not OrderType.EMERGENCY_REPAIR
    if words_emergency:
        reasons.append("words say emergency")
    order_type = keys_type or understood.order_type
    return Reconciled(
        utility=keys_utility or understood.utility,
        order_type=OrderType.EMERGENCY_REPAIR if understood.emergency else order_type,
        emergency=understood.emergency or keys_type is OrderType.EMERGENCY_REPAIR,
        disagreement=bool(reasons),
        keys_utility=keys_utility,
        keys_type=keys_type,
        spoken_utility=understood.utility,
        spoken_type=understood.order_type,
        reasons=tuple(reasons),
    )
