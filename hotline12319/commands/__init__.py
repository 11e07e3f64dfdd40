"""The subcommands' shells: parse arguments, load settings, call a part, print.

May import the parts and the root's settings and errors; nothing imports them but
`hotline12319.cli` (by name), `hotline12319.backup_task` (serve's backups) and tests.
"""
