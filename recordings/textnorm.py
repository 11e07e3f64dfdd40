"""Chinese text normalisation for understanding transcripts: pure functions, no I/O.

ASR output varies in ways that do not change what the caller said: traditional characters
(Whisper answers in them without a simplified prompt), digits or Chinese numerals, full- or
half-width punctuation, and above all homophones (然气 for 燃气). So matching works on
simplified text and, for words of two syllables or more, on toneless pinyin as well.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import cn2an
import opencc
from pypinyin import Style, pinyin

Syllables = tuple[frozenset[str], ...]

HANZI = re.compile(r"[\u4e00-\u9fff]+")

# Chinese numerals directly before a unit of an address or a measurement become digits
# (一百零八号 -> 108号) so addresses read the same whichever way the engine wrote them.
# Only before these units: elsewhere numerals are words (一直, 一下, 一闪一闪).
_NUMERAL_BEFORE_UNIT = re.compile(
    r"([零〇幺一二两三四五六七八九十百千]+)(?=号|栋|单元|室|层|户|度|米|公分|元|块钱)"
)
# Jinan names its grid roads with numerals (经十路, 纬二路): keep those in characters even
# when the engine wrote digits, so they match the road list.
_DIGITS_IN_ROAD = re.compile(r"(经|纬)(\d{1,2})(路)")

# Spoken-language variants that every engine produces; folded so that pinyin matching
# tolerates the usual Mandarin accent and ASR confusions (zh/z, ch/c, sh/s, -ing/-in,
# -eng/-en). -ang/-an is left apart: folding it made 装一 sound like 转移.
_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"))
_FUZZY_FINALS = (("ing", "in"), ("eng", "en"))


@cache
def _t2s() -> opencc.OpenCC:
    # Built once per process on first use: OpenCC reads its dictionaries when constructed.
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional characters to simplified; other text unchanged."""
    return str(_t2s().convert(text))


def _numeral_to_digits(match: re.Match[str]) -> str:
    spoken = match.group(1).replace("幺", "一").replace("〇", "零")
    try:
        return str(cn2an.cn2an(spoken, "smart"))
    except (ValueError, KeyError):
        # cn2an refuses some sequences (such as 十百); leave them as spoken.
        return match.group(1)


def _road_digits_to_numerals(match: re.Match[str]) -> str:
    return match.group(1) + str(cn2an.an2cn(match.group(2))) + match.group(3)


def normalize(text: str) -> str:
    """Simplified, half-width, whitespace-free text with address numbers as digits."""
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text)
    # Vosk separates words with spaces; Chinese does not use them.
    text = re.sub(r"\s+", "", text)
    text = _NUMERAL_BEFORE_UNIT.sub(_numeral_to_digits, text)
    return _DIGITS_IN_ROAD.sub(_road_digits_to_numerals, text)


def fuzzy(syllable: str) -> str:
    """A toneless syllable folded onto its accent-insensitive form (sheng -> sen)."""
    for long, short in _FUZZY_INITIALS:
        if syllable.startswith(long):
            syllable = short + syllable[len(long) :]
            break
    for long, short in _FUZZY_FINALS:
        if syllable.endswith(long):
            return syllable[: -len(long)] + short
    return syllable


def syllables(text: str) -> Syllables:
    """One set of possible fuzzy readings per character of `text` (same length as text).

    Every reading of a polyphonic character is kept (长 is chang or zhang): the engine may
    have chosen either character for the sound, so both must be able to match.
    """
    result: list[frozenset[str]] = [frozenset({ch}) for ch in text]
    for run in HANZI.finditer(text):
        readings = pinyin(run.group(), style=Style.NORMAL, heteronym=True, errors="default")
        if len(readings) != len(run.group()):
            continue  # pypinyin grouped characters it does not know; keep them as-is
        for offset, options in enumerate(readings):
            result[run.start() + offset] = frozenset(fuzzy(s) for s in options)
    return tuple(result)
