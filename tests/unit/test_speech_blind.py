"""The blind speech set (issue 13) is complete, well-labelled, and out of tuning's reach."""

from __future__ import annotations

from pathlib import Path

import yaml

from routing.enums import OrderType, Utility
from tools.make_speech import JINAN_DISTRICTS

ROOT = Path(__file__).resolve().parents[2]
BLIND = ROOT / "tests" / "fixtures" / "speech_blind"
LABELS = yaml.safe_load((BLIND / "labels.yaml").read_text(encoding="utf-8"))
FIELDS = {"text", "utility", "order_type", "emergency", "district", "address"}


def test_at_least_200_requests_with_valid_labels_and_audio() -> None:
    assert len(LABELS) >= 200
    for key, entry in LABELS.items():
        assert set(entry) == FIELDS, key
        assert entry["utility"] in {u.value for u in Utility}, key
        assert entry["order_type"] in {t.value for t in OrderType}, key
        assert entry["emergency"] is (entry["order_type"] == "emergency_repair"), key
        assert entry["district"] is None or entry["district"] in JINAN_DISTRICTS, key
        assert (BLIND / f"{key}.flac").is_file(), key


def test_every_utility_and_type_and_several_voices_are_in_it() -> None:
    assert {e["utility"] for e in LABELS.values()} == {u.value for u in Utility}
    types = {e["order_type"] for e in LABELS.values()}
    assert types >= {"emergency_repair", "maintenance", "complaint", "help", "consultation"}
    plan = yaml.safe_load((BLIND / "conditions.yaml").read_text(encoding="utf-8"))
    assert set(plan) == set(LABELS)
    assert len({c["voice"] for c in plan.values()}) >= 2


def test_no_tuning_code_opens_the_blind_set() -> None:
    tuning = [
        *ROOT.joinpath("recordings").glob("*.py"),
        *ROOT.joinpath("recordings").glob("*.yaml"),
        ROOT / "tools" / "train_understanding.py",
        ROOT / "tools" / "understanding_corpus.yaml",
    ]
    for path in tuning:
        assert "speech_blind" not in path.read_text(encoding="utf-8"), path


def test_the_development_set_is_apart_from_the_blind_set() -> None:
    dev = yaml.safe_load((ROOT / "tests/fixtures/speech_dev/labels.yaml").read_text("utf-8"))
    assert len(dev) >= 100
    assert {e["utility"] for e in dev.values()} == {u.value for u in Utility}
    for key, entry in dev.items():
        assert entry["emergency"] is (entry["order_type"] == "emergency_repair"), key
        assert (ROOT / "tests/fixtures/speech_dev" / f"{key}.flac").is_file(), key
    blind_texts = {e["text"] for e in LABELS.values()}
    assert not blind_texts & {e["text"] for e in dev.values()}
