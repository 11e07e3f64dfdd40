"""The database engines the in-process app tests run on (issue 19: the default store is tested).

Every test that takes the `api` fixture (tests/integration/orders_support.py) runs once per
engine: PostgreSQL and SQLite, the store `make run` uses, in a file of its own per session.
`HOTLINE_TEST_ENGINES=postgresql` (or `sqlite`) narrows the run. A module that needs what
only PostgreSQL has says so with `pytestmark = [..., pytest.mark.postgres_only]`.

Tests that place real calls take `served` instead of `hotline` when they are the core of the
call path (an IVR order with its recording, a queued call to an agent, an emergency
dispatched with the duty line): `serve` runs on each engine, the SQLite one on a fresh file
in place of the shared PostgreSQL one for the time of the test.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from routing.store.migrate import upgrade
from tests.conftest import HotlineProcess
from tests.integration.orders_support import ORDERS_DB

ENGINES = tuple(
    name for name in os.environ.get("HOTLINE_TEST_ENGINES", "postgresql,sqlite").split(",")
    if name
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres_only: the test runs on PostgreSQL alone")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "orders_db" not in metafunc.fixturenames:
        return
    only_pg = metafunc.definition.get_closest_marker("postgres_only") is not None
    engines = [e for e in ENGINES if e == "postgresql" or not only_pg]
    metafunc.parametrize("orders_db", engines, indirect=True, scope="session")


@pytest.fixture(scope="session")
def orders_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL of the order tests' database on the engine of this parameter."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("orders-sqlite") / "hotline.db"
        return f"sqlite+aiosqlite:///{path}"
    assert request.param == "postgresql", f"unknown engine {request.param}"
    return ORDERS_DB


@pytest.fixture(params=ENGINES)
async def served(request: pytest.FixtureRequest, hotline: HotlineProcess, tmp_path: Path
                 ) -> AsyncIterator[HotlineProcess]:
    """`serve` with real calls on the engine of this parameter; on SQLite its log must hold
    no traceback when the test is over (the default store's wallboard, sweeper and duty
    line all tick while the call goes through)."""
    if request.param == "postgresql":
        yield hotline
        return
    url = f"sqlite+aiosqlite:///{tmp_path / 'hotline.db'}"
    await asyncio.to_thread(upgrade, url)
    mine = HotlineProcess(hotline.settings.model_copy(update={"database_url": url}),
                          tmp_path / "serve-sqlite.log", hotline.extra_env)
    hotline.kill(signal.SIGTERM)  # one ARI app name: one serve at a time
    try:
        await asyncio.to_thread(mine.start)
        yield mine
    finally:
        mine.kill(signal.SIGTERM)
        await asyncio.to_thread(hotline.start)
    log = mine.log_path.read_text(errors="replace")
    assert "Traceback" not in log, log[-6000:]
