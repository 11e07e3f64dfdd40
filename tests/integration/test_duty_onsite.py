"""The duty line's key 2, "our crew is on site" (issue 16, acceptance 3): a real call to the
unit's softphone, which presses 2; the order is signed for and its arrival recorded."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from hotline12319.settings import Settings
from routing.admin.users import add_user
from routing.orders.transitions import Role
from routing.store.db import make_engine, make_sessionmaker
from tests.conftest import HotlineProcess
from tools.callersim import Answerer, CallerSim

pytestmark = pytest.mark.integration

PASSWORD = "duty onsite test 12319"
BURST = {"utility": "water", "order_type": "emergency_repair", "case": "burst",
         "emergency": True, "description": "经十路自来水主管爆裂，水冒出来很高",
         "caller_number": "13500000003", "district": "历下区", "address": "经十路100号"}


async def _add_staff(database_url: str, user_id: str) -> None:
    engine = make_engine(database_url)
    async with make_sessionmaker(engine).begin() as session:
        await add_user(session, user_id=user_id, name=user_id, role=Role.CENTER_STAFF,
                       agency_id=None, password=PASSWORD, now=datetime.now(UTC))
    await engine.dispose()


async def test_given_a_burst_whose_receipt_is_late_when_the_duty_line_presses_2_then_received_and_arrived(  # noqa: E501
    hotline: HotlineProcess, caller: CallerSim, settings: Settings
) -> None:
    duty = Answerer(voice=None, press="2", press_after=4.0)
    caller.answerers["duty-industry-water"] = duty
    await _add_staff(settings.database_url, "onsitetest")
    jar = aiohttp.CookieJar(unsafe=True)  # the session cookie comes from 127.0.0.1
    async with aiohttp.ClientSession(base_url=hotline.api_url, cookie_jar=jar) as http:
        async with http.post("/api/login", json={"user": "onsitetest", "password": PASSWORD}
                             ) as r:
            assert r.status == 200, await r.text()
        async with http.post("/api/orders", json=BURST) as r:
            assert r.status == 201, await r.text()
            number = (await r.json())["number"]
        async with http.post(f"/api/orders/{number}/events", json={"event": "dispatch"}) as r:
            assert r.status in (200, 409), await r.text()  # 409: dispatched automatically
        order: dict[str, Any] = {}
        for _ in range(90):
            async with http.get(f"/api/orders/{number}") as r:
                order = await r.json()
            if order.get("arrived_at"):
                break
            await asyncio.sleep(1)
    assert order["status"] == "received" and order["received_at"], order
    assert order["arrived_at"] and order["case"] == "burst"
    assert order["arrived_at"] <= order["deadlines"]["onsite_due"]
    assert len(duty.answered) >= 1
