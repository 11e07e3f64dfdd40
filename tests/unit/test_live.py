"""The live hub delivers to every subscriber and never blocks the publisher."""

from events.hub import LiveHub


def test_every_subscriber_gets_each_update_in_order() -> None:
    hub = LiveHub()
    with hub.subscribe() as first, hub.subscribe() as second:
        hub.publish("call_started", {"n": 1})
        hub.publish("call_ended", {"n": 2})
        for queue in (first, second):
            assert [queue.get_nowait()["data"]["n"] for _ in range(2)] == [1, 2]
    assert hub.subscribers == 0


def test_a_slow_subscriber_loses_the_oldest_updates_not_the_newest() -> None:
    hub = LiveHub(backlog=3)
    with hub.subscribe() as queue:
        for n in range(10):
            hub.publish("tick", {"n": n})
        assert [queue.get_nowait()["data"]["n"] for _ in range(3)] == [7, 8, 9]
