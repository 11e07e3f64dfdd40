"""The command contract after issue 15: the product's subcommands name no test tool, and in a
checkout the test tools' subcommands are still there, loaded by name (tools/commands.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline12319 import cli
from routing.store.database_lock import DatabaseBusy

TOOLS_COMMANDS = {"sandbox", "cluster", "call", "loadtest", "citizen"}


def test_the_product_table_names_no_test_tool() -> None:
    assert not [m for m, _ in cli.COMMANDS.values() if m.split(".")[0] == "tools"]
    assert not TOOLS_COMMANDS & set(cli.COMMANDS)


def test_in_a_checkout_the_test_tools_commands_keep_their_names() -> None:
    table = cli.commands()
    assert set(table) >= TOOLS_COMMANDS
    assert {table[name][0] for name in TOOLS_COMMANDS} == {
        "tools.sandbox", "tools.cluster", "tools.caller", "tools.loadtest", "tools.citizen"}


def test_a_parts_refusal_is_reported_in_one_line(capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def busy(_: object) -> int:
        raise DatabaseBusy("a restore is running")

    monkeypatch.setattr("hotline12319.commands.sla.run", busy)
    assert cli.main(["sla", "--utility", "water", "--type", "repair",
                     "--created", "2026-01-05T09:00:00+08:00"]) == 2
    assert "hotline12319 sla: a restore is running" in capsys.readouterr().err


@pytest.mark.parametrize("mode", ["--plan", "--observed"])
def test_staffing_on_a_database_never_migrated_says_so_in_one_line(
        mode: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'new.db'}"
    assert cli.main(["staffing", mode, "--database-url", url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hotline12319 staffing: cannot read the calls from")
    assert "hotline12319 migrate" in err and "Traceback" not in err
