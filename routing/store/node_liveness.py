"""Which hotline nodes sharing one PostgreSQL are alive (issue 14), and the calls of the dead.

Every `serve` holds, on a connection of its own for its whole life, an advisory lock named
for its node (its Asterisk's system name, the prefix of every channel id it answers). The
server frees the lock when that connection goes, so a node whose lock is free has no living
process. A living node ends the dead node's calls still marked in progress: they were lost
with its Asterisk. SQLite is one node by definition: nothing to watch there.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from routing.enums import CallOutcome


def node_key(name: str) -> int:
    """The advisory lock key of a node: 8 bytes of a hash of its name, as a signed bigint."""
    digest = hashlib.sha256(f"hotline12319-node:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def watched(database_url: str) -> bool:
    return make_url(database_url).get_backend_name() == "postgresql"


@asynccontextmanager
async def holding(database_url: str, name: str) -> AsyncIterator[AsyncConnection]:
    """This node's lock, held while the block runs; the connection also serves the checks."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            got = (await conn.execute(text("SELECT pg_try_advisory_lock(:k)"),
                                      {"k": node_key(name)})).scalar_one()
            if not got:
                raise RuntimeError(f"another living serve already calls itself node {name!r}")
            await conn.commit()
            yield conn
    finally:
        await engine.dispose()


async def nodes_with_open_calls(conn: AsyncConnection, own: str) -> list[str]:
    rows = await conn.execute(text(
        "SELECT DISTINCT split_part(channel_id, '-', 1) FROM call_sessions"
        " WHERE outcome = :open AND split_part(channel_id, '-', 1) <> :own"),
        {"open": CallOutcome.IN_PROGRESS.value, "own": own})
    await conn.commit()
    return [str(name) for (name,) in rows if name]


async def dead_among(conn: AsyncConnection, names: Iterable[str]) -> list[str]:
    """The nodes whose lock nobody holds (taken and given back at once to find out)."""
    dead = []
    for name in names:
        key = {"k": node_key(name)}
        if (await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), key)).scalar_one():
            await conn.execute(text("SELECT pg_advisory_unlock(:k)"), key)
            dead.append(name)
    await conn.commit()
    return dead


async def end_calls_of(conn: AsyncConnection, name: str, now: datetime) -> int:
    """Mark the dead node's open calls failed (our side could not carry them); how many."""
    result = await conn.execute(text(
        "UPDATE call_sessions SET outcome = :failed, ended_at = :now"
        " WHERE outcome = :open AND split_part(channel_id, '-', 1) = :name"),
        {"failed": CallOutcome.FAILED.value, "open": CallOutcome.IN_PROGRESS.value,
         "now": now, "name": name})
    await conn.commit()
    return int(getattr(result, "rowcount", 0) or 0)
