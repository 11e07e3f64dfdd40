"""What the flow engine asks the telephony and storage adapters to do."""

from __future__ import annotations

from dataclasses import dataclass

from routing.enums import CallOutcome, OrderType, Utility


@dataclass(frozen=True, slots=True)
class Answer:
    pass


@dataclass(frozen=True, slots=True)
class Play:
    playback_id: str
    prompts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StopPlayback:
    playback_id: str


@dataclass(frozen=True, slots=True)
class StartTimer:
    token: int
    seconds: float


@dataclass(frozen=True, slots=True)
class Record:
    name: str
    max_seconds: int
    max_silence_seconds: int


@dataclass(frozen=True, slots=True)
class StopRecording:
    name: str


@dataclass(frozen=True, slots=True)
class CreateOrder:
    utility: Utility | None
    order_type: OrderType
    path: tuple[str, ...]
    recording_name: str | None
    needs_agent: bool


@dataclass(frozen=True, slots=True)
class EnterQueue:
    utility: Utility | None


@dataclass(frozen=True, slots=True)
class QueryPosition:
    """Ask the queue where this caller stands and how long they may wait; answered with a
    QueuePosition event."""


@dataclass(frozen=True, slots=True)
class RequestCallback:
    """Keep the caller's place in line; call them back when it is their turn."""


@dataclass(frozen=True, slots=True)
class LeaveQueue:
    pass


@dataclass(frozen=True, slots=True)
class FindAnswer:
    """Understand the recorded question and look for a confident answer with a reading;
    answered with an AnswerFound or AnswerNotFound event."""

    recording_name: str
    utility: Utility | None


@dataclass(frozen=True, slots=True)
class NoteSelfService:
    """Keep the record of a consultation answered by the IVR (no order is made)."""

    entry_id: int
    entry_version: int
    recording_name: str | None


@dataclass(frozen=True, slots=True)
class Hangup:
    pass


@dataclass(frozen=True, slots=True)
class EndSession:
    outcome: CallOutcome


Command = (
    Answer
    | Play
    | StopPlayback
    | StartTimer
    | Record
    | StopRecording
    | CreateOrder
    | EnterQueue
    | QueryPosition
    | RequestCallback
    | LeaveQueue
    | FindAnswer
    | NoteSelfService
    | Hangup
    | EndSession
)
