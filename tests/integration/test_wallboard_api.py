"""GET /api/wallboard and the `wallboard` update on /api/live, on real PostgreSQL.

The app runs in-process (tests/integration/orders_support.py). The ACD's own updates (a
queue snapshot, a screen-pop) are published on the app's live hub the way ari_app/queue.py
publishes them, and the call sessions and orders are rows as the IVR and the order engine
leave them; the figures are then read back over HTTP and over the websocket."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from ari_app.queue_moments import QueueMoments
from console.http import SESSIONS
from events.hub import HUB
from routing.enums import CallOutcome, OrderType, Utility
from routing.floor.wallboard_repository import AGENT_ANSWERED, CLASSIFIED, QUEUE_ENTERED
from routing.orders.transitions import State
from routing.store.models import CallSession, WorkOrder
from tests.integration.orders_support import agency, api, login

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # fixtures used by name

Client = TestClient[web.Request, web.Application]


async def next_update(ws: aiohttp.ClientWebSocketResponse, want: Callable[[dict[str, Any]], bool],
                      within: float = 10) -> dict[str, Any]:
    async with asyncio.timeout(within):
        while True:
            update = await ws.receive_json()
            if want(update):
                return dict(update)


def window(figures: dict[str, Any], name: str) -> dict[str, Any]:
    return next(w for w in figures["windows"] if w["window"] == name)


async def add_rows(api: Client, now: datetime) -> None:
    sessions = api.app[SESSIONS]
    async with sessions.begin() as session:
        session.add_all([
            CallSession(channel_id="wb-fast", caller_number="13900000001",
                        started_at=now - timedelta(seconds=20), path=[]),
            CallSession(channel_id="wb-gone", caller_number="13900000002",
                        started_at=now - timedelta(seconds=70), path=[],
                        ended_at=now - timedelta(seconds=20), outcome=CallOutcome.ABANDONED),
            CallSession(channel_id="wb-wait", caller_number="13900000003",
                        started_at=now - timedelta(seconds=50), path=[]),
            CallSession(channel_id="wb-menu", caller_number="13900000004",
                        started_at=now - timedelta(seconds=30), path=["main_menu:1"],
                        ended_at=now - timedelta(seconds=10), outcome=CallOutcome.ABANDONED),
        ])
        order = {"utility": Utility.GAS, "order_type": OrderType.EMERGENCY_REPAIR,
                 "agency_id": "industry-gas", "created_at": now - timedelta(hours=3)}
        session.add_all([
            WorkOrder(number="WB00000001", status=State.DISPATCHED, **order,
                      dispatched_at=now - timedelta(hours=2), receipt_due=now - timedelta(hours=1),
                      resolve_due=now + timedelta(days=1)),
            WorkOrder(number="WB00000002", status=State.RECEIVED, **order,
                      dispatched_at=now - timedelta(hours=3),
                      received_at=now - timedelta(minutes=170),
                      receipt_due=now - timedelta(minutes=150),
                      resolve_due=now + timedelta(minutes=30)),
        ])


async def acd_moments_and_updates(api: Client, now: datetime) -> None:
    """What ari_app/queue.py and calls.py do: note the moments (three callers enter the
    line, an agent answers the one who entered 5 s ago, a call ends in the menus), and
    publish the line, the screen-pop and the call's end on the hub."""
    def waiting(call_id: str, seconds: int) -> dict[str, Any]:
        return {"call_id": call_id, "utility": "gas", "emergency": False, "callback": False,
                "entered_at": (now - timedelta(seconds=seconds)).isoformat(),
                "ringing_agent": None, "caller_number": None}

    moments = QueueMoments(api.app[SESSIONS])
    for call_id, seconds in (("wb-fast", 5), ("wb-gone", 60), ("wb-wait", 40)):
        moments.note(call_id, QUEUE_ENTERED, now - timedelta(seconds=seconds),
                     {"utility": "gas", "emergency": False})
    moments.note("wb-fast", AGENT_ANSWERED, now, {"agent_id": "a1"})
    # A caller who chose water and hung up in the menus: only the call's end names the utility.
    moments.note("wb-menu", CLASSIFIED, now, {"utility": "water"})
    assert await moments.write_pending()
    hub = api.app[HUB]
    hub.publish("queue", {"waiting": [waiting("wb-fast", 5), waiting("wb-gone", 60),
                                      waiting("wb-wait", 40)], "agents": []})
    hub.publish("screen_pop", {"agent_id": "a1", "call_id": "wb-fast", "callback": False,
                               "caller_number": "13900000001"})
    hub.publish("call_ended", {"channel_id": "wb-menu", "utility": "water",
                               "outcome": "abandoned", "path": ["main_menu:1", "hangup"]})


async def test_given_queued_calls_and_late_orders_then_the_wallboard_counts_them_and_pushes_it(
    api: Client,
) -> None:
    async with api.get("/api/wallboard") as r:
        assert (r.status, (await r.json())["error"]) == (401, "not-logged-in")
    async with api.get("/api/wallboard", headers=await login(api, "water")) as r:
        assert r.status == 403  # an agency sees its own orders, not the center's board

    now = datetime.now(UTC)
    async with api.ws_connect("/api/live") as ws:
        await add_rows(api, now)
        await acd_moments_and_updates(api, now)
        # The calls at once; the order panels on the next tick (order events are not pushed).
        pushed = await next_update(ws, lambda u: u["topic"] == "wallboard"
                                   and window(u["data"], "15m")["answered"] == 1
                                   and "water" in window(u["data"], "15m")["per_utility"]
                                   and len(u["data"]["deadlines"]) >= 2)
    figures = pushed["data"]
    fifteen = window(figures, "15m")
    # fast: answered in 5 s; gone: hung up waiting; wait: still waiting 40 s (already a miss)
    assert (fifteen["answered"], fifteen["answered_within"], fifteen["abandoned"],
            fifteen["waiting_late"]) == (1, 1, 1, 1)
    assert fifteen["service_level"] == pytest.approx(33.33)
    assert fifteen["abandon_rate"] == pytest.approx(50.0)
    assert fifteen["per_utility"] == {"gas": 3, "water": 1}
    assert window(figures, "today")["calls"] >= 4
    assert figures["service_level_rule"]["clauses"] == ["L 3.2.2(3)①"]

    deadlines = [(d["number"], d["deadline"], d["overdue"]) for d in figures["deadlines"]
                 if d["number"].startswith("WB")]
    assert deadlines == [("WB00000001", "receipt", True), ("WB00000002", "resolve", False)]
    gas = next(a for a in figures["scorecard"]["agencies"] if a["agency"] == "industry-gas")
    assert (gas["dispatched"], gas["received_on_time"], gas["overdue_now"]) == (2, 50.0, 1)

    async with api.get("/api/wallboard", headers=await login(api, "staff")) as r:
        assert r.status == 200
        read = await r.json()
    assert read["windows"][0] | {"since": None} == fifteen | {"since": None}

    # A wallboard opened now gets the figures at once, right after the queue.
    async with api.ws_connect("/api/live") as ws:
        first, second = await ws.receive_json(), await ws.receive_json()
    assert (first["topic"], second["topic"]) == ("queue", "wallboard")
    assert window(second["data"], "15m")["answered"] == 1
