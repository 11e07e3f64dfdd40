"""Which database errors a call's write waits out (ari_app/storage.py): a server restarting
or unreachable, never a bad statement."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError

from ari_app.storage import _transient


class DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _error(sqlstate: str) -> DBAPIError:
    return DBAPIError("INSERT INTO call_sessions ...", None, DriverError(sqlstate))


@pytest.mark.parametrize("sqlstate", ["57P03", "57P01", "57P02", "08006", "08003", "53300"])
def test_a_restarting_or_unreachable_server_is_waited_out(sqlstate: str) -> None:
    assert _transient(_error(sqlstate))


@pytest.mark.parametrize("sqlstate", ["23505", "42P01", "22P02", "40P01"])
def test_a_bad_statement_is_not(sqlstate: str) -> None:
    assert not _transient(_error(sqlstate))


def test_a_refused_socket_is_waited_out() -> None:
    assert _transient(ConnectionRefusedError())
