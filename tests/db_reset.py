"""An empty `public` schema on a test database, whoever else is still connected to it.

A test's app may leave a connection behind for a moment after it closes (a pool returning,
a background round finishing). DROP SCHEMA ... CASCADE takes its locks one table at a time,
so a query still running elsewhere can deadlock with it (CI, session 9). The other sessions
on the database are ended first, and a deadlock is tried again."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

log = logging.getLogger(__name__)
ATTEMPTS = 5

_OTHERS = text(
    "SELECT pg_terminate_backend(pid), application_name, state, left(query, 120) "
    "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
    # Our own role's client sessions only: an autovacuum worker is the server's, not a test's.
    "AND usename = current_user AND backend_type = 'client backend'"
)


async def empty_public_schema(url: str) -> None:
    engine = create_async_engine(url)
    try:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                await _drop_and_create(engine)
                return
            except DBAPIError as exc:
                if "deadlock" not in str(exc) or attempt == ATTEMPTS:
                    raise
                log.warning("schema reset deadlocked (try %d); trying again", attempt)
                await asyncio.sleep(0.2 * attempt)
    finally:
        await engine.dispose()


async def _drop_and_create(engine: AsyncEngine) -> None:
    try:
        async with engine.begin() as conn:
            for ended in (await conn.execute(_OTHERS)).all():
                log.warning("ended a session left on the test database: %s", tuple(ended[1:]))
    except DBAPIError as exc:  # not ours to end: the drop below may still go through
        log.warning("could not end the other sessions: %s", exc)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
