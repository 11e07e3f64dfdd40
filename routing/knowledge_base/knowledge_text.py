"""Text of a knowledge answer as it is stored and read aloud: standard library only, so the
prompt generator's separate TTS environment uses the very same rules."""

from __future__ import annotations

import hashlib
import re

# YAML folds a long answer's lines with a space; between Chinese characters it is noise.
_CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
_FOLDED = re.compile(rf"(?<={_CJK})\s+|\s+(?={_CJK})")


def tidy(text: str) -> str:
    return _FOLDED.sub("", text.strip())


def reading_key(answer: str) -> str:
    """What a recorded reading was made from: a reading is offered only while it matches."""
    return hashlib.sha256(tidy(answer).encode("utf-8")).hexdigest()[:16]
