"""Real faults while calls are up (issue 6): the database restarts, Asterisk restarts.

Each ends with every call accounted for: an order where the caller got that far, and the
hotline serving new calls again.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from ari_app.client import AriClient, AriError
from hotline12319.asterisk_config import instances
from hotline12319.settings import Settings
from routing.store.migrate import upgrade
from tests.conftest import HotlineProcess, call_and_fetch
from tests.integration.private_postgres import PrivatePostgres, private_postgres
from tools import sandbox_proc
from tools.callersim import CallerSim, Scenario

pytestmark = pytest.mark.integration


@dataclass
class ServeOnOwnDatabase:
    serve: HotlineProcess
    postgres: PrivatePostgres

    def restart_postgres(self) -> None:
        self.postgres.stop()
        self.postgres.start()


@pytest.fixture
def own_database(hotline: HotlineProcess, tmp_path: Path) -> Iterator[ServeOnOwnDatabase]:
    """serve on a PostgreSQL server of the test's own, which the test restarts without
    touching the one the other parallel workers use; the session's serve is back after."""
    with private_postgres() as postgres:
        upgrade(postgres.url)
        hotline.kill(signal.SIGTERM)
        settings = hotline.settings.model_copy(update={"database_url": postgres.url})
        own = HotlineProcess(settings, tmp_path / "serve.log")
        try:
            own.start()
            yield ServeOnOwnDatabase(own, postgres)
        finally:
            own.kill(signal.SIGTERM)
            hotline.start()


async def test_given_postgres_restarts_mid_call_then_the_order_is_still_made(
    own_database: ServeOnOwnDatabase, caller: CallerSim
) -> None:
    async def restart(index: int) -> None:
        if index == 0:
            await asyncio.to_thread(own_database.restart_postgres)

    result = await call_and_fetch(
        caller, own_database.serve, Scenario(keys=["1", "2"], after_key=restart, timeout=120)
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
