"""Errors shared by the command-line tools."""


class CommandError(Exception):
    """A failure to report on stderr with a non-zero exit, without a traceback."""
