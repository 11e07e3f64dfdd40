"""The hotline's own outbound calls (duty lines, callback surveys): their events and prompts.

Each call the hotline places has an inbox of its ARI events. Playback events carry no
channel, only the playback's `target_uri` (`channel:<id>`), so `wants` and `deliver` look at
both; a caller that only matched channels would never learn that its prompt ended. One
reading that waits for a key is `read_and_wait_key`, shared by the duty and survey callers.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from ari_app.client import AriClient, AriError

END_EVENTS = frozenset({"StasisEnd", "ChannelDestroyed"})

Inbox = asyncio.Queue[dict[str, Any]]


def channel_of(event: dict[str, Any]) -> str:
    """The channel an ARI event is about: its channel, or the channel a playback plays on."""
    if "channel" in event:
        return str(event["channel"].get("id", ""))
    uri = str(event.get("playback", {}).get("target_uri", ""))
    return uri.removeprefix("channel:") if uri.startswith("channel:") else ""


class OutboundLegs:
    """The inboxes of the calls one worker placed, by channel id."""

    def __init__(self) -> None:
        self.inboxes: dict[str, Inbox] = {}

    def __contains__(self, channel_id: object) -> bool:
        return channel_id in self.inboxes

    def open(self, channel_id: str) -> Inbox:
        inbox: Inbox = asyncio.Queue()
        self.inboxes[channel_id] = inbox
        return inbox

    def close(self, channel_id: str) -> None:
        self.inboxes.pop(channel_id, None)

    def wants(self, event: dict[str, Any]) -> bool:
        return channel_of(event) in self.inboxes

    def deliver(self, event: dict[str, Any]) -> None:
        inbox = self.inboxes.get(channel_of(event))
        if inbox is not None:
            inbox.put_nowait(event)


async def next_event(inbox: Inbox, kinds: set[str] | frozenset[str]) -> dict[str, Any]:
    """The next event of one of `kinds` (the others are dropped)."""
    while True:
        event = await inbox.get()
        if event.get("type") in kinds:
            return event


async def read_and_wait_key(
    ari: AriClient, channel_id: str, inbox: Inbox, *, tag: str, media: list[str],
    key_wait_seconds: float, silence: bool = False,
) -> str | None:
    """Play `media` and wait for a key: the key, "" if none came within `key_wait_seconds`
    after the reading ended, None if the line hung up. A key during the reading counts.
    With `silence`, the line hears silence after the reading rather than the audio stopping."""
    playback_id = f"{channel_id}-{tag}"
    await ari.play(channel_id, playback_id, media)
    ended = False
    while True:
        try:
            async with asyncio.timeout(key_wait_seconds if ended else None):
                event = await inbox.get()
        except TimeoutError:
            return ""
        kind = event.get("type")
        if kind in END_EVENTS:
            return None
        if kind == "ChannelDtmfReceived":
            return str(event.get("digit", ""))
        if kind == "PlaybackFinished" and not ended and _playback_id(event) == playback_id:
            ended = True
            if silence:
                with contextlib.suppress(AriError):
                    await ari.start_silence(channel_id)


def _playback_id(event: dict[str, Any]) -> str:
    return str(event.get("playback", {}).get("id", ""))
