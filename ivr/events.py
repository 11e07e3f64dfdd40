"""What happens on a call, as the flow engine sees it (adapters translate ARI into these)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CallStarted:
    """A new call entered the application."""


@dataclass(frozen=True, slots=True)
class CallReclaimed:
    """A call that was already ours is handed back after our process restarted."""


@dataclass(frozen=True, slots=True)
class DigitPressed:
    digit: str


@dataclass(frozen=True, slots=True)
class PlaybackDone:
    playback_id: str


@dataclass(frozen=True, slots=True)
class TimerExpired:
    token: int


@dataclass(frozen=True, slots=True)
class RecordingDone:
    name: str
    seconds: float | None = None


@dataclass(frozen=True, slots=True)
class RecordingFailed:
    name: str
    cause: str


@dataclass(frozen=True, slots=True)
class OrderCreated:
    number: str


@dataclass(frozen=True, slots=True)
class QueueUnavailable:
    """No agent can take the call now."""


@dataclass(frozen=True, slots=True)
class QueuePosition:
    """How many callers are before this one (0: next), and the minutes they may expect to
    wait (rounded up; None: the queue cannot estimate it)."""

    ahead: int
    wait_minutes: int | None = None


@dataclass(frozen=True, slots=True)
class AgentConnected:
    agent_id: str


@dataclass(frozen=True, slots=True)
class AgentLeft:
    """The agent ended the conversation."""


@dataclass(frozen=True, slots=True)
class AnswerFound:
    """The knowledge base answers the caller's question; `slug` names its reading."""

    entry_id: int
    entry_version: int
    slug: str


@dataclass(frozen=True, slots=True)
class AnswerNotFound:
    reason: str


@dataclass(frozen=True, slots=True)
class CallerHungUp:
    pass


@dataclass(frozen=True, slots=True)
class HazardsHeard:
    """The caller's recorded words named these hazards (recordings/hazards.py rule names)."""

    hazards: tuple[str, ...]


CallEvent = (
    CallStarted
    | CallReclaimed
    | DigitPressed
    | PlaybackDone
    | TimerExpired
    | RecordingDone
    | RecordingFailed
    | OrderCreated
    | QueueUnavailable
    | QueuePosition
    | AgentConnected
    | AgentLeft
    | AnswerFound
    | AnswerNotFound
    | CallerHungUp
    | HazardsHeard
)
