"""The agency directory (routing/agencies/agencies.yaml) and `route`, against the table of L 1.3(2).

Expected routes are written out by hand: water, heating, gas and water saving always go to
their industry unit; roads and bridges, rivers, street lights, drainage and flood control go
to the district unit when the district is known, otherwise to the industry unit.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from routing.agencies.directory import (
    DEFAULT_DIRECTORY_PATH,
    AgencyKind,
    DirectoryError,
    NeedsTriageError,
    RoutingError,
    UnknownDistrictError,
    load_directory,
    parse_directory,
    route,
)
from routing.enums import Utility

_RAW: dict[str, Any] = yaml.safe_load(DEFAULT_DIRECTORY_PATH.read_text(encoding="utf-8"))
_DIR = load_directory()
DISTRICTS = {
    "lixia": "历下区", "shizhong": "市中区", "huaiyin": "槐荫区", "tianqiao": "天桥区",
    "licheng": "历城区", "changqing": "长清区", "zhangqiu": "章丘区", "jiyang": "济阳区",
    "laiwu": "莱芜区", "gangcheng": "钢城区",
}
INDUSTRY_ONLY = ["water", "heating", "gas", "water_saving"]
DISTRICT_FIRST = ["road_bridge", "river", "streetlight", "drainage", "flood_control"]


def raw() -> dict[str, Any]:
    """A fresh, mutable copy of the shipped directory."""
    return copy.deepcopy(_RAW)


def agency_row(data: dict[str, Any], agency_id: str) -> dict[str, Any]:
    return next(row for row in data["agencies"] if row["id"] == agency_id)


# ------------------------------------------------------------------ the shipped directory
def test_directory_has_the_nine_industry_units_and_ten_district_units() -> None:
    kinds = [a.kind for a in _DIR.agencies.values()]
    assert kinds.count(AgencyKind.INDUSTRY) == 9
    assert kinds.count(AgencyKind.DISTRICT) == 10
    assert dict(_DIR.districts) == DISTRICTS
    assert set(_DIR.district_units) == set(DISTRICTS)
    assert _DIR.maintained_by


def test_every_agency_has_fake_contacts_standby_staff_and_no_secret() -> None:
    for agency in _DIR.agencies.values():
        assert agency.duty.sip == f"duty-{agency.id}"
        assert agency.duty.phone.startswith("555-")
        assert 1 <= len(agency.standby) <= 3  # L 3.1.2(5)④
        assert all(person.phone.startswith("555-") for person in agency.standby)
        assert "（示例）" in agency.name  # a role name, not a real company
    assert "webhook_secret:" not in DEFAULT_DIRECTORY_PATH.read_text(encoding="utf-8")


@pytest.mark.parametrize("utility", INDUSTRY_ONLY)
@pytest.mark.parametrize("district", [None, *DISTRICTS])
def test_network_utilities_always_go_to_their_industry_unit(
    utility: str, district: str | None
) -> None:
    assert route(_DIR, utility, district).id == f"industry-{utility.replace('_', '-')}"


@pytest.mark.parametrize("utility", DISTRICT_FIRST)
def test_facility_utilities_go_to_the_industry_unit_when_the_district_is_unknown(
    utility: str,
) -> None:
    assert route(_DIR, Utility(utility), None).id == f"industry-{utility.replace('_', '-')}"


@pytest.mark.parametrize("utility", DISTRICT_FIRST)
@pytest.mark.parametrize("district", list(DISTRICTS))
def test_facility_utilities_go_to_the_district_unit(utility: str, district: str) -> None:
    agency = route(_DIR, utility, district)
    assert agency.id == f"district-{district}"
    assert agency.district == district


@pytest.mark.parametrize("spelling", ["lixia", "历下区", "历下", " 历下区 "])
def test_district_may_be_given_as_slug_or_chinese_name(spelling: str) -> None:
    assert route(_DIR, "drainage", spelling).id == "district-lixia"


def test_route_is_deterministic() -> None:
    assert all(
        route(_DIR, u, d) is route(_DIR, u, d) for u in Utility for d in [None, *DISTRICTS]
    )


def test_an_unclassified_order_needs_triage_not_a_unit() -> None:
    with pytest.raises(NeedsTriageError):
        route(_DIR, None, "lixia")


def test_unknown_utility_or_district_is_refused() -> None:
    with pytest.raises(RoutingError, match="unknown utility"):
        route(_DIR, "electricity", None)
    with pytest.raises(UnknownDistrictError, match="高新区"):
        route(_DIR, "drainage", "高新区")


def test_override_wins_over_the_district_rule() -> None:
    data = raw()
    data["overrides"] = [{"utility": "river", "district": "laiwu", "agency": "industry-river"}]
    directory = parse_directory(data)
    assert route(directory, "river", "莱芜区").id == "industry-river"
    assert route(directory, "river", "钢城区").id == "district-gangcheng"


def test_district_unit_not_taking_a_utility_falls_back_to_industry() -> None:
    data = raw()
    agency_row(data, "district-jiyang")["utilities"] = ["road_bridge"]
    directory = parse_directory(data)
    assert route(directory, "streetlight", "jiyang").id == "industry-streetlight"
    assert route(directory, "road_bridge", "jiyang").id == "district-jiyang"


# -------------------------------------------------------------------- validation failures
def _unknown_utility(d: dict[str, Any]) -> None:
    agency_row(d, "industry-gas")["utilities"] = ["gas", "electricity"]


def _unknown_district(d: dict[str, Any]) -> None:
    agency_row(d, "district-lixia")["district"] = "gaoxin"


def _duplicate_id(d: dict[str, Any]) -> None:
    agency_row(d, "district-shizhong")["id"] = "district-lixia"


def _no_unit_for_a_utility(d: dict[str, Any]) -> None:
    d["agencies"] = [a for a in d["agencies"] if a["id"] != "industry-water-saving"]


def _secret_literal(d: dict[str, Any]) -> None:
    agency_row(d, "industry-water").update(
        webhook_url="https://agency.example.invalid/hook", webhook_secret_env="s3cr3t-Value")


def _secret_in_file(d: dict[str, Any]) -> None:
    agency_row(d, "industry-water")["webhook_secret"] = "s3cr3t"


def _extra_field(d: dict[str, Any]) -> None:
    agency_row(d, "industry-heating")["email"] = "duty@example.invalid"


def _four_standby(d: dict[str, Any]) -> None:
    person = {"name": "备勤（示例）", "phone": "555-0999"}
    agency_row(d, "industry-gas")["standby"] = [person] * 4


CASES = [
    (_unknown_utility, r"agency 3 \(industry-gas\).*utilities"),
    (_unknown_district, r"agency 10 \(district-lixia\): unknown district 'gaoxin'"),
    (_duplicate_id, r"agency 11 \(district-lixia\): duplicate id"),
    (_no_unit_for_a_utility, r"no industry unit able to take: \['water_saving'\]"),
    (_secret_literal, r"agency 1 \(industry-water\).*not a secret literal"),
    (_secret_in_file, r"agency 1 \(industry-water\).*webhook_secret must not be in the file"),
    (_extra_field, r"agency 2 \(industry-heating\).*email.*Extra inputs"),
    (_four_standby, r"agency 3 \(industry-gas\).*standby"),
]


@pytest.mark.parametrize(("mutate", "message"), CASES, ids=[c[0].__name__ for c in CASES])
def test_bad_directory_is_refused_naming_the_row(mutate: Any, message: str) -> None:
    data = raw()
    mutate(data)
    with pytest.raises(DirectoryError, match=message):
        parse_directory(data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "industry"}, "district is required for, and only for"),
        ({"utilities": ["drainage", "water"]}, r"\['water'\] route to industry units only"),
        ({"district": "lixia"}, "district lixia already has unit district-lixia"),
        ({"webhook_url": "https://x.example.invalid/h"}, "go together"),
        ({"webhook_url": "http://agency.example.invalid/h",
          "webhook_secret_env": "HOTLINE_AGENCY_SHIZHONG_WEBHOOK_SECRET"}, "must be https"),
    ],
)
def test_inconsistent_district_unit_is_refused(change: dict[str, Any], message: str) -> None:
    data = raw()
    agency_row(data, "district-shizhong").update(change)
    with pytest.raises(DirectoryError, match=rf"agency 11 \(district-shizhong\).*{message}"):
        parse_directory(data)


def test_two_industry_units_for_one_utility_are_ambiguous() -> None:
    data = raw()
    agency_row(data, "industry-river")["utilities"] = ["river", "drainage"]
    with pytest.raises(DirectoryError, match="drainage already has industry unit"):
        parse_directory(data)


def test_every_utility_needs_a_routing_rule_and_only_known_ones() -> None:
    data = raw()
    del data["routing"]["gas"]
    with pytest.raises(DirectoryError, match=r"no rule for \['gas'\]"):
        parse_directory(data)
    data = raw()
    data["routing"]["electricity"] = "industry"
    with pytest.raises(DirectoryError, match=r"routing\.electricity"):
        parse_directory(data)


def test_bad_override_is_refused() -> None:
    data = raw()
    data["overrides"] = [{"utility": "gas", "district": "lixia", "agency": "district-lixia"}]
    with pytest.raises(DirectoryError, match=r"override 1: .*district-lixia does not take gas"):
        parse_directory(data)


def test_loopback_http_webhook_with_env_name_is_accepted() -> None:
    data = raw()
    agency_row(data, "industry-water").update(
        webhook_url="http://127.0.0.1:9/hook",
        webhook_secret_env="HOTLINE_AGENCY_WATER_WEBHOOK_SECRET")
    agency = parse_directory(data).agencies["industry-water"]
    assert agency.webhook_secret_env == "HOTLINE_AGENCY_WATER_WEBHOOK_SECRET"


def test_unreadable_file_is_a_directory_error(tmp_path: Any) -> None:
    with pytest.raises(DirectoryError, match="cannot read"):
        load_directory(tmp_path / "missing.yaml")
    (tmp_path / "bad.yaml").write_text("agencies: [", encoding="utf-8")
    with pytest.raises(DirectoryError, match="cannot read"):
        load_directory(tmp_path / "bad.yaml")
