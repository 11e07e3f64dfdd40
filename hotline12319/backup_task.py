"""`serve` takes the backups the policy asks for (L 3.1.4(3): important data daily, ordinary
data weekly), so nobody has to remember a cron job.

Every `backup_check_minutes` it runs `backup --due-only --prune` (hotline12319/commands/backup.py):
nothing is taken when the day's or week's archive exists. Nodes on one database take turns
through a lock tried without waiting — a PostgreSQL advisory lock, or an flock beside a
SQLite file — and a node that finds it taken skips the round with a log line. Archives go to
`backup_dir`; nodes that should not repeat each other's archives share that directory.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from hotline12319.commands.backup import backup
from hotline12319.errors import reported
from hotline12319.settings import Settings
from routing.admin.backup import KINDS, BackupPolicy

log = logging.getLogger(__name__)
# pg advisory lock key: "h12319bk" read as a signed 64-bit integer.
BACKUP_KEY = int.from_bytes(b"h12319bk", "big", signed=True)


async def backup_round(settings: Settings, policy: BackupPolicy, now: datetime
                       ) -> dict[str, Any] | None:
    """One due-only round with pruning; None when another node holds the turn."""
    async with _turn(settings.database_url) as mine:
        if not mine:
            log.info("backup round skipped: another node is taking it")
            return None
        return await backup(settings, policy, KINDS, dest=settings.backup_dir, due_only=True,
                            prune=True, now=now)


async def run_backups(settings: Settings, policy: BackupPolicy, interval_s: float) -> None:
    """Rounds for the process's life; a failed round is logged and tried at the next."""
    while True:
        try:
            done = await backup_round(settings, policy, datetime.now(UTC))
            if done and done.get("taken"):
                log.info("backup taken: %s", done["taken"]["archive"])
        except reported(OSError) as exc:
            log.error("backup round failed: %s", exc)
        await asyncio.sleep(interval_s)


@asynccontextmanager
async def _turn(database_url: str) -> AsyncIterator[bool]:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        handle = await asyncio.to_thread(_try_flock, Path(url.database or "hotline.db"))
        try:
            yield handle is not None
        finally:
            if handle is not None:
                handle.close()  # closing the file releases the flock
        return
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            query = text("SELECT pg_try_advisory_lock(:key)")
            got = bool((await conn.execute(query, {"key": BACKUP_KEY})).scalar())
            yield got  # closing the connection releases the lock
    finally:
        await engine.dispose()


def _try_flock(database: Path) -> IO[str] | None:
    handle = database.with_name(database.name + ".backup-lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle
