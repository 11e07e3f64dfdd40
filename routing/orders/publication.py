"""What of a citizen's request may be published (Open311 reads), as FixMyStreet does: the
problem, coarsened to its road and district, without the people in it.

Callers' numbers and addresses are personal information (L 3.1.4): a published description
has phone-number-like digit runs, e-mail addresses and names replaced; an address keeps
only its district and road, never the house number. Pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

HIDDEN = "＊＊"
# 7+ digits, maybe split by spaces, dashes or dots (0531-8888 8888, +86 138 0000 0000).
_PHONE = re.compile(r"\+?\d(?:[\s\-.]?\d){6,}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HAN = r"[\u4e00-\u9fff]"
# "我叫张三", "联系人：李四", "姓名 王五": the name after the words that introduce one.
_INTRODUCED = re.compile(rf"(我叫|我是|本人|姓名|名字|联系人|署名)([:：\s]*)({_HAN}{{2,3}})")
# "张先生", "王女士", "李师傅": a surname with a form of address.
_ADDRESSED = re.compile(rf"{_HAN}(?=(先生|女士|小姐|师傅|阿姨|大爷|大妈|老师))")
_MY_NAME = re.compile(r"(?i)\b(my name is|i am|i'm)\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?")
_DISTRICT = re.compile(rf"({_HAN}{{1,6}}?(?:新区|区|县))")
_ROAD = re.compile(rf"({_HAN}[\u4e00-\u9fff0-9A-Za-z]{{0,12}}?(?:大道|大街|路|街|巷|胡同))")


def redact(text: str, names: Iterable[str | None] = ()) -> str:
    """The text with phone numbers, e-mail addresses and names hidden; `names` are the
    ones the citizen gave (first_name, last_name), hidden wherever they appear."""
    text = _EMAIL.sub(HIDDEN, text)
    text = _PHONE.sub(HIDDEN, text)
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        text = text.replace(name, HIDDEN)
    text = _INTRODUCED.sub(lambda m: f"{m.group(1)}{m.group(2)}{HIDDEN}", text)
    text = _ADDRESSED.sub("＊", text)
    return _MY_NAME.sub(lambda m: f"{m.group(1)} {HIDDEN}", text)


def coarse_address(address: str | None, district_name: str | None = None) -> str | None:
    """District and road of an address ("历下区经十路100号3单元" → "历下区经十路"), or only
    the district when no road is named; None when neither is known."""
    district = district_name
    road = None
    if address:
        found = _DISTRICT.search(address)
        if found and district is None:
            district = found.group(1)
        rest = address[found.end():] if found else address
        named = _ROAD.search(rest)
        road = named.group(1) if named else None
    parts = [p for p in (district, road) if p]
    return "".join(parts) or None


def coarse_point(value: float | None) -> float | None:
    """A coordinate to three decimals (about 100 m): the street, not the door."""
    return None if value is None else round(value, 3)
