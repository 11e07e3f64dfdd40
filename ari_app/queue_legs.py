"""The queue's channels: a caller waiting for an agent, and the legs the queue originates."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Literal


@dataclass
class Waiter:
    call_id: str
    inbox: asyncio.Queue[Any]
    caller_number: str | None
    context: dict[str, Any]  # what the IVR learnt: shown to the agent on answer


# Which phone a leg we originated rings: an agent's, or the citizen's we call back.
LegKind = Literal["agent", "citizen"]


@dataclass
class Leg:
    """A channel we originated: an agent being rung, or a citizen being called back."""

    channel_id: str
    call_id: str
    agent_id: str
    kind: LegKind
    callback: bool
    answered: bool = False


def agent_caller_id(caller_number: str | None) -> str:
    """What the agent's phone shows: the citizen's number under the name 12319, so a desk
    phone or the browser softphone says who is calling; 12319 alone for a withheld number."""
    digits = "".join(c for c in caller_number or "" if c.isdigit() or c == "+")
    return f'"12319" <{digits}>' if digits else "12319"
