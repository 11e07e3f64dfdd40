"""`hotline12319 backup` and `restore` on a real PostgreSQL (its own database), run as the
commands an operator types: orders made by the order service come back identical, with their
deadlines and audit, after the data is damaged; a corrupt archive is refused untouched.

No Asterisk is involved, so this file does not take the sandbox lock."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import sys
import tarfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline12319.serve import init_app
from hotline12319.settings import PROJECT_ROOT
from routing.admin.users import add_user
from routing.agencies.directory import load_directory
from routing.dispatch.assignment import dispatch
from routing.enums import OrderType, Utility
from routing.orders.order_service import Intake, OrderEngine, create_order
from routing.orders.transitions import Role
from routing.store import database_lock
from routing.store.db import make_engine, make_sessionmaker
from tests.integration.orders_support import orders_settings, reset_database

pytestmark = pytest.mark.integration
BACKUP_DB = os.environ.get(
    "HOTLINE_BACKUP_TEST_DATABASE_URL",
    "postgresql+asyncpg://hotline:hotline@127.0.0.1:5432/hotline_backup_test",
)
# Every important table, and the call sessions orders point at, compared row by row.
COMPARED = ("work_orders", "audit_events", "dispatch_attempts", "order_counters", "users",
            "call_sessions", "alembic_version")
WAV = b"RIFF" + bytes(range(256)) * 40


@dataclass
class Site:
    engine: AsyncEngine
    orders: OrderEngine
    recordings: Path
    dest: Path


@pytest.fixture(scope="module")
async def site(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    await reset_database(BACKUP_DB)
    engine = make_engine(BACKUP_DB)
    tmp = tmp_path_factory.mktemp("backup")
    recordings = tmp / "recordings"
    recordings.mkdir()
    yield Site(engine, OrderEngine(sessions=make_sessionmaker(engine),
                                   directory=load_directory()), recordings, tmp / "archives")
    await engine.dispose()


async def _cli(site: Site, *args: str, database_url: str = BACKUP_DB) -> tuple[int, str, str]:
    env = {**os.environ, "DATABASE_URL": database_url,
           "HOTLINE_RECORDINGS_DIR": str(site.recordings)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hotline12319.cli", *args, cwd=PROJECT_ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def _snapshot(engine: AsyncEngine) -> dict[str, list[dict[str, Any]]]:
    async with engine.connect() as conn:
        return {table: [dict(row) for row in (await conn.execute(
            text(f"SELECT * FROM {table} ORDER BY 1"))).mappings()] for table in COMPARED}


async def _make_orders(site: Site) -> list[str]:
    now = datetime.now(UTC)
    async with site.orders.sessions.begin() as session:
        await add_user(session, user_id="backup-staff", name="值班员", role=Role.CENTER_STAFF,
                       agency_id=None, password="correct horse 12319", now=now)
    intakes = [
        Intake(Utility.WATER, OrderType.MAINTENANCE, "水表井盖缺失", "13800138000", "历下区",
               "经十路1号"),
        Intake(Utility.GAS, OrderType.EMERGENCY_REPAIR, "楼道有燃气味", "13900139000", "市中区",
               "英雄山路2号"),
        Intake(Utility.HEATING, OrderType.COMPLAINT, "暖气不热", "13700137000", "槐荫区"),
    ]
    numbers = [(await create_order(site.orders, intake=i, actor="backup-staff", now=now)).number
               for i in intakes]
    await dispatch(site.orders, number=numbers[0], actor="backup-staff",
                   role=Role.CENTER_STAFF, at=now)
    return numbers


async def _damage(site: Site, numbers: list[str]) -> None:
    async with site.engine.begin() as conn:
        await conn.execute(text("UPDATE work_orders SET onsite_due = onsite_due + "
                                "interval '3 days', status = 'closed' WHERE number = :n"),
                           {"n": numbers[1]})
        await conn.execute(text("DELETE FROM audit_events WHERE entity_id = :n"),
                           {"n": numbers[2]})
        await conn.execute(text("DROP TABLE dispatch_attempts"))
    await create_order(site.orders, intake=Intake(Utility.WATER, OrderType.CONSULTATION,
                                                  "备份之后的工单", None),
                       actor="backup-staff", now=datetime.now(UTC))
    (site.recordings / "order-1.wav").unlink()


async def test_given_orders_backed_up_when_data_is_damaged_then_restore_brings_them_back(
    site: Site,
) -> None:
    numbers = await _make_orders(site)
    (site.recordings / "order-1.wav").write_bytes(WAV)
    before = await _snapshot(site.engine)
    assert len(before["work_orders"]) == 3 and before["work_orders"][1]["onsite_due"]
    assert len(before["audit_events"]) >= 4 and len(before["dispatch_attempts"]) == 1

    rc, out, err = await _cli(site, "backup", "--kind", "all", "--dest", str(site.dest), "--json")
    assert rc == 0, err
    taken = json.loads(out)["taken"]
    assert taken["database"] == "postgresql" and taken["kinds"] == ["important", "ordinary"]
    assert set(taken["files"]) == {"database.dump", "recordings.tar"}
    assert taken["rows_by_kind"]["important"]["work_orders"] == 3
    assert taken["row_counts"]["audit_events"] == len(before["audit_events"])
    rc, out, err = await _cli(site, "backup", "--dest", str(site.dest), "--due-only", "--json")
    assert (rc, json.loads(out)["taken"]) == (0, None), err  # today's and this week's are taken

    await _damage(site, numbers)
    async with site.engine.connect() as conn:
        orders = (await conn.execute(text("SELECT count(*) FROM work_orders"))).scalar_one()
    assert orders == 4

    rc, out, err = await _cli(site, "restore", taken["archive"], "--json")
    assert rc == 0, err
    restored = json.loads(out)
    assert restored["row_counts"]["work_orders"] == 3
    assert len(restored["lost"]["orders_after_backup"]) == 1  # the order made after it
    after = await _snapshot(site.engine)
    # The counter alone may move on: never below the number the lost order had (issue 19;
    # on PostgreSQL it already counts the block the numbers came from).
    assert {**after, "order_counters": before["order_counters"]} == before
    assert [c["last"] >= 4 for c in after["order_counters"]] == [True]
    assert (site.recordings / "order-1.wav").read_bytes() == WAV
    new = await create_order(site.orders, intake=Intake(Utility.WATER, OrderType.CONSULTATION,
                                                        "恢复之后的工单", None),
                             actor="backup-staff", now=datetime.now(UTC))
    assert new.number not in {o["number"] for o in before["work_orders"]}
    assert new.number not in restored["lost"]["orders_after_backup"]


async def test_a_corrupt_archive_is_refused_and_the_database_is_left_alone(site: Site) -> None:
    archive = sorted(site.dest.glob("hotline12319-backup-*.tar"))[-1]
    with tarfile.open(archive) as tar:
        member = tar.getmember("database.dump")
        offset = member.offset_data + member.size // 2
    corrupt = site.dest.parent / "corrupt.tar"
    data = bytearray(archive.read_bytes())
    data[offset] ^= 0xFF
    corrupt.write_bytes(bytes(data))
    await create_order(site.orders, intake=Intake(Utility.ROAD_BRIDGE, OrderType.COMPLAINT,
                                                  "路面坑洼", None),
                       actor="backup-staff", now=datetime.now(UTC))
    before = await _snapshot(site.engine)

    rc, out, err = await _cli(site, "restore", str(corrupt))
    assert rc == 2 and "corrupt" in err and "database.dump: sha256" in err, (out, err)
    garbage = site.dest.parent / "garbage.tar"
    garbage.write_bytes(b"not a tar at all" * 64)
    rc, _, err = await _cli(site, "restore", str(garbage))
    assert rc == 2 and "not a readable backup archive" in err, err
    rc, _, err = await _cli(site, "restore", str(site.dest / "missing.tar"))
    assert rc == 2 and "no archive at" in err, err
    assert await _snapshot(site.engine) == before


async def test_the_sqlite_store_of_make_run_round_trips_too(site: Site, tmp_path: Path) -> None:
    db = tmp_path / "hotline.db"
    url = f"sqlite+aiosqlite:///{db}"
    assert (await _cli(site, "migrate", database_url=url))[0] == 0
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO order_counters (day, last) VALUES ('261127', 7)")
    rc, out, err = await _cli(site, "backup", "--kind", "important", "--dest", str(tmp_path),
                              "--json", database_url=url)
    assert rc == 0, err
    taken = json.loads(out)["taken"]
    assert taken["database"] == "sqlite" and set(taken["files"]) == {"database.sqlite3"}
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE order_counters SET last = 99")
    rc, out, err = await _cli(site, "restore", taken["archive"], "--json", database_url=url)
    assert rc == 0, err
    with sqlite3.connect(db) as conn:  # numbers 8..99 were issued: never again
        assert conn.execute("SELECT day, last FROM order_counters").fetchall() == [("261127", 99)]
    assert json.loads(out)["counters_moved"] == {"261127": 99}
    rc, _, err = await _cli(site, "restore", taken["archive"])  # into PostgreSQL: refused
    assert rc == 2 and "holds a sqlite database" in err, err


@asynccontextmanager
async def _serving(url: str, tmp: Path) -> AsyncIterator[None]:
    """The app `serve` runs (init_app), on the given database, for the time of the block."""
    settings = orders_settings(tmp, "http://127.0.0.1:9/none", url).model_copy(
        update={"ari_app": "hotline12319-backup-test"})
    server = TestServer(init_app(settings), host="127.0.0.1", port=0)
    await server.start_server()
    try:
        yield
    finally:
        await server.close()


async def test_given_serve_running_then_restore_is_refused_naming_what_it_would_lose(
    site: Site, tmp_path: Path
) -> None:
    rc, out, err = await _cli(site, "backup", "--kind", "important", "--dest", str(tmp_path),
                              "--json")
    assert rc == 0, err
    archive = json.loads(out)["taken"]["archive"]
    later = await create_order(site.orders, intake=Intake(Utility.GAS, OrderType.COMPLAINT,
                                                          "备份之后", None),
                               actor="backup-staff", now=datetime.now(UTC) + timedelta(seconds=1))
    numbers = [o["number"] for o in (await _snapshot(site.engine))["work_orders"]]
    async with _serving(BACKUP_DB, tmp_path):
        rc, _, err = await _cli(site, "restore", archive)
    assert rc == 2 and "serve is using this database" in err, err
    assert f"1 orders taken after the backup ({later.number})" in err, err
    # Untouched (serve itself may have moved an order on meanwhile: it is live).
    assert [o["number"] for o in (await _snapshot(site.engine))["work_orders"]] == numbers
    rc, _, err = await _cli(site, "restore", archive)  # serve gone: it goes ahead
    assert rc == 0, err


async def test_given_serve_running_on_sqlite_then_restore_is_refused(
    site: Site, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'hotline.db'}"
    assert (await _cli(site, "migrate", database_url=url))[0] == 0
    rc, out, err = await _cli(site, "backup", "--kind", "important", "--dest", str(tmp_path),
                              "--json", database_url=url)
    assert rc == 0, err
    archive = json.loads(out)["taken"]["archive"]
    async with _serving(url, tmp_path):
        rc, _, err = await _cli(site, "restore", archive, database_url=url)
        assert rc == 2 and "serve is using this database" in err, err
        # Serve seeds its own rows at start (e.g. the knowledge base): they are named.
        assert "it would lose" in err or "nothing was written after the backup" in err, err
    rc, _, err = await _cli(site, "restore", archive, database_url=url)
    assert rc == 0, err


@pytest.mark.parametrize("engine", ["postgresql", "sqlite"])
async def test_given_a_restore_under_way_then_serve_does_not_start(
    site: Site, tmp_path: Path, engine: str
) -> None:
    url = BACKUP_DB if engine == "postgresql" else f"sqlite+aiosqlite:///{tmp_path / 'h.db'}"
    if engine == "sqlite":
        await reset_database(url)
    async with database_lock.restoring(url):
        with pytest.raises(database_lock.DatabaseBusy, match="a restore is running"):
            async with _serving(url, tmp_path):
                pass
    async with _serving(url, tmp_path):  # the restore over: serve starts
        pass
