"""`serve` takes the due backups itself (issue 18, L 3.1.4(3)): once across nodes — a
second node trying at the same moment skips with a log line — and not again until the
policy's next day or week. PostgreSQL (a cluster of the test's own, real pg_dump) and the
SQLite store of `make run`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hotline12319.backup_task import backup_round
from hotline12319.settings import Settings, load_settings
from routing.admin.backup import load_backup_policy
from routing.store.migrate import upgrade
from tests.integration.private_postgres import PrivatePostgres, private_postgres

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def cluster() -> Iterator[PrivatePostgres]:
    with private_postgres() as pg:
        upgrade(pg.url)
        yield pg


def _settings(url: str, tmp: Path) -> Settings:
    return load_settings(database_url=url, backup_dir=tmp / "backups",
                         recordings_dir=tmp / "recordings")


@pytest.mark.parametrize("engine", ["postgresql", "sqlite"])
async def test_two_nodes_at_once_take_one_backup_and_the_next_round_finds_nothing_due(
    cluster: PrivatePostgres, tmp_path: Path, engine: str, caplog: pytest.LogCaptureFixture
) -> None:
    url = cluster.url
    if engine == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'hotline.db'}"
        await asyncio.to_thread(upgrade, url)
    settings, policy, now = _settings(url, tmp_path), load_backup_policy(), datetime.now(UTC)
    await asyncio.to_thread((tmp_path / "recordings").mkdir)
    caplog.set_level(logging.INFO, logger="hotline12319.backup_task")
    first, second = await asyncio.gather(backup_round(settings, policy, now),
                                         backup_round(settings, policy, now))
    rounds = [r for r in (first, second) if r is not None]
    assert len(rounds) == 1, (first, second)  # the other node skipped its turn
    assert "skipped: another node" in caplog.text
    taken = rounds[0]["taken"]
    assert taken is not None and set(taken["kinds"]) == {"important", "ordinary"}
    assert await asyncio.to_thread(Path(taken["archive"]).is_file)
    again = await backup_round(settings, policy, now)
    assert again is not None and again["taken"] is None  # today's and this week's exist
    archives = await asyncio.to_thread(lambda: list((tmp_path / "backups").glob("*.tar")))
    assert len(archives) == 1
