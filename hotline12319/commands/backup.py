"""`hotline12319 backup` and `hotline12319 restore`: archives of the data (L 3.1.4(3)).

    hotline12319 backup [--kind important|ordinary|all] [--dest DIR] [--due-only] [--prune]
    hotline12319 restore ARCHIVE

An archive is one tar file: `manifest.json` (kinds, time, sha256 of each file, row counts per
table), the database (`pg_dump -Fc` taken in one exported snapshot, so the counts are of the
dumped rows; or a SQLite online-backup copy) and, for the ordinary kind, `recordings.tar`.
`restore` refuses an archive whose checksums do not match before it touches anything, then
replaces the configured database (pg_restore --clean) and fills the recordings directory.
It is refused while any `serve` uses the database (routing/store/database_lock.py), naming what it
would lose, and moves the order counters past every number issued (routing/admin/restore_losses.py).
Run `backup --due-only --prune` hourly: the policy decides.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from hotline12319.errors import CommandError
from hotline12319.settings import PROJECT_ROOT, Settings, load_settings
from routing.admin import backup_files as disk
from routing.admin.backup import (
    DATABASE_FILES,
    KINDS,
    MANIFEST_FILE,
    RECORDINGS_FILE,
    ArchiveRef,
    BackupPolicy,
    DatabaseKind,
    Kind,
    Manifest,
    archive_name,
    artefacts_for,
    checksum_problems,
    classify_counts,
    count_problems,
    expired,
    kinds_due,
    load_backup_policy,
    parse_archive_name,
)
from routing.admin.restore_losses import carry_counters, read_losses
from routing.store import database_lock

DEFAULT_DEST = PROJECT_ROOT / "data" / "backups"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # One module serves both subcommands; argparse names the one being built in `prog`.
    if parser.prog.split()[-1] == "restore":
        parser.add_argument("archive", type=Path, help="a hotline12319-backup-*.tar file")
    else:
        parser.add_argument("--kind", choices=[*KINDS, "all"], default="all")
        parser.add_argument("--dest", type=Path, default=DEFAULT_DEST, help="archive directory")
        parser.add_argument("--due-only", action="store_true",
                            help="take only the kinds whose day or week has no backup yet")
        parser.add_argument("--prune", action="store_true",
                            help="delete archives older than the policy keeps")
    parser.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    settings, policy = load_settings(), load_backup_policy()
    if args.command == "restore":
        result = asyncio.run(restore(settings, args.archive))
    else:
        wanted: tuple[Kind, ...] = KINDS if args.kind == "all" else (args.kind,)
        result = asyncio.run(backup(settings, policy, wanted, dest=args.dest,
                                    due_only=args.due_only, prune=args.prune,
                                    now=datetime.now(UTC)))
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else _human(result))
    return 0


async def backup(settings: Settings, policy: BackupPolicy, wanted: Sequence[Kind], *,
                 dest: Path, due_only: bool, prune: bool, now: datetime) -> dict[str, Any]:
    await asyncio.to_thread(dest.mkdir, parents=True, exist_ok=True)
    kinds = kinds_due(policy, await _archives(dest), wanted, now) if due_only else tuple(wanted)
    result: dict[str, Any] = {"taken": await _take(settings, policy, kinds, dest, now)
                              if kinds else None}
    if prune:
        gone = expired(policy, await _archives(dest), now)
        for archive in gone:
            await asyncio.to_thread((dest / archive.name).unlink)
        result["pruned"] = [a.name for a in gone]
    return result


async def _archives(dest: Path) -> list[ArchiveRef]:
    names = await asyncio.to_thread(os.listdir, dest)
    return [ref for ref in map(parse_archive_name, names) if ref is not None]


async def _take(settings: Settings, policy: BackupPolicy, kinds: Sequence[Kind], dest: Path,
                now: datetime) -> dict[str, Any]:
    target = dest / archive_name(kinds, now)
    if await asyncio.to_thread(target.exists):
        raise CommandError(f"{target} already exists; try again in a second")
    database = _database_kind(settings.database_url)
    async with _scratch(dest, ".staging-") as staging:
        names = [DATABASE_FILES[database]]
        counts = await _dump(settings.database_url, database, staging / names[0])
        if "recordings" in artefacts_for(policy, kinds):
            names.append(RECORDINGS_FILE)
            await asyncio.to_thread(disk.tar_recordings, settings.recordings_dir,
                                    staging / RECORDINGS_FILE)
        files = {name: await asyncio.to_thread(disk.describe, staging / name) for name in names}
        manifest = Manifest(kinds=tuple(kinds), created_at=now, database=database, files=files,
                            row_counts=counts)
        await asyncio.to_thread((staging / MANIFEST_FILE).write_text,
                                manifest.model_dump_json(indent=2), "utf-8")
        await asyncio.to_thread(disk.pack, staging, [MANIFEST_FILE, *names], target)
    return {"archive": str(target), **manifest.model_dump(mode="json"),
            "rows_by_kind": classify_counts(policy, counts)}


async def restore(settings: Settings, archive: Path) -> dict[str, Any]:
    if not await asyncio.to_thread(archive.is_file):
        raise CommandError(f"no archive at {archive}")
    async with _scratch(None, "hotline-restore-") as tmp:
        manifest, digests = await asyncio.to_thread(disk.unpack, archive, tmp)
        problems = checksum_problems(manifest, digests)
        if problems:
            raise CommandError(f"refusing {archive}, it is corrupt: " + "; ".join(problems))
        database = _database_kind(settings.database_url)
        if manifest.database != database:
            raise CommandError(f"{archive} holds a {manifest.database} database; "
                               f"the configured one is {database}")
        url = settings.database_url
        losses = await read_losses(url, manifest.created_at, manifest.row_counts)
        try:
            async with database_lock.restoring(url):
                counts = await _load(url, database, tmp / DATABASE_FILES[database])
                moved = await carry_counters(url, losses.issued)
                if RECORDINGS_FILE in manifest.files:
                    await asyncio.to_thread(disk.untar_recordings, tmp / RECORDINGS_FILE,
                                            settings.recordings_dir)
        except database_lock.DatabaseBusy as busy:
            raise CommandError(f"refusing {archive}: {busy}; {losses.describe()}") from None
    differ = count_problems(manifest.row_counts, counts)  # counted before the counters moved
    if differ:
        raise CommandError("restored, but the row counts differ: " + "; ".join(differ))
    return {"restored": str(archive), "kinds": list(manifest.kinds),
            "created_at": manifest.created_at.isoformat(), "row_counts": counts,
            "recordings": RECORDINGS_FILE in manifest.files, "lost": losses.as_json(),
            "counters_moved": moved}


@asynccontextmanager
async def _scratch(parent: Path | None, prefix: str) -> AsyncIterator[Path]:
    """A temporary directory made and removed off the event loop."""
    path = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix=prefix, dir=parent))
    try:
        yield path
    finally:
        await asyncio.to_thread(shutil.rmtree, path, ignore_errors=True)


def _database_kind(database_url: str) -> DatabaseKind:
    backend = make_url(database_url).get_backend_name()
    if backend in ("postgresql", "sqlite"):
        return "postgresql" if backend == "postgresql" else "sqlite"
    raise CommandError(f"cannot back up a {backend} database")


# --- PostgreSQL -------------------------------------------------------------------------


def libpq_target(database_url: str) -> tuple[str, dict[str, str]]:
    """The libpq URL of a SQLAlchemy URL, and the environment carrying its password.

    The password goes in PGPASSWORD, not on the command line where `ps` shows it.
    """
    url = make_url(database_url)
    query = {"sslmode": str(url.query["ssl"])} if "ssl" in url.query else {}
    plain = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                       database=url.database, query=query)
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return plain.render_as_string(hide_password=False), env


async def _dump(database_url: str, database: DatabaseKind, target: Path) -> dict[str, int]:
    if database == "sqlite":
        return await asyncio.to_thread(disk.sqlite_copy, disk.sqlite_file(database_url), target)
    dsn, env = libpq_target(database_url)
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            snap = await conn.execution_options(isolation_level="REPEATABLE READ")
            async with snap.begin():
                # pg_dump reads the very snapshot the counts are taken in, held open meanwhile.
                snapshot = (await snap.execute(text("SELECT pg_export_snapshot()"))).scalar_one()
                counts = await _pg_counts(snap)
                await _run(["pg_dump", "-Fc", "--no-owner", "--no-privileges",
                            f"--snapshot={snapshot}", "-f", str(target), "-d", dsn], env)
    finally:
        await engine.dispose()
    return counts


async def _load(database_url: str, database: DatabaseKind, dump: Path) -> dict[str, int]:
    if database == "sqlite":
        return await asyncio.to_thread(disk.sqlite_copy, dump, disk.sqlite_file(database_url))
    dsn, env = libpq_target(database_url)
    await _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                "--single-transaction", "--exit-on-error", "-d", dsn, str(dump)], env)
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            return await _pg_counts(conn)
    finally:
        await engine.dispose()


async def _pg_counts(conn: AsyncConnection) -> dict[str, int]:
    found = await conn.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
    quote = conn.dialect.identifier_preparer.quote
    counts: dict[str, int] = {}
    for table in sorted(found.scalars()):
        counts[table] = (await conn.execute(text(f"SELECT count(*) FROM {quote(table)}"))
                         ).scalar_one()
    return counts


async def _run(argv: list[str], env: dict[str, str]) -> None:
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    except FileNotFoundError:
        raise CommandError(f"{argv[0]} is not installed (Debian: postgresql-client)") from None
    _, err = await proc.communicate()
    if proc.returncode != 0:
        message = err.decode(errors="replace").strip()[-800:]
        raise CommandError(f"{argv[0]} failed (exit {proc.returncode}): {message}")


def _human(result: dict[str, Any]) -> str:
    if "restored" in result:
        rows = ", ".join(f"{t}={n}" for t, n in result["row_counts"].items())
        return f"restored {result['restored']} (taken {result['created_at']}): {rows}"
    lines = []
    taken = result["taken"]
    if taken is None:
        lines.append("no backup due")
    else:
        lines.append(f"backup {taken['archive']} ({'+'.join(taken['kinds'])})")
        for name, entry in taken["files"].items():
            lines.append(f"  {name}: {entry['bytes']} bytes, sha256 {entry['sha256']}")
        for kind, rows in taken["rows_by_kind"].items():
            lines.append(f"  {kind}: " + ", ".join(f"{t}={n}" for t, n in rows.items()))
    lines += [f"pruned {name}" for name in result.get("pruned", [])]
    return "\n".join(lines)
