"""Listen, whisper, barge: the pure decisions, and the order of ARI requests they lead to."""

from __future__ import annotations

from typing import Any, cast

import pytest

from ari_app.client import AriClient, AriNotFound
from ari_app.queue import QueueService
from ari_app.queue_legs import Leg
from ari_app.snoop import SnoopService, conversations
from events.hub import LiveHub
from routing.floor.snoop_rules import Conversation, SnoopMode, SnoopRefused, plan_snoop
from routing.orders.transitions import Role

TALK = Conversation("caller-1", "a1", "agent-1", "conv-caller-1")


@pytest.mark.parametrize("mode,spy,whisper,bridge", [
    (SnoopMode.LISTEN, "both", "none", None),
    (SnoopMode.WHISPER, "both", "out", None),
    (SnoopMode.BARGE, None, None, "conv-caller-1"),
])
def test_given_a_mode_then_the_plan_spies_whispers_or_joins_the_bridge(
    mode: SnoopMode, spy: str | None, whisper: str | None, bridge: str | None
) -> None:
    plan = plan_snoop(mode=mode, target="caller-1", role=Role.DUTY_SUPERVISOR,
                      conversations=[TALK])
    assert (plan.spy, plan.whisper, plan.join_bridge) == (spy, whisper, bridge)
    assert plan.conversation.agent_channel == "agent-1"


def test_given_the_agents_channel_as_target_then_the_same_call_is_found() -> None:
    other = Conversation("caller-2", "a2", "agent-2", "conv-caller-2")
    plan = plan_snoop(mode=SnoopMode.LISTEN, target="agent-2", role=Role.LEADER,
                      conversations=[TALK, other])
    assert plan.conversation == other


@pytest.mark.parametrize("role", [Role.CENTER_STAFF, Role.AGENCY])
def test_given_an_agent_or_an_agency_then_snooping_is_refused(role: Role) -> None:
    with pytest.raises(SnoopRefused) as refused:
        plan_snoop(mode=SnoopMode.LISTEN, target="caller-1", role=role, conversations=[TALK])
    assert (refused.value.error_id, refused.value.status) == ("role-not-allowed", 403)


def test_given_no_connected_call_then_the_request_is_refused_with_404() -> None:
    with pytest.raises(SnoopRefused) as refused:
        plan_snoop(mode=SnoopMode.BARGE, target="caller-9", role=Role.BUSINESS_SECTION,
                   conversations=[TALK])
    assert (refused.value.error_id, refused.value.status) == ("call-not-connected", 404)


def queue_with(*legs: Leg, bridges: dict[str, str]) -> QueueService:
    queue = QueueService(cast(AriClient, None), "app", cast(Any, None), ring_seconds=1,
                         wrap_up_seconds=1, callback_endpoint="", hub=LiveHub())
    queue.legs = {leg.channel_id: leg for leg in legs}
    queue.bridges = bridges
    return queue


def test_given_the_acds_legs_then_only_answered_bridged_agent_legs_are_conversations() -> None:
    queue = queue_with(
        Leg("agent-1", "caller-1", "a1", "agent", callback=False, answered=True),
        Leg("agent-2", "caller-2", "a2", "agent", callback=False, answered=False),  # ringing
        Leg("callback-3", "caller-3", "a3", "citizen", callback=True, answered=True),
        bridges={"caller-1": "conv-caller-1", "caller-3": "conv-caller-3"},
    )
    assert conversations(queue) == [TALK]


class RecordingAri:
    """Answers every request and remembers it (the real ARI is in the integration test)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    async def originate(self, **fields: Any) -> dict[str, Any]:
        self.calls.append(("originate", fields))
        return {}

    async def request(self, method: str, path: str, **kw: Any) -> None:
        self.calls.append((f"{method} {path}", kw.get("params")))

    async def create_bridge(self, bridge_id: str) -> None:
        self.calls.append(("create_bridge", bridge_id))

    async def add_to_bridge(self, bridge_id: str, channels: list[str]) -> None:
        self.calls.append(("add_to_bridge", (bridge_id, channels)))

    async def destroy_bridge(self, bridge_id: str) -> None:
        self.calls.append(("destroy_bridge", bridge_id))

    async def hangup(self, channel_id: str) -> None:
        self.calls.append(("hangup", channel_id))
        raise AriNotFound(404, "DELETE", channel_id, "gone already")


def event(kind: str, channel: str, *args: str) -> dict[str, Any]:
    return {"type": kind, "channel": {"id": channel}, "args": list(args)}


async def test_given_listen_when_the_supervisor_answers_then_a_snoop_is_bridged_and_ends() -> None:
    ari = RecordingAri()
    service = SnoopService(cast(AriClient, ari), "app", queue_with(bridges={}),
                           "PJSIP/{number}@callers")
    plan = plan_snoop(mode=SnoopMode.LISTEN, target="caller-1", role=Role.DUTY_SUPERVISOR,
                      conversations=[TALK])
    session = await service.start(plan, "sup5001")
    sup = session.supervisor_channel
    assert ari.calls[0][1]["endpoint"] == "PJSIP/sup5001@callers"
    assert ari.calls[0][1]["appArgs"] == f"supervisor,{session.id}"

    answered = event("StasisStart", sup, "supervisor", session.id)
    assert service.wants(answered)
    await service.on_event(answered)
    method, params = ari.calls[-1]
    assert method == "POST /channels/agent-1/snoop"
    assert (params["spy"], params["whisper"]) == ("both", "none")
    snoop = params["snoopId"]
    await service.on_event(event("StasisStart", snoop, "snoop", session.id))
    assert ari.calls[-1] == ("add_to_bridge", (f"snoopbr-{session.id}", [sup, snoop]))

    # The agent's leg goes, so does the snoop channel: the supervisor is hung up.
    await service.on_event(event("StasisEnd", snoop))
    assert ("hangup", sup) in ari.calls and ("destroy_bridge", f"snoopbr-{session.id}") in ari.calls
    assert service.sessions == {} and not service.wants(event("StasisEnd", sup))


async def test_given_barge_when_the_supervisor_answers_then_they_join_the_conversation() -> None:
    ari = RecordingAri()
    service = SnoopService(cast(AriClient, ari), "app", queue_with(bridges={}),
                           "PJSIP/{number}@callers")
    plan = plan_snoop(mode=SnoopMode.BARGE, target="agent-1", role=Role.LEADER,
                      conversations=[TALK])
    session = await service.start(plan, "PJSIP/sup7@elsewhere")
    assert ari.calls[0][1]["endpoint"] == "PJSIP/sup7@elsewhere"
    sup = session.supervisor_channel
    await service.on_event(event("StasisStart", sup, "supervisor", session.id))
    assert ari.calls[-1] == ("add_to_bridge", ("conv-caller-1", [sup]))
    assert not any(m.endswith("/snoop") for m, _ in ari.calls)
    # The conversation's bridge is torn down when the call ends: the supervisor leaves too.
    await service.on_event({**event("ChannelLeftBridge", sup), "bridge": {"id": "conv-caller-1"}})
    assert ari.calls[-1:] == [("hangup", sup)] and service.sessions == {}


async def test_given_a_restart_then_left_over_supervisor_legs_are_hung_up_not_taken_as_calls(
) -> None:
    ari = RecordingAri()
    service = SnoopService(cast(AriClient, ari), "app", queue_with(bridges={}), "{number}")
    assert await service.drop_left_over("supervisor-abc")
    assert await service.drop_left_over("snoop-abc")
    assert not await service.drop_left_over("1764230000.42")  # a caller: taken back as usual
    assert ari.calls == [("hangup", "supervisor-abc"), ("hangup", "snoop-abc")]
