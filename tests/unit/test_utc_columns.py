"""Every instant column is the aware-UTC type (issue 19): stored as UTC on PostgreSQL and
SQLite alike and read back with its offset. A column declared with a bare `DateTime` would be
read back naive on SQLite and compared with aware times: the 500s of issue 19."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import DateTime
from sqlalchemy.dialects import postgresql, sqlite

import routing
from routing.store.model_base import Base, UtcDateTime


def _all_tables() -> None:
    for module in pkgutil.iter_modules(routing.__path__):
        if module.name == "models" or module.name.endswith("_tables"):
            importlib.import_module(f"routing.{module.name}")


def test_every_datetime_column_of_every_table_is_utc_datetime() -> None:
    _all_tables()
    columns = [(table.name, column.name, column.type)
               for table in Base.metadata.tables.values() for column in table.columns
               if isinstance(column.type, DateTime | UtcDateTime)]
    assert len(columns) > 30
    assert [(t, c) for t, c, kind in columns if not isinstance(kind, UtcDateTime)] == []


DIALECTS = [sqlite.dialect(), postgresql.dialect()]  # type: ignore[no-untyped-call]


@pytest.mark.parametrize("dialect", DIALECTS, ids=["sqlite", "postgresql"])
def test_a_beijing_time_is_stored_as_utc_and_read_back_aware(dialect: object) -> None:
    column = UtcDateTime()
    beijing = datetime(2026, 12, 5, 16, 0, tzinfo=timezone(timedelta(hours=8)))
    stored = column.process_bind_param(beijing, dialect)  # type: ignore[arg-type]
    assert stored is not None and stored.replace(tzinfo=UTC) == beijing
    assert stored.hour == 8  # UTC, whatever the engine
    read = column.process_result_value(stored, dialect)  # type: ignore[arg-type]
    assert read == beijing and read is not None and read.utcoffset() == timedelta(0)


def test_a_naive_time_is_refused_rather_than_guessed() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        UtcDateTime().process_bind_param(datetime(2026, 12, 5, 8, 0), DIALECTS[0])
