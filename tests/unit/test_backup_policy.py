"""The backup schedule of L 3.1.4(3) and the archive's checks (routing/admin/backup.py): pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from routing.admin.backup import (
    DEFAULT_BACKUP_POLICY_PATH,
    ArchiveFile,
    ArchiveRef,
    BackupPolicy,
    Manifest,
    archive_name,
    backup_due,
    checksum_problems,
    classify_counts,
    count_problems,
    expired,
    kinds_due,
    load_backup_policy,
    parse_archive_name,
    period_start,
)
from routing.orders.calendar import SHANGHAI

POLICY = load_backup_policy()
SHA = "ab" * 32


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of November 2026, Asia/Shanghai (the 23rd is a Monday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def _raw() -> dict[str, Any]:
    with DEFAULT_BACKUP_POLICY_PATH.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


def test_the_policy_file_cites_the_clause_and_has_the_standards_periods() -> None:
    assert POLICY.clauses == ("L 3.1.4(3)",)
    assert POLICY.kinds["important"].period == "day"
    assert POLICY.kinds["ordinary"].period == "week"
    assert {"work_orders", "audit_events", "users"} <= set(POLICY.kinds["important"].tables)
    assert "recordings" in POLICY.kinds["ordinary"].artefacts
    assert "recordings" not in POLICY.kinds["important"].artefacts


def test_given_a_backup_yesterday_evening_when_a_new_day_starts_then_important_is_due() -> None:
    last = _at(26, 23, 30)
    assert not backup_due(POLICY, "important", last, _at(26, 23, 59))
    assert backup_due(POLICY, "important", last, _at(27, 0, 1))


def test_given_a_backup_at_2_when_the_next_days_job_runs_at_1_59_then_it_is_due() -> None:
    # Calendar days, not 24 h: a job a minute early the next day still takes the day's backup.
    assert backup_due(POLICY, "important", _at(26, 2), _at(27, 1, 59))


def test_given_a_backup_on_monday_then_ordinary_is_due_only_the_next_monday() -> None:
    last = _at(23, 9)  # Monday
    assert not backup_due(POLICY, "ordinary", last, _at(29, 23, 59))  # Sunday
    assert backup_due(POLICY, "ordinary", last, _at(30, 0, 0))  # next Monday


def test_given_no_backup_yet_then_every_kind_is_due() -> None:
    assert kinds_due(POLICY, [], ("important", "ordinary"), _at(27, 10)) == (
        "important", "ordinary")


def test_periods_are_shanghai_days_even_for_utc_instants() -> None:
    # 17:30 UTC on the 26th is 01:30 on the 27th in Jinan.
    utc = datetime(2026, 11, 26, 17, 30, tzinfo=UTC)
    assert period_start("day", utc) == _at(27, 0)
    assert period_start("week", utc) == _at(23, 0)


def test_given_an_all_archive_today_then_nothing_is_due_and_its_name_round_trips() -> None:
    now = _at(27, 10)
    name = archive_name(["ordinary", "important"], now - timedelta(hours=1))
    ref = parse_archive_name(name)
    assert ref is not None and ref.kinds == ("important", "ordinary")
    assert ref.taken_at == now - timedelta(hours=1)
    assert kinds_due(POLICY, [ref], ("important", "ordinary"), now) == ()
    assert parse_archive_name("notes.txt") is None
    assert parse_archive_name(name.replace(".tar", ".tar.partial")) is None


def test_expired_keeps_the_policys_days_and_always_the_newest() -> None:
    now = _at(27, 10)
    keep = POLICY.kinds["important"].keep
    daily = [ArchiveRef(f"d{i}", now - timedelta(days=i), ("important",)) for i in range(keep + 3)]
    gone = expired(POLICY, daily, now)
    assert [a.name for a in gone] == [f"d{i}" for i in range(keep, keep + 3)]
    lonely = [ArchiveRef("old", now - timedelta(days=400), ("important",))]
    assert expired(POLICY, lonely, now) == []


def test_an_archive_holding_both_kinds_lives_as_long_as_the_longer_keep() -> None:
    now = _at(27, 10)
    both = ArchiveRef("both", now - timedelta(days=40), ("important", "ordinary"))
    newer = [ArchiveRef("d", now, ("important",)), ArchiveRef("w", now, ("ordinary",))]
    assert expired(POLICY, [both, *newer], now) == []  # 40 days < 8 weeks of ordinary


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("kinds", "important", "period"), "month", "period"),
        (("kinds", "ordinary", "tables"), ["work_orders"], "both important and ordinary"),
        (("kinds", "important", "artefacts"), ["recordings"], "whole"),
        (("kinds", "important", "keep"), 0, "keep"),
        (("kinds", "important", "tables"), ["DROP TABLE x"], "not table names"),
        (("clauses",), [], "clauses"),
        (("kinds", "ordinary", "every"), 7, "every"),
    ],
)
def test_a_bad_policy_is_refused_at_load(path: tuple[str, ...], value: Any, message: str
                                         ) -> None:
    data = _raw()
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(ValidationError, match=message):
        BackupPolicy.model_validate(data)


def test_important_data_backed_up_less_often_than_ordinary_is_refused() -> None:
    data = _raw()
    data["kinds"]["important"]["period"], data["kinds"]["ordinary"]["period"] = "week", "day"
    with pytest.raises(ValidationError, match="at least as often"):
        BackupPolicy.model_validate(data)


def test_a_policy_without_the_ordinary_kind_is_refused() -> None:
    data = _raw()
    del data["kinds"]["ordinary"]
    with pytest.raises(ValidationError, match="kinds must be exactly"):
        BackupPolicy.model_validate(data)


def _manifest(**files: str) -> Manifest:
    return Manifest(kinds=("important",), created_at=_at(27, 10), database="postgresql",
                    files={n: ArchiveFile(sha256=s, bytes=1) for n, s in files.items()},
                    row_counts={"work_orders": 3})


def test_checksums_name_every_missing_or_changed_file() -> None:
    manifest = _manifest(**{"database.dump": SHA, "recordings.tar": SHA})
    assert checksum_problems(manifest, {"database.dump": SHA, "recordings.tar": SHA}) == []
    problems = checksum_problems(manifest, {"database.dump": "cd" * 32})
    assert len(problems) == 2
    assert problems[0].startswith("recordings.tar: missing")
    assert problems[1].startswith("database.dump: sha256 cdcdcd")


def test_a_manifest_naming_an_unknown_file_or_no_database_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown files"):
        _manifest(**{"database.dump": SHA, "../../etc/passwd": SHA})
    with pytest.raises(ValidationError, match="no database file"):
        _manifest(**{"recordings.tar": SHA})


def test_row_counts_are_compared_and_classed_by_kind() -> None:
    assert count_problems({"work_orders": 3}, {"work_orders": 3, "x": 1}) == []
    assert count_problems({"work_orders": 3}, {"work_orders": 2}) == [
        "work_orders: 2 rows restored, 3 backed up"]
    classed = classify_counts(POLICY, {"work_orders": 3, "call_sessions": 5, "new_table": 1})
    assert classed == {"important": {"work_orders": 3}, "ordinary": {"call_sessions": 5},
                       "unclassified": {"new_table": 1}}


def test_the_sqlalchemy_url_becomes_a_libpq_url_with_the_password_kept_off_the_command_line(
) -> None:
    from hotline12319.commands.backup import libpq_target

    dsn, env = libpq_target("postgresql+asyncpg://hotline:p%40ss@db.example:5433/hotline?ssl=require")
    assert dsn == "postgresql://hotline@db.example:5433/hotline?sslmode=require"
    assert env["PGPASSWORD"] == "p@ss"
