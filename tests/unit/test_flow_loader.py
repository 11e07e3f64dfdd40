"""The flow loader refuses flows that would strand a caller."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ivr.loader import FlowError, load_flow

PROMPTS = frozenset({"hello", "bye", "oops"})

GOOD: dict[str, object] = {
    "start": "menu",
    "nodes": {
        "menu": {
            "kind": "menu",
            "prompts": ["hello"],
            "timeout_seconds": 5,
            "max_attempts": 3,
            "invalid_prompt": "oops",
            "no_input_prompt": "oops",
            "exhausted": "end",
            "choices": {"1": {"set": {"utility": "gas"}, "next": "end"}},
        },
        "end": {"kind": "hangup", "prompts": ["bye"]},
    },
}


def write(tmp_path: Path, flow: dict[str, object]) -> Path:
    path = tmp_path / "flow.yaml"
    path.write_text(yaml.safe_dump(flow, allow_unicode=True), encoding="utf-8")
    return path


def mutated(**nodes: object) -> dict[str, object]:
    flow: dict[str, Any] = yaml.safe_load(yaml.safe_dump(GOOD))
    flow["nodes"].update(nodes)
    return flow


def test_a_sound_flow_loads(tmp_path: Path) -> None:
    flow = load_flow(write(tmp_path, GOOD), PROMPTS)
    assert set(flow.nodes) == {"menu", "end"}


@pytest.mark.parametrize(
    "flow,message",
    [
        (mutated(end={"kind": "hangup", "prompts": ["missing"]}), "unknown prompt 'missing'"),
        (mutated(extra={"kind": "hangup"}), "node 'extra' is unreachable"),
        (mutated(end={"kind": "play", "prompts": ["bye"], "next": "menu"}), "ever ends the call"),
        (mutated(end={"kind": "play", "prompts": ["bye"], "next": "nowhere"}), "unknown node"),
        (mutated(end={"kind": "teleport"}), "end"),
        (mutated(end={"kind": "hangup", "colour": "red"}), "colour"),
    ],
)
def test_unsound_flows_are_refused_with_the_reason(
    tmp_path: Path, flow: dict[str, object], message: str
) -> None:
    with pytest.raises(FlowError, match=message):
        load_flow(write(tmp_path, flow), PROMPTS)


def test_menu_keys_and_utilities_are_checked(tmp_path: Path) -> None:
    flow = yaml.safe_load(yaml.safe_dump(GOOD))
    flow["nodes"]["menu"]["choices"] = {"12": {"next": "end"}}
    with pytest.raises(FlowError, match="one DTMF key"):
        load_flow(write(tmp_path, flow), PROMPTS)
    flow["nodes"]["menu"]["choices"] = {"1": {"set": {"utility": "electricity"}, "next": "end"}}
    with pytest.raises(FlowError, match="utility"):
        load_flow(write(tmp_path, flow), PROMPTS)
