"""Standby staff (L 3.1.2(5)④): 1-3 per agency, called in with their agency's skills only."""

from __future__ import annotations

import pytest

from routing.agencies.directory import Person, load_directory
from routing.dispatch import standby
from routing.dispatch.standby import Member, StandbyError


def test_the_bound_is_the_directorys_own() -> None:
    assert standby.MAX_PER_AGENCY == 3


def test_the_roster_is_the_directorys_staff_then_those_added_without_duplicates() -> None:
    water = load_directory().agencies["industry-water"]
    added = [Member(water.id, "新增备勤", "555-0199", False),
             Member(water.id, water.standby[0].name, water.standby[0].phone, False, "sb_1")]
    roster = standby.roster(water, added)
    assert [m.name for m in roster] == [*(p.name for p in water.standby), "新增备勤"]
    assert roster[0].from_directory and roster[0].user_id == "sb_1"  # called in already


def test_a_fourth_or_a_duplicate_is_refused() -> None:
    water = load_directory().agencies["industry-water"]
    roster = standby.roster(water, [])
    standby.check_addition(water, roster, Person(name="丙", phone="555-0198"))
    full = [*roster, *(Member(water.id, f"x{i}", "555-0100", False)
                       for i in range(standby.MAX_PER_AGENCY - len(roster)))]
    with pytest.raises(StandbyError) as refused:
        standby.check_addition(water, full, Person(name="丁", phone="555-0197"))
    assert refused.value.error_id == "standby-full"
    with pytest.raises(StandbyError) as refused:
        standby.check_addition(water, roster, Person(name=roster[0].name, phone="555-0197"))
    assert (refused.value.error_id, refused.value.status) == ("standby-exists", 409)


def test_a_called_in_person_takes_only_the_agencys_utilities() -> None:
    directory = load_directory()
    assert standby.limited_skills(directory.agencies["industry-gas"]) == {"gas": 1}
    district = next(a for a in directory.agencies.values() if a.district is not None)
    skills = standby.limited_skills(district)
    assert set(skills) == {u.value for u in district.utilities} and "gas" not in skills


def test_only_roster_members_not_yet_called_in_can_be_called_in() -> None:
    water = load_directory().agencies["industry-water"]
    roster = standby.roster(water, [Member(water.id, "已到岗", "555-0190", False, "sb_9")])
    assert standby.member_named(roster, water.standby[0].name).from_directory
    for name, error in (("陌生人", "not-on-roster"), ("已到岗", "called-in-already")):
        with pytest.raises(StandbyError) as refused:
            standby.member_named(roster, name)
        assert refused.value.error_id == error
    with pytest.raises(StandbyError, match="unknown agency"):
        standby.agency_of(load_directory(), "nobody")
