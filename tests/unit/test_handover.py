"""The shift handover record (L 3.1.2(2)): items, pre-filled facts, when signing waits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from routing.floor import handover
from routing.floor.handover import DueOrder, HandoverError, LiveFacts

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
NOTES = {"rooms": "座席室整洁，物品齐全", "hot_issues": "经十路停水来电集中"}


@pytest.fixture(scope="module")
def policy() -> handover.HandoverPolicy:
    return handover.load_policy()


def facts(**extra: object) -> LiveFacts:
    values: dict[str, object] = {
        "calls_in_progress": 0, "calls_waiting": 2, "agents_logged_in": 3,
        "ari_connected": True, "announcements": [{"incident_id": "INC-1"}],
        "orders_due": [
            DueOrder("A", "water", "dispatched", NOW - timedelta(minutes=5), "receipt"),
            DueOrder("B", "gas", "received", NOW + timedelta(hours=3), "resolve"),
            DueOrder("C", "gas", "received", NOW + timedelta(hours=9), "resolve"),
        ],
    }
    return LiveFacts(**{**values, **extra})  # type: ignore[arg-type]


def test_the_record_covers_every_item_of_the_clause_with_its_citation(
    policy: handover.HandoverPolicy,
) -> None:
    record = handover.record(policy, NOTES, facts(), NOW)
    items = record["items"]
    assert set(items) == {"rooms", "announcements", "equipment", "hot_issues", "outstanding"}
    assert items["rooms"]["title"] == "座席室和更衣室物品和环境卫生情况"
    assert all(item["clause"].startswith("L 3.1.2(2)") for item in items.values())
    assert items["hot_issues"]["value"] == NOTES["hot_issues"]
    assert items["announcements"]["value"] == [{"incident_id": "INC-1"}]


def test_outstanding_work_lists_orders_due_within_the_horizon_soonest_first(
    policy: handover.HandoverPolicy,
) -> None:
    outstanding = handover.prefill(policy, facts(), NOW)["outstanding"]
    assert [o["number"] for o in outstanding["orders_near_deadline"]] == ["A", "B"]
    assert outstanding["orders_overdue"] == 1
    assert outstanding["orders_near_deadline"][0]["overdue"] is True
    assert outstanding["calls_waiting"] == 2


@pytest.mark.parametrize(
    ("notes", "error"),
    [
        ({"rooms": "整洁"}, "missing-item"),
        ({**NOTES, "rooms": "   "}, "missing-item"),
        ({**NOTES, "weather": "晴"}, "unknown-item"),
        ({**NOTES, "rooms": "x" * 1001}, "missing-item"),
    ],
)
def test_written_items_are_required_and_bounded(
    policy: handover.HandoverPolicy, notes: dict[str, str], error: str
) -> None:
    with pytest.raises(HandoverError) as refused:
        handover.check_notes(policy, notes)
    assert refused.value.error_id == error


def test_calls_in_progress_or_a_telephony_fault_pause_the_handover(
    policy: handover.HandoverPolicy,
) -> None:
    assert handover.blockers(policy, facts()) == []
    paused = handover.blockers(policy, facts(calls_in_progress=2, ari_connected=False))
    assert len(paused) == 2
    assert "L 3.1.2(2)③" in paused[0] and "L 3.1.2(2)④" in paused[1]


def test_the_incoming_supervisor_is_another_person_and_signs_once() -> None:
    handover.check_signing("duty1", "duty2", None, [])
    for incoming, signed, waiting, error in [
        ("duty1", None, [], "same-supervisor"),
        ("duty2", NOW, [], "signed-already"),
        ("duty2", None, ["1 call(s) still being handled"], "handover-paused"),
    ]:
        with pytest.raises(HandoverError) as refused:
            handover.check_signing("duty1", incoming, signed, waiting)
        assert refused.value.error_id == error and refused.value.status == 409


def test_a_policy_citing_another_clause_is_refused_at_load(tmp_path: Path) -> None:
    text = handover.POLICY_FILE.read_text("utf-8").replace('"L 3.1.2(2)②"', '"L 9.9"', 1)
    bad = tmp_path / "handover.yaml"
    bad.write_text(text, "utf-8")
    with pytest.raises(ValidationError):
        handover.load_policy(bad)
