"""Errors shared by the command-line tools."""

from __future__ import annotations


class CommandError(Exception):
    """A failure to report on stderr with a non-zero exit, without a traceback."""


def reported(*also: type[Exception]) -> tuple[type[Exception], ...]:
    """The errors a command reports in one line: its own and the parts' refusals (+ `also`)."""
    from routing.admin.backup_files import ArchiveError
    from routing.store.database_lock import DatabaseBusy

    return (CommandError, ArchiveError, DatabaseBusy, *also)
