"""Fixed-budget sliding windows: at most `limit` events per `window` seconds per key.

Kept in the serving process (a flood is stopped where it arrives; nothing here must outlive
a restart). The clock is passed in, so the decisions are testable without waiting.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field


@dataclass
class SlidingWindow:
    limit: int
    window_s: float
    _seen: dict[str, deque[float]] = field(default_factory=dict)

    def take(self, key: str, now: float) -> int | None:
        """Count one event for `key`: None when allowed, else whole seconds to wait."""
        seen = self._seen.setdefault(key, deque())
        while seen and seen[0] <= now - self.window_s:
            seen.popleft()
        if len(seen) >= self.limit:
            return max(1, math.ceil(seen[0] + self.window_s - now))
        seen.append(now)
        self._forget_idle(now)
        return None

    def _forget_idle(self, now: float) -> None:
        if len(self._seen) > 10_000:  # many addresses once: drop those with nothing recent
            for key in [k for k, v in self._seen.items() if not v or v[-1] <= now - self.window_s]:
                del self._seen[key]

    def clear(self) -> None:
        self._seen.clear()
