"""The hotline's own outbound calls get their playback events too (they carry no channel)."""

from __future__ import annotations

import asyncio
from typing import Any

from ari_app.outbound_legs import OutboundLegs, channel_of, read_and_wait_key


def playback_finished(target: str) -> dict[str, Any]:
    return {"type": "PlaybackFinished",
            "playback": {"id": f"{target}-duty-0", "target_uri": f"channel:{target}"}}


def test_given_playback_on_our_leg_when_delivered_then_it_reaches_that_legs_inbox() -> None:
    legs = OutboundLegs()
    inbox = legs.open("duty-abc")
    other = legs.open("duty-def")
    event = playback_finished("duty-abc")
    assert legs.wants(event)
    legs.deliver(event)
    assert inbox.get_nowait() is event
    assert other.empty()


def test_given_channel_events_then_routed_by_channel_id() -> None:
    legs = OutboundLegs()
    inbox = legs.open("survey-1")
    dtmf = {"type": "ChannelDtmfReceived", "digit": "1", "channel": {"id": "survey-1"}}
    legs.deliver(dtmf)
    assert inbox.get_nowait() is dtmf
    assert "survey-1" in legs


def test_given_closed_or_foreign_leg_then_not_wanted() -> None:
    legs = OutboundLegs()
    legs.open("duty-abc")
    legs.close("duty-abc")
    assert not legs.wants(playback_finished("duty-abc"))
    assert not legs.wants({"type": "PlaybackFinished", "playback": {"target_uri": "bridge:x"}})
    assert channel_of({"type": "PlaybackStarted", "playback": {"target_uri": "bridge:x"}}) == ""


class _Line:
    """Stands in for the ARI client's two calls the reading makes; records them."""

    def __init__(self) -> None:
        self.played: list[tuple[str, str, list[str]]] = []
        self.silenced: list[str] = []

    async def play(self, channel_id: str, playback_id: str, media: list[str]) -> None:
        self.played.append((channel_id, playback_id, media))

    async def start_silence(self, channel_id: str) -> None:
        self.silenced.append(channel_id)


async def _read(events: list[dict[str, Any]], *, silence: bool = False
                ) -> tuple[str | None, _Line]:
    legs, line = OutboundLegs(), _Line()
    inbox = legs.open("duty-abc")
    for event in events:
        legs.deliver(event)
    key = await read_and_wait_key(line, "duty-abc", inbox, tag="duty-0",  # type: ignore[arg-type]
                                  media=["sound:x"], key_wait_seconds=0.05, silence=silence)
    return key, line


async def test_given_the_reading_ends_without_a_key_then_no_key_after_the_wait() -> None:
    key, line = await _read([playback_finished("duty-abc")], silence=True)
    assert key == ""
    assert line.played == [("duty-abc", "duty-abc-duty-0", ["sound:x"])]
    assert line.silenced == ["duty-abc"]


async def test_given_a_key_during_the_reading_then_it_counts() -> None:
    dtmf = {"type": "ChannelDtmfReceived", "digit": "1", "channel": {"id": "duty-abc"}}
    key, line = await _read([dtmf])
    assert key == "1" and line.silenced == []


async def test_given_an_earlier_readings_end_then_the_wait_does_not_start() -> None:
    legs, line = OutboundLegs(), _Line()
    inbox = legs.open("duty-abc")
    legs.deliver({"type": "PlaybackFinished",
                  "playback": {"id": "duty-abc-earlier", "target_uri": "channel:duty-abc"}})
    reading = asyncio.create_task(read_and_wait_key(
        line, "duty-abc", inbox, tag="duty-1", media=["sound:x"],  # type: ignore[arg-type]
        key_wait_seconds=0.05))
    await asyncio.sleep(0.2)  # four times the wait: had the old end counted, it would be over
    legs.deliver({"type": "ChannelDtmfReceived", "digit": "2", "channel": {"id": "duty-abc"}})
    assert await reading == "2"
