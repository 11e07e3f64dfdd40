"""What a call measures of itself: key -> prompt, split into our share and Asterisk's."""

from __future__ import annotations

import time

from ari_app.call_metrics import CallMetrics, asterisk_time
from ari_app.stasis import translate


def test_given_an_ari_timestamp_then_it_reads_as_unix_seconds() -> None:
    assert asterisk_time({"timestamp": "2026-11-27T19:05:25.462+0000"}) == 1795806325.462
    assert asterisk_time({"timestamp": "2026-11-28T03:05:25.462+0800"}) == 1795806325.462
    assert asterisk_time({}) is None
    assert asterisk_time({"timestamp": "yesterday"}) is None
    assert asterisk_time({"timestamp": 12}) is None


def test_given_a_playback_started_event_then_it_carries_asterisks_time() -> None:
    _, started = translate({"type": "PlaybackStarted", "timestamp": "2026-11-27T19:05:25.462+0000",
                            "playback": {"id": "p1", "target_uri": "channel:c1"}})
    assert started is not None and getattr(started, "asterisk_at", None) == 1795806325.462


def test_given_a_key_then_the_prompt_started_by_asterisk_then_asterisks_share_is_kept() -> None:
    metrics = CallMetrics()
    metrics.pending_digit_at = time.monotonic()
    metrics.play_requested("p2")
    sent = metrics.play_requested_at
    assert sent is not None
    metrics.playback_started("p2", asterisk_at=sent + 0.0125)
    assert metrics.play_request_to_started_ms == [12.5]
    assert len(metrics.dtmf_to_prompt_ms) == 1 and len(metrics.dtmf_to_play_request_ms) == 1
    # Another prompt's start, or one with no key before it, measures nothing.
    metrics.play_requested("p3")
    metrics.playback_started("p3", asterisk_at=time.time())
    assert metrics.play_request_to_started_ms == [12.5]


def test_given_no_asterisk_time_then_only_the_whole_is_measured() -> None:
    metrics = CallMetrics()
    metrics.pending_digit_at = time.monotonic()
    metrics.play_requested("p1")
    metrics.playback_started("p1")
    assert metrics.play_request_to_started_ms == [] and len(metrics.dtmf_to_prompt_ms) == 1
