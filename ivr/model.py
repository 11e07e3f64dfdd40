"""The shape of an IVR flow file: typed nodes, checked field by field when loaded."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ivr.numbers import COUNT_PROMPTS, count_prompts
from routing.agents.queue_estimate import spoken_wait
from routing.enums import OrderType, Utility
from routing.floor.announcements import Notice, OutageKind

DTMF_KEYS = frozenset("0123456789*#")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CallVars(_Strict):
    """What the caller has told us so far; each menu choice may set some of it."""

    utility: Utility | None = None
    order_type: OrderType | None = None


class Choice(_Strict):
    next: str
    set: CallVars = CallVars()


class NoticeSpec(_Strict):
    """How an outage announcement is spoken from prompt pieces (routing/floor/announcements.py)."""

    intro: str
    utility_prefix: str
    planned: str
    unplanned: str
    recovery: str
    digit_prefix: str
    hour: str
    minute: str
    end: str

    def prompts_for(self, notice: Notice) -> tuple[str, ...]:
        kind = self.planned if notice.kind is OutageKind.PLANNED else self.unplanned
        spoken: tuple[str, ...] = (self.intro, self.utility_prefix + notice.utility.value, kind)
        if notice.recovery is not None:
            hour, minute = notice.recovery
            spoken += (self.recovery, *(self.digit_prefix + d for d in str(hour)), self.hour,
                       *(self.digit_prefix + d for d in f"{minute:02d}"), self.minute)
        return (*spoken, self.end)

    def all_prompts(self) -> list[str]:
        fixed = [self.intro, self.planned, self.unplanned, self.recovery, self.hour,
                 self.minute, self.end]
        return [*fixed, *(self.utility_prefix + u.value for u in Utility),
                *(self.digit_prefix + d for d in "0123456789")]


class MenuNode(_Strict):
    kind: Literal["menu"]
    intro: tuple[str, ...] = ()
    # Active outage announcements are heard after the intro, before the menu itself.
    notices: NoticeSpec | None = None
    prompts: tuple[str, ...]
    timeout_seconds: float = Field(gt=0, le=60)
    max_attempts: int = Field(ge=1, le=10)
    invalid_prompt: str
    no_input_prompt: str
    exhausted: str
    choices: dict[str, Choice]

    @field_validator("choices")
    @classmethod
    def _keys_are_dtmf(cls, choices: dict[str, Choice]) -> dict[str, Choice]:
        bad = [key for key in choices if key not in DTMF_KEYS]
        if bad:
            raise ValueError(f"menu keys must be one DTMF key each, not {bad}")
        if not choices:
            raise ValueError("a menu needs at least one choice")
        return choices


class Case(_Strict):
    when: CallVars
    next: str


class BranchNode(_Strict):
    kind: Literal["branch"]
    cases: tuple[Case, ...]
    otherwise: str


class PlayNode(_Strict):
    kind: Literal["play"]
    prompts: tuple[str, ...] = Field(min_length=1)
    interruptible: bool = True
    next: str


class RecordNode(_Strict):
    kind: Literal["record"]
    prompts: tuple[str, ...]
    max_seconds: int = Field(gt=0, le=600)
    max_silence_seconds: int = Field(gt=0, le=30)
    next: str


class OrderNode(_Strict):
    kind: Literal["order"]
    default_order_type: OrderType | None = None
    needs_agent: bool = False
    next: str


class ReadbackNode(_Strict):
    kind: Literal["readback"]
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    digit_prefix: str
    next: str


class WaitSpec(_Strict):
    """How a queued caller's expected wait is spoken (routing/agents/queue_estimate.py): "about M
    minutes", or beyond `max_minutes` "more than max_minutes minutes"; digits one by one."""

    before: str
    over: str
    after: str
    max_minutes: int = Field(ge=1, le=99)

    def prompts_for(self, minutes: int, digit_prefix: str) -> tuple[str, ...]:
        said, over = spoken_wait(minutes, self.max_minutes)
        return (self.over if over else self.before, *count_prompts(said, digit_prefix),
                self.after)

    def all_prompts(self) -> list[str]:
        return [self.before, self.over, self.after]


class QueueNode(_Strict):
    kind: Literal["queue"]
    prompts: tuple[str, ...] = ()
    unavailable: str
    # While waiting: "N callers before you", repeated; one key asks for a call-back instead.
    position_before: str
    position_after: str
    callback_offer: str
    # Between the place and the call-back offer: the expected wait, when one can be given.
    expected_wait: WaitSpec | None = None
    callback_key: str = Field(pattern=r"^[0-9*#]$")
    callback_confirmed: str
    announce_every_seconds: float = Field(gt=0, le=300)
    digit_prefix: str


class KnowledgeNode(_Strict):
    """Consultation self-service (L 3.2.3(1)): the caller says the question after a tone;
    when the knowledge base has a confident answer with a recorded reading, it is read out
    and the caller may then ask for an agent or leave a message; otherwise the recorded
    question becomes a consultation order, answered later (`unanswered`, an order node)."""

    kind: Literal["knowledge"]
    prompts: tuple[str, ...]
    max_seconds: int = Field(gt=0, le=120)
    max_silence_seconds: int = Field(gt=0, le=30)
    searching: tuple[str, ...] = ()  # heard while the words are looked up
    answer_intro: tuple[str, ...] = ()
    answer_prefix: str  # an entry's reading is the prompt answer_prefix + its slug
    after: tuple[str, ...] = Field(min_length=1)
    timeout_seconds: float = Field(gt=0, le=60)
    agent_key: str = Field(pattern=r"^[0-9*#]$")
    message_key: str = Field(pattern=r"^[0-9*#]$")
    agent: str
    message: str
    unanswered: str
    done: str


class HangupNode(_Strict):
    kind: Literal["hangup"]
    prompts: tuple[str, ...] = ()


Node = Annotated[
    MenuNode
    | BranchNode
    | PlayNode
    | RecordNode
    | OrderNode
    | ReadbackNode
    | QueueNode
    | KnowledgeNode
    | HangupNode,
    Field(discriminator="kind"),
]


class Flow(_Strict):
    start: str
    nodes: dict[str, Node]
    # A hazard heard in the caller's words -> the play node of its advice, played before the
    # call ends unless its prompts were played already (G 3.1.4.4: whenever a leak is told).
    hazard_advice: dict[str, str] = Field(default_factory=dict)


def successors(node: Node) -> list[str]:
    """Every node this one can lead to."""
    match node:
        case MenuNode():
            return [*(c.next for c in node.choices.values()), node.exhausted]
        case BranchNode():
            return [*(c.next for c in node.cases), node.otherwise]
        case QueueNode():
            return [node.unavailable]
        case KnowledgeNode():
            return [node.agent, node.message, node.unanswered, node.done]
        case HangupNode():
            return []
        case _:
            return [node.next]


def prompt_ids(node: Node) -> list[str]:
    """Every prompt id the node may play."""
    match node:
        case MenuNode():
            notices = node.notices.all_prompts() if node.notices else []
            return [*node.intro, *notices, *node.prompts, node.invalid_prompt,
                    node.no_input_prompt]
        case ReadbackNode():
            return [*node.before, *node.after, *(node.digit_prefix + d for d in "0123456789")]
        case QueueNode():
            return [
                *node.prompts,
                node.position_before,
                node.position_after,
                node.callback_offer,
                node.callback_confirmed,
                *(node.expected_wait.all_prompts() if node.expected_wait else []),
                *(node.digit_prefix + d for d in "0123456789"), *COUNT_PROMPTS,
            ]
        case KnowledgeNode():
            # The entries' readings are checked against the knowledge base when offered.
            return [*node.prompts, *node.searching, *node.answer_intro, *node.after]
        case PlayNode() | RecordNode() | HangupNode():
            return list(node.prompts)
        case _:
            return []
