"""Listening in on calls (L 3.1.1 督查): who may, on which call, and how (pure).

The ARI side that carries a plan out is `ari_app.snoop`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from routing.orders.transitions import Role

# 值班督查, 业务科, 督查科 and the center's leaders supervise calls; agents and agencies do not.
SUPERVISING_ROLES = frozenset(
    {Role.DUTY_SUPERVISOR, Role.BUSINESS_SECTION, Role.SUPERVISION_SECTION, Role.LEADER}
)


class SnoopMode(StrEnum):
    LISTEN = "listen"  # hears both, says nothing
    WHISPER = "whisper"  # hears both, heard by the agent only
    BARGE = "barge"  # joins the conversation: heard by both


# ARI snoop directions per mode (spy: what the snoop hears; whisper: where it speaks).
DIRECTIONS: dict[SnoopMode, tuple[str, str] | None] = {
    SnoopMode.LISTEN: ("both", "none"),
    SnoopMode.WHISPER: ("both", "out"),  # "out" of the agent's leg = towards the agent
    SnoopMode.BARGE: None,  # no snoop: the supervisor joins the conversation's bridge
}


class SnoopRefused(Exception):
    def __init__(self, error_id: str, status: int, message: str) -> None:
        super().__init__(message)
        self.error_id, self.status = error_id, status


@dataclass(frozen=True)
class Conversation:
    """A caller bridged with an agent, as the ACD holds it."""

    call_id: str  # the caller's channel (the ACD's call id)
    agent_id: str
    agent_channel: str
    bridge_id: str


@dataclass(frozen=True)
class SnoopPlan:
    mode: SnoopMode
    conversation: Conversation
    spy: str | None
    whisper: str | None
    join_bridge: str | None  # barge: the conversation's bridge


def plan_snoop(*, mode: SnoopMode, target: str, role: Role,
               conversations: Iterable[Conversation]) -> SnoopPlan:
    """What to do for a supervisor's request on `target` (the caller's or the agent's
    channel id); SnoopRefused (403, 404) when they may not or there is no such call."""
    if role not in SUPERVISING_ROLES:
        raise SnoopRefused("role-not-allowed", 403, f"{role} may not listen to calls")
    found = next((c for c in conversations if target in (c.call_id, c.agent_channel)), None)
    if found is None:
        raise SnoopRefused("call-not-connected", 404,
                           f"no call {target} is connected to an agent now")
    directions = DIRECTIONS[mode]
    return SnoopPlan(
        mode=mode, conversation=found,
        spy=directions[0] if directions else None,
        whisper=directions[1] if directions else None,
        join_bridge=None if directions else found.bridge_id,
    )
