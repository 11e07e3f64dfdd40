"""Standby staff (应急预备人员): each linked agency names 1-3 people it can send to the
hotline's seats in a call surge (L 3.1.2(5)④). Pure rules: who is on an agency's roster,
whether one more may be added, and what a called-in person may take.

The roster is the directory's list (routing/agencies/agencies.yaml, validated at load) plus the
people
supervisors add at run time; the bound is the directory's own, so it is stated once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from annotated_types import MaxLen

from routing.agencies.directory import Agency, AgencyDirectory, Person

# L 3.1.2(5)④ "指定1-3人": the bound the directory's `standby` field already enforces.
MAX_PER_AGENCY = next(m.max_length for m in Agency.model_fields["standby"].metadata
                      if isinstance(m, MaxLen))
# A called-in person is new to the seats: one skill level, below the center's own agents.
STANDBY_LEVEL = 1


class StandbyError(ValueError):
    """A roster change that breaks the rules; `status` is the HTTP answer it maps to."""

    def __init__(self, error_id: str, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.error_id, self.status = error_id, status


@dataclass(frozen=True, slots=True)
class Member:
    agency_id: str
    name: str
    phone: str
    from_directory: bool
    user_id: str | None = None  # set once called in


def agency_of(directory: AgencyDirectory, agency_id: str) -> Agency:
    agency = directory.agencies.get(agency_id)
    if agency is None:
        raise StandbyError("unknown-agency", f"unknown agency {agency_id!r}")
    return agency


def roster(agency: Agency, added: Iterable[Member]) -> list[Member]:
    """The agency's standby staff: the directory's first, then those added, one per name."""
    members = {p.name: Member(agency.id, p.name, p.phone, True) for p in agency.standby}
    for member in added:
        known = members.get(member.name)
        members[member.name] = member if known is None else Member(
            known.agency_id, known.name, known.phone, True, member.user_id)
    return list(members.values())


def check_addition(agency: Agency, current: list[Member], person: Person) -> None:
    if any(m.name == person.name for m in current):
        raise StandbyError("standby-exists", f"{person.name} is on the roster already", 409)
    if len(current) >= MAX_PER_AGENCY:
        raise StandbyError("standby-full", f"{agency.id} has {MAX_PER_AGENCY} standby staff "
                           "already (L 3.1.2(5)④: 1-3 per agency)")


def member_named(current: list[Member], name: str) -> Member:
    found = next((m for m in current if m.name == name), None)
    if found is None:
        raise StandbyError("not-on-roster", f"{name} is not on the standby roster", 404)
    if found.user_id is not None:
        raise StandbyError("called-in-already", f"{name} is logged in as {found.user_id}", 409)
    return found


def limited_skills(agency: Agency) -> dict[str, int]:
    """A called-in person takes only the calls of the utilities their agency handles."""
    return {utility.value: STANDBY_LEVEL for utility in agency.utilities}
