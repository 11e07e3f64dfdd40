"""Two `hotline12319 call` runs at once each keep their own call (issue 19): each has its keys
heard and its order made, and a run whose scenario did not complete exits non-zero."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

import pytest

from hotline12319.settings import PROJECT_ROOT
from tests.conftest import HotlineProcess

pytestmark = pytest.mark.integration


async def _call(hotline: HotlineProcess, *args: str) -> tuple[int, dict[str, Any], str]:
    env = {**os.environ, "HOTLINE_HTTP_PORT": str(hotline.settings.http_port),
           "DATABASE_URL": hotline.settings.database_url}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hotline12319.cli",
        "call",
        *args,
        "--json",
        cwd=PROJECT_ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=200)
    assert process.returncode is not None
    return process.returncode, json.loads(out), err.decode()


async def test_given_two_calls_at_once_then_each_keeps_its_keys_and_gets_its_order(
    hotline: HotlineProcess,
) -> None:
    runs = await asyncio.gather(_call(hotline, "--keys", "1,2"), _call(hotline, "--keys", "3,3"))
    for (rc, result, err), keys in zip(runs, (["1", "2"], ["3", "3"]), strict=True):
        assert rc == 0, (result, err)
        assert result["completed"] and result["keys_sent"] == keys, result
        assert result["order_number"], result
    assert runs[0][1]["order_number"] != runs[1][1]["order_number"]
    assert [r[1]["order"]["utility"] for r in runs] == ["water", "gas"]


async def test_given_a_scenario_cut_short_then_call_exits_non_zero(
    hotline: HotlineProcess,
) -> None:
    rc, result, err = await _call(hotline, "--keys", "1,2,3,4,5,6", "--timeout", "4")
    assert rc == 1 and result["completed"] is False, (result, err)
    assert "did not complete" in err
