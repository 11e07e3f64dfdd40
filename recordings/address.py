"""Where the caller says the problem is: district and address, from a transcript. Pure.

Callers give a place as a chain: district, road, a second road, a number, a landmark
("历下区 泉城路 100号", "经十路 和 舜耕路 路口"). The address starts at the first district
or known place and follows that chain while the next words still name a place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from recordings.lexicon import Lexicon
from recordings.matching import Match, find_matches, select_longest
from recordings.textnorm import Syllables

# A place name the list does not know: a short run of characters ending like a place does.
# It may not begin with a word that only links or points (的, 和, 这, 一...).
_GENERIC_PLACE = re.compile(
    r"(?![的和与跟在是有这那一上下里])[\u4e00-\u9fff]{1,5}?(?:大街|街道|大道|高架桥|大桥|小区|社区|大堤|公园|广场|路|街|村|桥|河)"
)
_NUMBER = re.compile(r"\d+(?:号楼|号院|号|单元|室|层|栋|楼)")
_POSITION = re.compile(
    r"十字路口|交叉口|路口|辅路|附近|旁边|门口|对面|[东西南北]侧|[往以][东西南北]"
    r"|公交站|地下通道|桥洞下|桥洞|桥下"
)
_CONNECTOR = re.compile(r"[和与跟]")
# Everyday words that end like a place but are not one.
_NOT_PLACES = frozenset({"马路", "走路", "修路", "道路", "封路", "过路", "一路", "过马路", "小河"})


@dataclass(frozen=True)
class Location:
    district: str | None
    address: str | None
    evidence: tuple[str, ...]


def _entity_starts(text: str, syls: Syllables, lexicon: Lexicon) -> dict[int, Match]:
    matches = find_matches(text, syls, (*lexicon.districts, *lexicon.places))
    return {m.start: m for m in select_longest(matches)}


def _place_at(text: str, pos: int, entities: dict[int, Match]) -> tuple[str, int] | None:
    """The place named at `pos`: a known one (canonical spelling) or a generic one."""
    if pos in entities:
        match = entities[pos]
        return match.term.text, match.end
    generic = _GENERIC_PLACE.match(text, pos)
    if generic and generic.group() not in _NOT_PLACES:
        return generic.group(), generic.end()
    return None


def _next_part(text: str, pos: int, entities: dict[int, Match]) -> tuple[str, int] | None:
    """The next piece of the address chain starting at `pos`, and where it ends."""
    for pattern in (_NUMBER, _POSITION):
        found = pattern.match(text, pos)
        if found:
            return found.group(), found.end()
    place = _place_at(text, pos, entities)
    if place:
        return place
    joiner = _CONNECTOR.match(text, pos) or (re.compile("的").match(text, pos))
    if joiner:
        after = _next_part(text, joiner.end(), entities)
        if after:
            return joiner.group() + after[0], after[1]
    return None


def _chain(text: str, anchor: Match, entities: dict[int, Match]) -> str:
    parts = [anchor.term.text]
    pos = anchor.end
    while (step := _next_part(text, pos, entities)) is not None:
        parts.append(step[0])
        pos = step[1]
    return "".join(parts)


def locate(text: str, syls: Syllables, lexicon: Lexicon) -> Location:
    """District (canonical full name) and address as said, from normalised text."""
    entities = _entity_starts(text, syls, lexicon)
    if not entities:
        return Location(None, None, ())
    ordered = sorted(entities.values(), key=lambda m: m.start)
    districts = [m for m in ordered if m.term.label != "place"]
    district = districts[0].term.label if districts else None
    anchor = districts[0] if districts else ordered[0]
    evidence = tuple(m.describe(text) for m in ordered)
    return Location(district, _chain(text, anchor, entities), evidence)
