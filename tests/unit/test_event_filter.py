"""Asterisk is asked to send only APP_EVENTS: every event type a part of the app reads must
be in it, or that part would go deaf without an error."""

from __future__ import annotations

from ari_app.outbound_legs import END_EVENTS
from ari_app.snoop import ENDS
from ari_app.stasis import APP_EVENTS, HANGUP_EVENTS, KNOWN_EVENTS


def test_every_event_the_app_reads_is_allowed() -> None:
    outbound = {"PlaybackFinished", "ChannelDtmfReceived"}  # duty and survey calls' readings
    read = {*KNOWN_EVENTS, *HANGUP_EVENTS, *END_EVENTS, *ENDS, *outbound, "StasisStart",
            "ChannelLeftBridge"}
    assert read <= APP_EVENTS


def test_chatty_events_nothing_reads_are_not_allowed() -> None:
    assert not {"ChannelVarset", "ChannelStateChange", "ChannelDialplan"} & APP_EVENTS
