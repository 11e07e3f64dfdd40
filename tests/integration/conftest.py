"""The database engines the in-process app tests run on (issue 19: the default store is tested).

Every test that takes the `api` fixture (tests/integration/orders_support.py) runs once per
engine: PostgreSQL and SQLite, the store `make run` uses, in a file of its own per session.
`HOTLINE_TEST_ENGINES=postgresql` (or `sqlite`) narrows the run. A module that needs what
only PostgreSQL has says so with `pytestmark = [..., pytest.mark.postgres_only]`.
"""

from __future__ import annotations

import os

import pytest

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
