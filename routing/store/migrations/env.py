"""Alembic environment: runs migrations through the same async driver the app uses."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from routing.store.db import make_engine
from routing.store.models import Base

# Nodes starting together each run `upgrade` (serve migrates first): on PostgreSQL the
# whole upgrade holds this transaction-level advisory lock, so the others wait, then find the
# schema at head. (SQLite's write lock already lets one writer migrate at a time.)
MIGRATION_LOCK = 12319_0001


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()


async def _run_online() -> None:
    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or "")
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


asyncio.run(_run_online())
