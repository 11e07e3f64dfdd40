"""Which SLA case a caller's words name (recordings/cases.yaml), on the fixtures' texts."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from recordings.case_rules import (
    CaseRuleError,
    build_case_rules,
    load_case_rules,
    suggested_case,
)
from recordings.lexicon import load_lexicon
from recordings.understanding import understand
from routing.enums import OrderType, Utility
from routing.orders.policy import load_policy

LEXICON = load_lexicon()
HAZARDS = frozenset(rule.name for rule in LEXICON.hazard_rules)
RULES = load_case_rules(HAZARDS)
LABELS = yaml.safe_load((Path(__file__).resolve().parents[1] / "fixtures" / "speech"
                         / "labels.yaml").read_text("utf-8"))


@pytest.mark.parametrize(("fixture", "utility", "order_type", "case"), [
    ("water_main_burst_01", Utility.WATER, OrderType.EMERGENCY_REPAIR, "burst"),
    ("water_quality_complaint_01", Utility.WATER, OrderType.COMPLAINT, "water_quality"),
    ("water_pressure_complaint_01", Utility.WATER, OrderType.COMPLAINT, "water_pressure"),
    ("water_meter_broken_01", Utility.WATER, OrderType.MAINTENANCE, "meter_replace"),
    ("manhole_cover_missing_01", Utility.WATER, OrderType.MAINTENANCE, "cover_missing"),
])
def test_the_fixture_texts_name_their_case(
    fixture: str, utility: Utility, order_type: OrderType, case: str
) -> None:
    heard = understand(LABELS[fixture]["text"], LEXICON, RULES).cases
    assert suggested_case(RULES, heard, utility, order_type) == case, heard


def test_a_case_is_only_suggested_for_its_rows() -> None:
    heard = understand(LABELS["water_main_burst_01"]["text"], LEXICON, RULES).cases
    assert suggested_case(RULES, heard, Utility.GAS, OrderType.EMERGENCY_REPAIR) is None
    assert understand("我想问一下水费怎么交", LEXICON, RULES).cases == ()
    assert understand("家里没气了，做不了饭", LEXICON, RULES).cases == ("no_gas_low_pressure",)


def test_every_suggested_case_is_a_row_of_the_sla_table() -> None:
    policy = load_policy()
    for rule in RULES:
        for utility, order_type in rule.rows:
            assert (utility, order_type, rule.name) in policy.rows, (rule.name, utility)


@pytest.mark.parametrize("bad", [
    {"cases": {"Burst!": {"for": {"water": ["emergency_repair"]}, "words": ["爆管"]}}},
    {"cases": {"burst": {"for": {"water": ["fixing"]}, "words": ["爆管"]}}},
    {"cases": {"burst": {"for": {"water": ["emergency_repair"]}, "hazards": ["volcano"]}}},
    {"cases": {"burst": {"for": {"water": ["emergency_repair"]}}}},
    {"cases": {"burst": {"for": {"water": ["emergency_repair"]}, "words": ["爆管"], "x": 1}}},
    {"rows": []},
])
def test_a_malformed_cases_file_is_refused(bad: dict[str, object]) -> None:
    with pytest.raises(CaseRuleError):
        build_case_rules(bad, HAZARDS)
