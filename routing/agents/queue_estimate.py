"""How long a waiting caller may expect to wait, as told to them in the queue (pure).

The plain figure: everyone before the caller, and the caller, each take an average handle
time, shared among the agents who serve the queue's skill —
(ahead + 1) × AHT / max(agents, 1). The AHT is the mean of the last few handle times the
ACD saw (from the agent's answer to the end of their after-call work), or a configured
default until there are any. Agents count while available or busy (ringing, on a call, in
after-call work), not while paused or logged out; with no skilled agent logged in at all
there is no estimate. The caller hears whole minutes, rounded up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

DEFAULT_HANDLE_SECONDS = 180.0
DEFAULT_HANDLE_WINDOW = 20


@dataclass(frozen=True, slots=True)
class HandleTimes:
    """The last `window` handle times in seconds, oldest first."""

    window: int = DEFAULT_HANDLE_WINDOW
    seconds: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if self.window < 1:
            raise ValueError("the handle-time window needs at least one call")

    def add(self, seconds: float) -> HandleTimes:
        kept = (*self.seconds, max(seconds, 0.0))[-self.window :]
        return replace(self, seconds=kept)

    def mean(self, default: float) -> float:
        """The rolling average handle time; `default` before any call was handled."""
        return sum(self.seconds) / len(self.seconds) if self.seconds else default


def expected_wait_seconds(ahead: int, agents: int, handle_seconds: float) -> float:
    return (ahead + 1) * handle_seconds / max(agents, 1)


def expected_wait_minutes(ahead: int, agents: int | None, handle_seconds: float) -> int | None:
    """Whole minutes, rounded up (at least 1); None when no skilled agent is logged in."""
    if agents is None:
        return None
    seconds = expected_wait_seconds(ahead, agents, handle_seconds)
    return max(1, math.ceil(seconds / 60))


def spoken_wait(minutes: int, max_minutes: int) -> tuple[int, bool]:
    """What the caller hears: (M, False) "about M minutes", (max, True) "more than max"."""
    return (max_minutes, True) if minutes > max_minutes else (minutes, False)
