"""The queue as the console and wallboard see it (JSON)."""

from __future__ import annotations

from typing import Any

from routing.agents.acd import Acd, Agent


def agent_json(agent: Agent) -> dict[str, Any]:
    return {
        "id": agent.id,
        "endpoint": agent.endpoint,
        "skills": agent.skills,
        "state": agent.state.value,
        "since": agent.since.isoformat() if agent.since else None,
        "pause_reason": agent.pause_reason,
    }


def queue_snapshot(acd: Acd, caller_numbers: dict[str, str | None]) -> dict[str, Any]:
    waiting = [
        {
            "call_id": w.call_id,
            "utility": w.utility.value if w.utility else None,
            "emergency": w.emergency,
            "callback": w.callback,
            "entered_at": w.entered_at.isoformat(),
            "ringing_agent": acd.offered.get(w.call_id),
            "caller_number": caller_numbers.get(w.call_id),
        }
        for w in acd.waiting
    ]
    return {"waiting": waiting, "agents": [agent_json(a) for a in acd.agents.values()]}
