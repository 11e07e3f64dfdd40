"""Open311 service definitions come from the SLA table: every case a web service offers has
its Chinese name (console/open311_services.yaml), and only such services have metadata."""

from __future__ import annotations

import re

from console.open311_catalog import definition, load_catalog

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_every_case_of_a_web_service_has_a_chinese_name() -> None:
    catalog = load_catalog()
    assert "meter_well" in catalog.cases["water.maintenance"]
    unnamed = {(code, key) for code, cases in catalog.cases.items()
               for key, name in cases.items() if not HAN.search(name)}
    assert not unnamed, f"name them in console/open311_services.yaml: {sorted(unnamed)}"


def test_only_services_with_cases_announce_metadata() -> None:
    catalog = load_catalog()
    with_metadata = {s["service_code"] for s in catalog.services if s["metadata"]}
    assert with_metadata == set(catalog.cases) and len(catalog.services) == 9 * 5
    [attribute] = definition("gas.maintenance", catalog.cases["gas.maintenance"])["attributes"]
    assert attribute["values"][0] == {"key": "general", "name": "一般"}
