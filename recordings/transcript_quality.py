"""Whether a transcript is words the caller said or the recogniser's known failures. Pure.

Whisper, given speech it cannot read (a voice unlike any it learned, a bad line), does not
return nothing: it writes its `initial_prompt` back, or loops on one phrase. Read as words,
such text names utilities and danger the caller never spoke (the prompt lists them all) or
hides what was said. The understanding lists it as a doubt so an agent listens to the
recording instead of a unit receiving a guess.
"""

from __future__ import annotations

import re

from recordings.engines import DOMAIN_PROMPT
from recordings.textnorm import normalize

# A run of this many characters of the prompt, in order, is the prompt written back.
ECHO_CHARS = 8
# One phrase of at least MIN_LOOP characters said LOOP_TIMES times in a row is a decoding loop.
MIN_LOOP = 2
LOOP_TIMES = 4
# A long transcript of mostly digits is the recogniser counting, not an address read out.
DIGITS_FROM = 12
DIGIT_SHARE = 0.6
_NOT_SPOKEN = re.compile(r"[^\w]|_")
_LOOP = re.compile(rf"(.{{{MIN_LOOP},}}?)\1{{{LOOP_TIMES - 1},}}")


def _spoken(text: str) -> str:
    return _NOT_SPOKEN.sub("", normalize(text))


def _echoes(text: str, prompt: str) -> bool:
    heard, said = _spoken(text), _spoken(prompt)
    return any(
        heard[i : i + ECHO_CHARS] in said for i in range(max(0, len(heard) - ECHO_CHARS + 1))
    )


def unreadable(text: str, prompt: str = DOMAIN_PROMPT) -> str | None:
    """Why `text` is not the caller's words (prompt echo, loop), or None when it may be."""
    if _echoes(text, prompt):
        return "transcript unreadable: the recogniser wrote its prompt back"
    spoken = _spoken(text)
    if _LOOP.search(spoken):
        return "transcript unreadable: the recogniser looped on one phrase"
    digits = sum(c.isdigit() for c in spoken)
    if len(spoken) >= DIGITS_FROM and digits > DIGIT_SHARE * len(spoken):
        return "transcript unreadable: mostly digits"
    return None
