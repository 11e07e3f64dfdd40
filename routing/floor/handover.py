"""The shift handover record (L 3.1.2(2)): what it covers, what the server fills in from the
running system, and when the incoming supervisor may sign. Pure: facts in, record out.

The items and the blocking conditions are data (routing/floor/handover.yaml, citing the clause).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

POLICY_FILE = Path(__file__).with_name("handover.yaml")


class HandoverError(ValueError):
    def __init__(self, error_id: str, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.error_id, self.status = error_id, status


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    clause: str = Field(pattern=r"^L 3\.1\.2\(2\)")
    title: str = Field(min_length=1)
    live: bool


class HandoverPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    clause: str
    items: dict[str, Item] = Field(min_length=1)
    blockers: dict[str, str]
    near_deadline_hours: float = Field(gt=0, le=24)
    max_note_chars: int = Field(gt=0, le=10000)

    @model_validator(mode="after")
    def _known_blockers(self) -> HandoverPolicy:
        unknown = set(self.blockers) - {"calls_in_progress", "equipment_fault"}
        if unknown:
            raise ValueError(f"unknown blockers {sorted(unknown)}")
        return self

    @property
    def written(self) -> list[str]:
        return [key for key, item in self.items.items() if not item.live]

    @property
    def horizon(self) -> timedelta:
        return timedelta(hours=self.near_deadline_hours)


def load_policy(path: Path = POLICY_FILE) -> HandoverPolicy:
    return HandoverPolicy.model_validate(yaml.safe_load(path.read_text("utf-8")))


@dataclass(frozen=True, slots=True)
class DueOrder:
    number: str
    utility: str | None
    status: str
    due_at: datetime
    due: str  # which deadline: receipt or resolve


@dataclass(frozen=True, slots=True)
class LiveFacts:
    """What the running system says at handover time."""

    calls_in_progress: int
    calls_waiting: int
    agents_logged_in: int
    ari_connected: bool
    announcements: Sequence[Mapping[str, Any]]
    orders_due: Sequence[DueOrder]


def check_notes(policy: HandoverPolicy, notes: Mapping[str, str]) -> dict[str, str]:
    """The outgoing supervisor's written items: every one present, none unknown or too long."""
    unknown = set(notes) - set(policy.written)
    if unknown:
        raise HandoverError("unknown-item", f"unknown items {sorted(unknown)}; written items "
                            f"are {policy.written}")
    checked = {}
    for key in policy.written:
        text = notes.get(key, "").strip()
        if not 1 <= len(text) <= policy.max_note_chars:
            raise HandoverError("missing-item", f"{key} ({policy.items[key].title}): "
                                f"1-{policy.max_note_chars} characters "
                                f"({policy.items[key].clause})")
        checked[key] = text
    return checked


def prefill(policy: HandoverPolicy, facts: LiveFacts, now: datetime) -> dict[str, Any]:
    """The live items of the record, from the facts."""
    near = [o for o in facts.orders_due if o.due_at <= now + policy.horizon]
    return {
        "announcements": list(facts.announcements),
        "equipment": {"ari_connected": facts.ari_connected,
                      "agents_logged_in": facts.agents_logged_in},
        "outstanding": {
            "calls_in_progress": facts.calls_in_progress,
            "calls_waiting": facts.calls_waiting,
            "orders_overdue": sum(o.due_at < now for o in near),
            "orders_near_deadline": [
                {**asdict(o), "due_at": o.due_at.isoformat(), "overdue": o.due_at < now}
                for o in sorted(near, key=lambda o: o.due_at)],
        },
    }


def record(policy: HandoverPolicy, notes: Mapping[str, str], facts: LiveFacts,
           now: datetime) -> dict[str, Any]:
    """The whole record: each item with its clause and title, live or written."""
    values = {**prefill(policy, facts, now), **check_notes(policy, notes)}
    return {"clause": policy.clause,
            "items": {key: {"clause": item.clause, "title": item.title, "live": item.live,
                            "value": values[key]} for key, item in policy.items.items()}}


def blockers(policy: HandoverPolicy, facts: LiveFacts) -> list[str]:
    """Why the handover must wait (empty: the incoming supervisor may sign)."""
    found = []
    if "calls_in_progress" in policy.blockers and facts.calls_in_progress:
        found.append(f"{facts.calls_in_progress} call(s) still being handled "
                     f"({policy.blockers['calls_in_progress']})")
    if "equipment_fault" in policy.blockers and not facts.ari_connected:
        found.append(f"telephony (ARI) disconnected ({policy.blockers['equipment_fault']})")
    return found


def check_signing(outgoing: str, incoming: str, signed_in: datetime | None,
                  waiting_for: list[str]) -> None:
    if signed_in is not None:
        raise HandoverError("signed-already", "the incoming supervisor signed already", 409)
    if incoming == outgoing:
        raise HandoverError("same-supervisor", "the incoming supervisor must be another "
                            "person than the outgoing one", 409)
    if waiting_for:
        raise HandoverError("handover-paused", "; ".join(waiting_for), 409)
