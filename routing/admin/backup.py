"""Backups (L 3.1.4(3)): what each kind holds, when it is due, which archives may go.

Pure: the schedule, the archive names and the manifest's checks take values and return
values. The rules come from `routing/admin/backup_policy.yaml`; `load_backup_policy` is the only
function touching the file system. `hotline12319/commands/backup.py` takes and restores the
archives.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

import yaml
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    model_validator,
)

from routing.orders.calendar import SHANGHAI

DEFAULT_BACKUP_POLICY_PATH = Path(__file__).with_name("backup_policy.yaml")
Kind = Literal["important", "ordinary"]
KINDS: tuple[Kind, ...] = ("important", "ordinary")
Artefact = Literal["database", "recordings"]
Period = Literal["day", "week"]
DatabaseKind = Literal["postgresql", "sqlite"]

MANIFEST_FILE = "manifest.json"
RECORDINGS_FILE = "recordings.tar"
DATABASE_FILES: Mapping[DatabaseKind, str] = {
    "postgresql": "database.dump",
    "sqlite": "database.sqlite3",
}
# Only these names may be read out of an archive: nothing else is ever extracted.
ARCHIVE_FILES = frozenset({RECORDINGS_FILE, *DATABASE_FILES.values()})
_NAME = re.compile(
    r"^hotline12319-backup-(\d{8}T\d{6}Z)-(important\+ordinary|important|ordinary)\.tar$"
)
_STAMP = "%Y%m%dT%H%M%SZ"
_TABLE = r"^[a-z_][a-z0-9_]*$"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class KindRules(_Frozen):
    """One kind of data: how often it is backed up, how long archives stay, what it covers."""

    period: Period
    source: Literal["standard", "center_default"]
    keep: PositiveInt
    artefacts: tuple[Artefact, ...] = Field(min_length=1)
    tables: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _names(self) -> KindRules:
        bad = [t for t in self.tables if not re.match(_TABLE, t)]
        if bad:
            raise ValueError(f"not table names: {bad}")
        if len(set(self.tables)) != len(self.tables):
            raise ValueError("a table is listed twice")
        return self


class BackupPolicy(_Frozen):
    version: Literal[1]
    clauses: tuple[str, ...] = Field(min_length=1)
    kinds: dict[Kind, KindRules]

    @model_validator(mode="after")
    def _consistent(self) -> BackupPolicy:
        if set(self.kinds) != set(KINDS):
            raise ValueError(f"kinds must be exactly {list(KINDS)}")
        important, ordinary = self.kinds["important"], self.kinds["ordinary"]
        # Important data is never backed up less often than ordinary data (the clause's order).
        if _PERIOD_DAYS[important.period] > _PERIOD_DAYS[ordinary.period]:
            raise ValueError("important data must be backed up at least as often as ordinary")
        # Orders point at call sessions, sessions at users: only the whole database restores.
        if any("database" not in rules.artefacts for rules in self.kinds.values()):
            raise ValueError("every kind must include the (whole) database")
        shared = set(important.tables) & set(ordinary.tables)
        if shared:
            raise ValueError(f"tables classed both important and ordinary: {sorted(shared)}")
        return self


_PERIOD_DAYS: Mapping[Period, int] = {"day": 1, "week": 7}


def load_backup_policy(path: Path = DEFAULT_BACKUP_POLICY_PATH) -> BackupPolicy:
    """Read and validate the policy file (pydantic's ValidationError names a bad field)."""
    with path.open(encoding="utf-8") as fh:
        return BackupPolicy.model_validate(yaml.safe_load(fh))


def period_start(period: Period, at: datetime) -> datetime:
    """Start of the Asia/Shanghai calendar day or ISO week (Monday) that `at` falls in."""
    local = at.astimezone(SHANGHAI)
    day = local.date() - timedelta(days=local.weekday() if period == "week" else 0)
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)


def backup_due(policy: BackupPolicy, kind: Kind, last_taken: datetime | None, now: datetime
               ) -> bool:
    """Due when no backup of `kind` was taken yet in the current day or week."""
    if last_taken is None:
        return True
    return last_taken < period_start(policy.kinds[kind].period, now)


@dataclass(frozen=True)
class ArchiveRef:
    """An archive known by its file name: when it was taken and which kinds it holds."""

    name: str
    taken_at: datetime
    kinds: tuple[Kind, ...]


def archive_name(kinds: Sequence[Kind], taken_at: datetime) -> str:
    ordered = [k for k in KINDS if k in kinds]
    return f"hotline12319-backup-{taken_at.astimezone(UTC):{_STAMP}}-{'+'.join(ordered)}.tar"


def parse_archive_name(name: str) -> ArchiveRef | None:
    """The archive a file name stands for, or None for any other file."""
    found = _NAME.match(name)
    if found is None:
        return None
    taken_at = datetime.strptime(found[1], _STAMP).replace(tzinfo=UTC)
    kinds = tuple(k for k in KINDS if k in found[2].split("+"))
    return ArchiveRef(name=name, taken_at=taken_at, kinds=kinds)


def last_taken(archives: Iterable[ArchiveRef], kind: Kind) -> datetime | None:
    return max((a.taken_at for a in archives if kind in a.kinds), default=None)


def kinds_due(policy: BackupPolicy, archives: Sequence[ArchiveRef], wanted: Sequence[Kind],
              now: datetime) -> tuple[Kind, ...]:
    """Of the wanted kinds, those whose backup is due given the archives already taken."""
    return tuple(k for k in wanted if backup_due(policy, k, last_taken(archives, k), now))


def expired(policy: BackupPolicy, archives: Sequence[ArchiveRef], now: datetime
            ) -> list[ArchiveRef]:
    """Archives every kind of which is older than its `keep` periods; never a kind's newest."""
    newest = {last_taken(archives, k) for k in KINDS}

    def gone(archive: ArchiveRef, kind: Kind) -> bool:
        rules = policy.kinds[kind]
        cutoff = period_start(rules.period, now) - timedelta(
            days=_PERIOD_DAYS[rules.period] * (rules.keep - 1)
        )
        return archive.taken_at < cutoff

    return [a for a in archives
            if a.taken_at not in newest and all(gone(a, k) for k in a.kinds)]


def artefacts_for(policy: BackupPolicy, kinds: Iterable[Kind]) -> frozenset[Artefact]:
    return frozenset(a for k in kinds for a in policy.kinds[k].artefacts)


def classify_counts(policy: BackupPolicy, counts: Mapping[str, int]
                    ) -> dict[str, dict[str, int]]:
    """Row counts grouped by the kind each table is classed in (or "unclassified")."""
    classed: dict[str, dict[str, int]] = {k: {} for k in (*KINDS, "unclassified")}
    for table, rows in sorted(counts.items()):
        kind = next((k for k in KINDS if table in policy.kinds[k].tables), "unclassified")
        classed[kind][table] = rows
    return classed


class ArchiveFile(_Frozen):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    bytes: NonNegativeInt


class Manifest(_Frozen):
    """`manifest.json` of an archive: what it holds and how to know it is intact."""

    format: Literal[1] = 1
    kinds: tuple[Kind, ...] = Field(min_length=1)
    created_at: AwareDatetime
    database: DatabaseKind
    files: dict[str, ArchiveFile]
    row_counts: dict[str, NonNegativeInt]

    @model_validator(mode="after")
    def _known_files(self) -> Manifest:
        unknown = set(self.files) - ARCHIVE_FILES
        if unknown:
            raise ValueError(f"unknown files in manifest: {sorted(unknown)}")
        if DATABASE_FILES[self.database] not in self.files:
            raise ValueError("the manifest names no database file")
        return self


def checksum_problems(manifest: Manifest, actual: Mapping[str, str]) -> list[str]:
    """What does not match between the manifest's sha256 sums and the files found."""
    problems = [f"{name}: missing from the archive"
                for name in manifest.files if name not in actual]
    problems += [f"{name}: sha256 {actual[name][:12]}… but the manifest says "
                 f"{entry.sha256[:12]}…"
                 for name, entry in manifest.files.items()
                 if name in actual and actual[name] != entry.sha256]
    return problems


def count_problems(expected: Mapping[str, int], actual: Mapping[str, int]) -> list[str]:
    """Tables whose restored row count differs from the one the backup recorded."""
    return [f"{table}: {actual.get(table)} rows restored, {rows} backed up"
            for table, rows in sorted(expected.items()) if actual.get(table) != rows]
