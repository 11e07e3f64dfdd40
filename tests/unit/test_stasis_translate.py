"""ARI events become flow events; anything else is ignored, never an exception."""

from __future__ import annotations

from typing import Any

import pytest

from ari_app.call_metrics import PlaybackStarted
from ari_app.stasis import translate
from ivr import events as ev


@pytest.mark.parametrize(
    "event,expected",
    [
        ({"type": "ChannelDtmfReceived", "digit": "3", "channel": {"id": "c1"}},
         ("c1", ev.DigitPressed("3"))),
        ({"type": "StasisEnd", "channel": {"id": "c1"}}, ("c1", ev.CallerHungUp())),
        ({"type": "ChannelHangupRequest", "channel": {"id": "c1"}}, ("c1", ev.CallerHungUp())),
        ({"type": "PlaybackFinished", "playback": {"id": "p1", "target_uri": "channel:c1"}},
         ("c1", ev.PlaybackDone("p1"))),
        ({"type": "PlaybackStarted", "playback": {"id": "p1", "target_uri": "channel:c1"}},
         ("c1", PlaybackStarted("p1"))),
        ({"type": "RecordingFinished",
          "recording": {"name": "r1", "target_uri": "channel:c1", "duration": 4}},
         ("c1", ev.RecordingDone("r1", 4))),
        ({"type": "RecordingFailed", "recording": {"name": "r1", "target_uri": "channel:c1"}},
         ("c1", ev.RecordingFailed("r1", "asterisk_failed"))),
        ({"type": "PlaybackFinished", "playback": {"id": "p1", "target_uri": "bridge:b1"}},
         (None, ev.PlaybackDone("p1"))),
        ({"type": "SomethingNew", "x": 1}, (None, None)),
        ({}, (None, None)),
    ],
)
def test_translate(event: dict[str, Any], expected: tuple[object, object]) -> None:
    assert translate(event) == expected


def test_malformed_events_raise_a_lookup_error_the_dispatcher_logs() -> None:
    with pytest.raises(KeyError):
        translate({"type": "ChannelDtmfReceived", "channel": {"id": "c1"}})
