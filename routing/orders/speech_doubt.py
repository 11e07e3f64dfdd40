"""What an order's words leave in doubt, for the people who act on it (issues 11 and 13).

Pure: from the order's stored fields. The speech analysis sets `keys_words_disagree` when the
keys and the words disagree or the classifier was unsure of what the keys left open, and keeps
its reasons in `speech["reasons"]` (ari_app/speech.py). A doubtful order dispatched by the
system went to its unit with no person having looked at the doubt; the unit is told so.
"""

from __future__ import annotations

from typing import Any

UNSPECIFIED = "keys and words disagree"


def speech_doubts(*, keys_words_disagree: bool, speech: dict[str, Any] | None) -> list[str]:
    """Why the words leave the order in doubt; [] when they do not."""
    if not keys_words_disagree:
        return []
    reasons = (speech or {}).get("reasons") or []
    return [str(reason) for reason in reasons] or [UNSPECIFIED]


def unit_doubt(*, keys_words_disagree: bool, speech: dict[str, Any] | None,
               auto_dispatch_rule: str | None) -> dict[str, Any] | None:
    """The doubt as the unit sees it: the reasons and whether an agent reviewed the order
    before it was sent (a doubtful order the system dispatched was not reviewed)."""
    reasons = speech_doubts(keys_words_disagree=keys_words_disagree, speech=speech)
    if not reasons:
        return None
    return {"reasons": reasons, "reviewed": auto_dispatch_rule is None}
