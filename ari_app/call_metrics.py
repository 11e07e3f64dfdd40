"""What a call measures of itself for the benchmarks: answer time and key -> next prompt.

Key -> next prompt is also split by Asterisk's own event timestamps: how long Asterisk took
from our play request to starting the prompt. That needs Asterisk and serve on one clock (the
sandbox's one machine); elsewhere clock skew makes it meaningless, and it is only reported.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


def asterisk_time(event: dict[str, Any]) -> float | None:
    """An ARI event's own timestamp (ms precision) as Unix seconds, if it has a readable one."""
    try:
        return datetime.strptime(event["timestamp"], "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
    except (KeyError, TypeError, ValueError):
        return None


@dataclass
class CallMetrics:
    answer_ms: float | None = None
    dtmf_to_prompt_ms: list[float] = field(default_factory=list)
    # Our share of it: key read off the websocket -> the play request leaving for Asterisk.
    dtmf_to_play_request_ms: list[float] = field(default_factory=list)
    # Asterisk's: the play request leaving -> the prompt started, by Asterisk's timestamp.
    play_request_to_started_ms: list[float] = field(default_factory=list)
    digit_seen_at: float | None = None  # set by the websocket reader, before the inbox
    pending_digit_at: float | None = None
    awaited_playback: str | None = None
    play_requested_at: float | None = None  # Unix seconds, to compare with Asterisk's

    def as_json(self) -> dict[str, Any]:
        return {"answer_ms": self.answer_ms, "dtmf_to_prompt_ms": self.dtmf_to_prompt_ms,
                "dtmf_to_play_request_ms": self.dtmf_to_play_request_ms,
                "play_request_to_started_ms": self.play_request_to_started_ms}

    def play_requested(self, playback_id: str) -> None:
        self.awaited_playback = playback_id
        if self.pending_digit_at is not None:
            self.dtmf_to_play_request_ms.append(
                round((time.monotonic() - self.pending_digit_at) * 1000, 2))
            self.play_requested_at = time.time()

    def playback_started(self, playback_id: str, asterisk_at: float | None = None) -> None:
        if self.pending_digit_at is not None and playback_id == self.awaited_playback:
            self.dtmf_to_prompt_ms.append(
                round((time.monotonic() - self.pending_digit_at) * 1000, 2))
            if asterisk_at is not None and self.play_requested_at is not None:
                self.play_request_to_started_ms.append(
                    round((asterisk_at - self.play_requested_at) * 1000, 1))
            self.pending_digit_at = self.play_requested_at = None


@dataclass(frozen=True, slots=True)
class PlaybackStarted:
    """Only measured, never given to the engine."""

    playback_id: str
    asterisk_at: float | None = None  # Asterisk's timestamp of the event, Unix seconds
