"""Real faults while calls are up (issue 6): the database restarts, Asterisk restarts.

Each ends with every call accounted for: an order where the caller got that far, and the
hotline serving new calls again.
"""

from __future__ import annotations

import asyncio
import subprocess
import time

import aiohttp
import pytest

from ari_app.client import AriClient, AriError
from hotline12319.asterisk_config import instances
from hotline12319.settings import Settings
from tests.conftest import HotlineProcess, call_and_fetch
from tools import sandbox_proc
from tools.callersim import CallerSim, Scenario

pytestmark = pytest.mark.integration


def restart_postgres() -> None:
    clusters = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True,
                              text=True, check=True).stdout.split()
    subprocess.run(["pg_ctlcluster", clusters[0], clusters[1], "restart"], check=True,
                   timeout=60)


async def test_given_postgres_restarts_mid_call_then_the_order_is_still_made(
    hotline: HotlineProcess, caller: CallerSim
) -> None:
    async def restart(index: int) -> None:
        if index == 0:
            await asyncio.to_thread(restart_postgres)

    result = await call_and_fetch(
        caller, hotline, Scenario(keys=["1", "2"], after_key=restart, timeout=120)
    )
    assert result["outcome"] == "completed", result
    order = result["order"]
    assert (order["utility"], order["order_type"]) == ("water", "maintenance")
    assert order["recording"]["stored"]


def restart_hotline_asterisk(settings: Settings) -> None:
    hotline_instance = instances(settings)[0]
    sandbox_proc.stop(settings.sandbox_root, hotline_instance)
    sandbox_proc.start(settings.sandbox_root, hotline_instance)
    sandbox_proc.wait_for_ari(settings.sandbox_root, (hotline_instance,), settings, 60)


async def test_given_asterisk_restarts_then_app_reconnects_and_serves_new_calls(
    hotline: HotlineProcess, caller: CallerSim, settings: Settings
) -> None:
    await asyncio.to_thread(restart_hotline_asterisk, settings)
    # A new Asterisk knows our app only once serve has reconnected its websocket.
    async with aiohttp.ClientSession() as http:
        ari = AriClient(http, settings.ari_url, settings.ari_user, settings.ari_password)
        deadline = time.monotonic() + 30
        while True:
            try:
                await ari.application_channels(settings.ari_app)
                break
            except AriError:
                assert time.monotonic() < deadline, "no reconnect:\n" + hotline.log_tail()
                await asyncio.sleep(0.2)
    result = await call_and_fetch(caller, hotline, Scenario(keys=["9", "3"], timeout=120))
    assert result["outcome"] == "completed", result
    assert result["order"]["utility"] == "water_saving"
    assert hotline.proc is not None and hotline.proc.poll() is None
