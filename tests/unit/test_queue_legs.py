"""What an agent's phone shows when the queue rings it (ari_app/queue_legs.py)."""

from __future__ import annotations

from ari_app.queue_legs import agent_caller_id


def test_the_agent_phone_shows_the_citizens_number_under_12319() -> None:
    assert agent_caller_id("13800001234") == '"12319" <13800001234>'
    assert agent_caller_id("+8653112345678") == '"12319" <+8653112345678>'
    assert agent_caller_id(None) == "12319"  # withheld
    assert agent_caller_id('evil" <1>') == '"12319" <1>'  # nothing but digits gets through
