"""A real call through real Asterisk runs the 12319 IVR and leaves a work order (issue 2)."""

from __future__ import annotations

import asyncio
from itertools import product
from pathlib import Path

import pytest

from routing.enums import OrderType, Utility
from tests.conftest import HotlineProcess, call_and_fetch
from tools.callersim import CallerSim, Scenario

pytestmark = pytest.mark.integration

SPEECH = Path(__file__).resolve().parents[1] / "fixtures" / "speech"
TYPE_KEYS = {
    "1": OrderType.EMERGENCY_REPAIR,
    "2": OrderType.MAINTENANCE,
    "3": OrderType.COMPLAINT,
    "4": OrderType.CONSULTATION,
}



async def test_gas_emergency_with_description_leaves_order_with_recording(
    served: HotlineProcess, caller: CallerSim
) -> None:
    result = await call_and_fetch(
        caller, served, Scenario(keys=["3", "1"], say=SPEECH / "gas_leak_01.wav")
    )
    order = result["order"]
    assert order is not None, result
    assert (order["utility"], order["order_type"]) == ("gas", "emergency_repair")
    assert order["recording"]["stored"] and order["recording"]["bytes"] > 20_000
    assert order["recording"]["seconds"] > 2.0
    assert result["path"][:3] == ["main_menu:3", "type_menu:1", "gas_safety"]
    assert result["outcome"] == "completed"
    assert result["said"] is True
    assert result["metrics"]["answer_ms"] is not None
    assert len(result["metrics"]["dtmf_to_prompt_ms"]) == 2
    # Our share of each key -> prompt: up to the play request, before Asterisk's part.
    ours = result["metrics"]["dtmf_to_play_request_ms"]
    assert len(ours) == 2
    assert all(0 <= a <= b for a, b in zip(ours, result["metrics"]["dtmf_to_prompt_ms"],
                                           strict=True))


async def test_every_utility_and_request_type_creates_the_right_order(
    hotline: HotlineProcess, caller: CallerSim
) -> None:
    cases = list(product(enumerate(Utility, start=1), TYPE_KEYS.items()))
    gate = asyncio.Semaphore(12)

    async def one(utility_key: str) -> dict[str, object]:
        async with gate:
            keys = list(utility_key)
            return await call_and_fetch(caller, hotline, Scenario(keys=keys, timeout=150))

    results = await asyncio.gather(*(one(f"{u}{t}") for (u, _), (t, _) in cases))
    for ((_, utility), (_, order_type)), result in zip(cases, results, strict=True):
        order = result["order"]
        assert isinstance(order, dict), result
        assert (order["utility"], order["order_type"]) == (utility.value, order_type.value)
    numbers = {r["order_number"] for r in results}
    assert len(numbers) == len(cases)  # every call its own order number


async def test_hangup_mid_menu_is_stored_as_abandoned_without_order(
    hotline: HotlineProcess, caller: CallerSim
) -> None:
    result = await call_and_fetch(caller, hotline, Scenario(keys=["2"], hang_up_after_keys=True))
    assert result["outcome"] == "abandoned"
    assert result["order"] is None
    assert result["path"] == ["main_menu:2", "type_menu", "hangup"]
    assert hotline.proc is not None and hotline.proc.poll() is None


async def test_invalid_key_reprompts_then_the_caller_gets_through(
    hotline: HotlineProcess, caller: CallerSim
) -> None:
    result = await call_and_fetch(caller, hotline, Scenario(keys=["*", "6", "2"]))
    assert result["path"][:3] == ["main_menu!*", "main_menu:6", "type_menu:2"]
    assert (result["order"]["utility"], result["order"]["order_type"]) == (
        "streetlight",
        "maintenance",
    )


async def test_silence_three_times_goes_to_an_agent_message(
    hotline: HotlineProcess, caller: CallerSim
) -> None:
    result = await call_and_fetch(caller, hotline, Scenario(keys=[], timeout=150))
    path = result["path"]
    assert path[:3] == ["main_menu!timeout"] * 3, path
    assert "agent" in path and "agent_message" in path
    order = result["order"]
    assert order["needs_agent"] is True and order["utility"] is None
    assert order["order_type"] == "help"
