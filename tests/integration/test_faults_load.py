"""Faults with several callers at once: serve killed or PostgreSQL restarted under load, a
caller mashing keys."""

from __future__ import annotations

import asyncio
import random
import signal
from typing import Any

import pytest
from sqlalchemy import func, select

from routing.store.db import make_engine, make_sessionmaker
from routing.store.models import CallSession, WorkOrder
from tests.conftest import HotlineProcess, call_and_fetch
from tests.integration.test_faults import ServeOnOwnDatabase, own_database
from tools.callersim import CallerSim, Scenario

pytestmark = pytest.mark.integration
__all__ = ["own_database"]  # a fixture, used by name

CALLERS = 8


async def test_given_serve_killed_with_eight_calls_in_the_menus_then_each_ends_with_one_order(
    hotline: HotlineProcess, caller: CallerSim, database: str
) -> None:
    base = random.randint(0, 9_990)  # earlier runs' calls stay in the test database
    numbers = [f"1350000{base + n:04d}" for n in range(CALLERS)]
    utilities = [str(n % 9 + 1) for n in range(CALLERS)]

    async def one(index: int) -> dict[str, Any]:
        await asyncio.sleep(index * 0.5)
        scenario = Scenario(keys=[utilities[index], "2"], caller_number=numbers[index],
                            timeout=180)
        return await call_and_fetch(caller, hotline, scenario)

    async def kill_and_restart() -> None:
        await asyncio.sleep(CALLERS * 0.5)  # every caller is somewhere in the menus
        hotline.kill(signal.SIGKILL)
        await asyncio.sleep(2.0)
        await asyncio.to_thread(hotline.start)

    results, _ = await asyncio.gather(
        asyncio.gather(*(one(i) for i in range(CALLERS))), kill_and_restart()
    )
    heard_keys = 0
    for index, result in enumerate(results):
        seen = (result["path"], result["outcome"], result["order"], result["keys_sent"])
        assert result["outcome"] == "completed" and result["order"] is not None, seen
        # Keys pressed while nothing listened are lost: that caller hears the menu again
        # and, pressing nothing more, is taken to an agent's message - still one order.
        if result["path"][0] == f"main_menu:{utilities[index]}":
            heard_keys += 1
        else:
            assert "agent_message" in result["path"], seen
    assert heard_keys >= 1  # the kill came mid-way, not before anyone spoke
    assert len({r["order_number"] for r in results}) == CALLERS
    assert await _orders_per_caller(database, numbers) == dict.fromkeys(numbers, 1)


async def test_given_postgres_restarts_with_eight_calls_up_then_each_ends_with_one_order(
    own_database: ServeOnOwnDatabase, caller: CallerSim
) -> None:
    """Writes that meet a restarting database are retried or queued: every caller still
    hears an order number, and each has exactly one order once the database is back."""
    base = random.randint(0, 9_990)
    numbers = [f"1350001{base + n:04d}" for n in range(CALLERS)]

    async def one(index: int) -> dict[str, Any]:
        await asyncio.sleep(index * 0.7)  # callers in every stage when the database goes
        scenario = Scenario(keys=[str(index % 9 + 1), "3"], caller_number=numbers[index],
                            timeout=180)
        return await call_and_fetch(caller, own_database.serve, scenario)

    async def restart() -> None:
        await asyncio.sleep(CALLERS * 0.7 / 2)
        await asyncio.to_thread(own_database.restart_postgres)

    results, _ = await asyncio.gather(
        asyncio.gather(*(one(i) for i in range(CALLERS))), restart()
    )
    for result in results:
        seen = (result["path"], result["outcome"], result["order"])
        assert result["outcome"] == "completed" and result["order"] is not None, seen
        assert result["order"]["recording"]["stored"], seen
    assert len({r["order_number"] for r in results}) == CALLERS
    assert await _orders_per_caller(own_database.postgres.url, numbers) == dict.fromkeys(numbers, 1)
    assert own_database.serve.proc is not None and own_database.serve.proc.poll() is None


async def _orders_per_caller(database: str, numbers: list[str]) -> dict[str, int]:
    engine = make_engine(database)
    try:
        async with make_sessionmaker(engine)() as session:
            rows = await session.execute(
                select(CallSession.caller_number, func.count(WorkOrder.id))
                .join(WorkOrder, WorkOrder.call_session_id == CallSession.id)
                .where(CallSession.caller_number.in_(numbers))
                .group_by(CallSession.caller_number)
            )
            return {str(number): int(count) for number, count in rows}
    finally:
        await engine.dispose()


async def test_given_a_caller_mashing_forty_keys_then_the_hotline_stays_sane(
    hotline: HotlineProcess, caller: CallerSim
) -> None:
    rng = random.Random(12319)
    flood = [rng.choice("0123456789*#") for _ in range(40)]
    mashing = await call_and_fetch(caller, hotline, Scenario(
        keys=flood, key_delay=0.05, hang_up_after_keys=True, timeout=90))
    assert mashing["outcome"] in ("abandoned", "completed", "answered"), mashing
    assert 1 <= len(mashing["path"]) <= len(flood) + 10, mashing["path"]
    assert hotline.proc is not None and hotline.proc.poll() is None
    assert hotline.health().get("ari_connected") is True
    await _then_the_next_caller_is_served(caller, hotline)


async def _then_the_next_caller_is_served(caller: CallerSim, hotline: HotlineProcess) -> None:
    result = await call_and_fetch(caller, hotline, Scenario(keys=["6", "2"]))
    assert result["outcome"] == "completed", result
    assert (result["order"]["utility"], result["order"]["order_type"]) == (
        "streetlight", "maintenance")
