"""Migrations under a database lock (issue 18): nodes that start together each run the
upgrade; on PostgreSQL one migrates while the others wait, then find the schema at head.
Three `hotline12319 migrate` processes against a fresh PostgreSQL cluster of the test's own,
so the empty schema is really empty."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from routing.store.db import make_engine
from tests.integration.private_postgres import PrivatePostgres, private_postgres

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def cluster() -> Iterator[PrivatePostgres]:
    with private_postgres() as pg:
        yield pg


async def test_given_three_nodes_migrating_an_empty_database_at_once_then_all_succeed(
    cluster: PrivatePostgres,
) -> None:
    nodes = [await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hotline12319.cli", "migrate", "--database-url", cluster.url,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT) for _ in range(3)]
    outputs = await asyncio.wait_for(asyncio.gather(*(n.communicate() for n in nodes)), 120)
    assert [n.returncode for n in nodes] == [0, 0, 0], [o.decode()[-2000:] for o, _ in outputs]
    engine = make_engine(cluster.url)
    try:
        async with engine.connect() as connection:
            versions = (await connection.execute(
                text("SELECT version_num FROM alembic_version"))).scalars().all()
            tables = (await connection.execute(text(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'work_orders'"
            ))).scalar_one()
    finally:
        await engine.dispose()
    assert len(versions) == 1 and tables == 1
