"""Each wallboard window's sums over settled calls, slid forward with the clock (pure).

A settled call has ended and will not change again. It counts in a window by two parts: its
start (a call, of a utility) and its entry into the agents' line (a wait that ended answered,
within the bar or not, abandoned, or as a callback). Each part is added to the sums of every
window that holds it when the call settles. As the window's start passes it, it is taken off
again. A recount then walks only the calls still changing: at 200 calls, a few hundred
instead of the last hour's thousands.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from dataclasses import dataclass
from datetime import datetime, timedelta

from routing.floor.wallboard import CallRecord, Tally, WallboardPolicy, ended_wait

TODAY = "today"


@dataclass(frozen=True)
class Part:
    at: datetime
    utility: str | None = None  # a start
    wait: tuple[str, bool] | None = None  # an entry into the line: (how it ended, within)

    def count(self, tally: Tally, sign: int) -> None:
        if self.wait is None:
            tally.count_start(self.utility, sign)
        else:
            tally.count_wait(*self.wait, sign=sign)


class SettledSums:
    """The sums of settled calls for each window of the policy, and today's from `day_start`."""

    def __init__(self, policy: WallboardPolicy, day_start: datetime, now: datetime) -> None:
        self.answer_seconds = policy.service_level.answer_seconds
        self.lengths = {f"{m}m": timedelta(minutes=m) for m in policy.windows_minutes}
        self.longest = max(self.lengths.values())
        self.day_start, self.now = day_start, now
        self.sums = {name: Tally() for name in [*self.lengths, TODAY]}
        self.parts: list[Part] = []  # by time: those the longest window may still hold

    def add(self, record: CallRecord) -> None:
        """Sum a settled call (ended, at or before the last slide)."""
        for part in self._parts_of(record):
            if part.at >= self.day_start:
                part.count(self.sums[TODAY], 1)
            for name, length in self.lengths.items():
                if self.now - length <= part.at <= self.now:
                    part.count(self.sums[name], 1)
            if part.at >= self.now - self.longest:
                insort(self.parts, part, key=_at)

    def slide(self, now: datetime) -> None:
        """Take off the parts that left each window between the last slide and `now`."""
        if now < self.now:
            raise ValueError("the sums slide forward only")
        for name, length in self.lengths.items():
            low = bisect_left(self.parts, self.now - length, key=_at)
            high = bisect_left(self.parts, now - length, key=_at)
            for part in self.parts[low:high]:
                part.count(self.sums[name], -1)
        self.now = now
        del self.parts[:bisect_left(self.parts, now - self.longest, key=_at)]

    def _parts_of(self, record: CallRecord) -> list[Part]:
        parts = [Part(record.started_at, utility=record.utility)]
        if record.queued_at is not None:
            parts.append(Part(record.queued_at, wait=ended_wait(record, self.answer_seconds)))
        return parts


def _at(part: Part) -> datetime:
    return part.at
