"""The backup archive on disk: one tar of `manifest.json` and the files it names.

Synchronous file work, run in a thread by `hotline12319/commands/backup.py`; the format's rules
(names, manifest, checks) are in `routing/admin/backup.py`.
"""

from __future__ import annotations

import hashlib
import sqlite3
import tarfile
from contextlib import closing
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.engine import make_url

from routing.admin.backup import MANIFEST_FILE, ArchiveFile, Manifest


class ArchiveError(Exception):
    """A database or an archive that cannot be backed up or read (reported by the command)."""


def sqlite_file(database_url: str) -> Path:
    name = make_url(database_url).database
    if not name or name == ":memory:":
        raise ArchiveError("an in-memory SQLite database cannot be backed up")
    return Path(name)


def sqlite_copy(source: Path, target: Path) -> dict[str, int]:
    """Copy with SQLite's online backup (consistent while others write); the target's counts."""
    if not source.is_file():
        raise ArchiveError(f"no SQLite database at {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
        tables = [row[0] for row in dst.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {t: int(dst.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])
                for t in sorted(tables)}


def tar_recordings(directory: Path, target: Path) -> None:
    with tarfile.open(target, "w") as tar:
        if directory.is_dir():
            tar.add(directory, arcname=".")


def untar_recordings(source: Path, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source, "r:") as tar:
        tar.extractall(directory, filter="data")


def describe(path: Path) -> ArchiveFile:
    return ArchiveFile(sha256=sha256(path), bytes=path.stat().st_size)


def sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def pack(staging: Path, names: list[str], target: Path) -> None:
    partial = target.with_name(target.name + ".partial")
    with tarfile.open(partial, "w") as tar:
        for name in names:
            tar.add(staging / name, arcname=name)
    partial.replace(target)  # a reader never sees half an archive


def unpack(archive: Path, into: Path) -> tuple[Manifest, dict[str, str]]:
    """The manifest and the sha256 of each file it names that the archive holds."""
    try:
        with tarfile.open(archive, "r:") as tar:
            raw = tar.extractfile(MANIFEST_FILE)
            if raw is None:
                raise tarfile.ReadError("manifest.json is not a file")
            manifest = Manifest.model_validate_json(raw.read())
            held = set(tar.getnames())
            for name in manifest.files:
                if name in held:
                    tar.extract(name, into, filter="data")
    except (tarfile.TarError, EOFError, KeyError, ValidationError, ValueError) as exc:
        raise ArchiveError(f"{archive} is not a readable backup archive: {exc}") from None
    return manifest, {name: sha256(into / name) for name in manifest.files
                      if (into / name).is_file()}
