"""Load an IVR flow and refuse it unless every path is sound.

A flow that names a prompt we cannot play, has a node no caller can reach, or a node from
which no path ends the call would strand a citizen on a live line; it fails here, at start-up.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

import yaml
from pydantic import ValidationError

from ivr.model import Flow, HangupNode, PlayNode, prompt_ids, successors


class FlowError(ValueError):
    """The flow file cannot be used; the message says where and why."""


def load_prompt_ids(prompts_file: Path) -> frozenset[str]:
    data = yaml.safe_load(prompts_file.read_text(encoding="utf-8")) or {}
    return frozenset(data.get("prompts", {})) | frozenset(data.get("tones", {}))


def load_flow(flow_file: Path, known_prompts: frozenset[str]) -> Flow:
    try:
        raw = yaml.safe_load(flow_file.read_text(encoding="utf-8"))
        flow = Flow.model_validate(raw)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise FlowError(f"{flow_file}: {exc}") from exc
    check_flow(flow, known_prompts)
    return flow


def check_flow(flow: Flow, known_prompts: frozenset[str]) -> None:
    problems = [
        *_unknown_targets(flow),
        *_unknown_prompts(flow, known_prompts),
    ]
    if not problems:
        problems = [*_unreachable(flow), *_dead_ends(flow)]
    if problems:
        raise FlowError("; ".join(problems))


def _unknown_targets(flow: Flow) -> list[str]:
    names = set(flow.nodes)
    problems = [] if flow.start in names else [f"start node {flow.start!r} does not exist"]
    problems += [f"hazard advice {hazard!r} is no play node: {target!r}"
                 for hazard, target in flow.hazard_advice.items()
                 if not isinstance(flow.nodes.get(target), PlayNode)]
    for name, node in flow.nodes.items():
        problems += [
            f"node {name!r} leads to unknown node {target!r}"
            for target in successors(node)
            if target not in names
        ]
    return problems


def _unknown_prompts(flow: Flow, known_prompts: frozenset[str]) -> list[str]:
    return [
        f"node {name!r} plays unknown prompt {prompt!r}"
        for name, node in flow.nodes.items()
        for prompt in prompt_ids(node)
        if prompt not in known_prompts
    ]


def _reachable_from(flow: Flow, start: str) -> set[str]:
    seen = {start}
    todo = deque([start])
    while todo:
        for target in successors(flow.nodes[todo.popleft()]):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _unreachable(flow: Flow) -> list[str]:
    reachable = set().union(*(_reachable_from(flow, root)
                              for root in (flow.start, *flow.hazard_advice.values())))
    return [f"node {name!r} is unreachable" for name in flow.nodes if name not in reachable]


def _dead_ends(flow: Flow) -> list[str]:
    return [
        f"no path from node {name!r} ever ends the call"
        for name in flow.nodes
        if not any(isinstance(flow.nodes[n], HangupNode) for n in _reachable_from(flow, name))
    ]
