"""What a call measures of itself for the benchmarks: answer time and key -> next prompt."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class CallMetrics:
    answer_ms: float | None = None
    dtmf_to_prompt_ms: list[float] = field(default_factory=list)
    # Our share of it: key read off the websocket -> the play request leaving for Asterisk.
    dtmf_to_play_request_ms: list[float] = field(default_factory=list)
    digit_seen_at: float | None = None  # set by the websocket reader, before the inbox
    pending_digit_at: float | None = None
    awaited_playback: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"answer_ms": self.answer_ms, "dtmf_to_prompt_ms": self.dtmf_to_prompt_ms,
                "dtmf_to_play_request_ms": self.dtmf_to_play_request_ms}

    def play_requested(self, playback_id: str) -> None:
        self.awaited_playback = playback_id
        if self.pending_digit_at is not None:
            self.dtmf_to_play_request_ms.append(
                round((time.monotonic() - self.pending_digit_at) * 1000, 2))

    def playback_started(self, playback_id: str) -> None:
        if self.pending_digit_at is not None and playback_id == self.awaited_playback:
            self.dtmf_to_prompt_ms.append(
                round((time.monotonic() - self.pending_digit_at) * 1000, 2))
            self.pending_digit_at = None


@dataclass(frozen=True, slots=True)
class PlaybackStarted:
    """Only measured, never given to the engine."""

    playback_id: str
