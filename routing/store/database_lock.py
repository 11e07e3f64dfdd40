"""The lock `serve` and `restore` both take on a database, so neither runs under the other.

Every `serve` holds it shared for its whole life; `restore` takes it alone and is refused
while any `serve` holds it (a restore under a running serve silently loses what the serve
writes after the backup). On PostgreSQL it is an advisory lock (scoped to the database and
freed by the server if the process dies); on SQLite an flock on `<file>.lock` beside the
database (freed by the kernel if the process dies).
"""

from __future__ import annotations

import asyncio
import fcntl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

# pg advisory lock key: the bytes of "h12319db" read as a signed 64-bit integer.
ADVISORY_KEY = int.from_bytes(b"h12319db", "big", signed=True)


class DatabaseBusy(Exception):
    """The lock is held the other way: by a serve (for restore) or a restore (for serve)."""


def lock_file(database_url: str) -> Path | None:
    """The SQLite lock file of a database, or None for PostgreSQL."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        return None
    return Path(url.database).with_name(Path(url.database).name + ".lock")


@asynccontextmanager
async def serving(database_url: str) -> AsyncIterator[None]:
    """Held by `serve` while it runs; DatabaseBusy if a restore is under way."""
    async with _held(database_url, exclusive=False):
        yield


@asynccontextmanager
async def restoring(database_url: str) -> AsyncIterator[None]:
    """Held by `restore`; DatabaseBusy while any `serve` uses the database."""
    async with _held(database_url, exclusive=True):
        yield


@asynccontextmanager
async def _held(database_url: str, *, exclusive: bool) -> AsyncIterator[None]:
    path = lock_file(database_url)
    if path is not None:
        handle = await asyncio.to_thread(_flock, path, exclusive)
        try:
            yield
        finally:
            handle.close()  # closing the file releases the flock
        return
    if make_url(database_url).get_backend_name() != "postgresql":
        yield  # an in-memory SQLite database is one process's own
        return
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            await _advisory(conn, exclusive)
            yield  # closing the connection releases the lock
    finally:
        await engine.dispose()


async def _advisory(conn: AsyncConnection, exclusive: bool) -> None:
    take = "pg_try_advisory_lock" if exclusive else "pg_try_advisory_lock_shared"
    got = (await conn.execute(text(f"SELECT {take}(:key)"), {"key": ADVISORY_KEY})).scalar_one()
    await conn.commit()  # the lock is the session's, not the transaction's
    if not got:
        raise DatabaseBusy(_busy_message(exclusive))


def _flock(path: Path, exclusive: bool) -> IO[bytes]:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("ab")
    try:
        fcntl.flock(handle, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise DatabaseBusy(_busy_message(exclusive)) from None
    return handle


def _busy_message(exclusive: bool) -> str:
    if exclusive:
        return "a hotline12319 serve is using this database: stop every serve before a restore"
    return "a restore is running on this database: start serve after it has finished"
