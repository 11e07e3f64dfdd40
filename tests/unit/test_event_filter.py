"""Asterisk is asked to send only APP_EVENTS: every event type a part of the app reads must
be in it, or that part would go deaf without an error."""

from __future__ import annotations

from ari_app.duty_calls import END_EVENTS
from ari_app.snoop import ENDS
from ari_app.stasis import APP_EVENTS, HANGUP_EVENTS, KNOWN_EVENTS


def test_every_event_the_app_reads_is_allowed() -> None:
    read = {*KNOWN_EVENTS, *HANGUP_EVENTS, *END_EVENTS, *ENDS, "StasisStart", "ChannelLeftBridge"}
    assert read <= APP_EVENTS


def test_chatty_events_nothing_reads_are_not_allowed() -> None:
    assert not {"ChannelVarset", "ChannelStateChange", "ChannelDialplan"} & APP_EVENTS
