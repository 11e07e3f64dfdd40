"""As deployed (docker/compose.yaml): the hotline's Asterisk at SCHED_RR 10 (`highpriority`),
serve's event loop at SCHED_RR 5 and nothing else of serve's; a real call still goes through."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from hotline12319.asterisk_config import instances
from hotline12319.settings import Settings
from tests.conftest import HotlineProcess, call_and_fetch
from tools import sandbox_proc
from tools.callersim import CallerSim, Scenario

pytestmark = pytest.mark.integration


def policy(tid: int) -> int:
    return os.sched_getscheduler(tid) & ~os.SCHED_RESET_ON_FORK


def threads_of(pid: int) -> list[int]:
    return [int(tid) for tid in os.listdir(f"/proc/{pid}/task")]


def test_the_hotline_asterisk_runs_round_robin_and_the_caller_simulator_does_not(
    settings: Settings, sandbox: None
) -> None:
    hotline, caller = instances(settings)
    hot_pid = sandbox_proc.running_pid(settings.sandbox_root, hotline)
    caller_pid = sandbox_proc.running_pid(settings.sandbox_root, caller)
    assert hot_pid is not None and caller_pid is not None
    assert policy(hot_pid) == os.SCHED_RR
    assert os.sched_getparam(hot_pid).sched_priority == 10
    assert policy(caller_pid) == os.SCHED_OTHER


async def test_given_a_realtime_priority_then_only_the_loop_has_it_and_calls_go_through(
    hotline: HotlineProcess, caller: CallerSim, tmp_path: Path
) -> None:
    hotline.kill(signal.SIGTERM)
    mine = HotlineProcess(hotline.settings, tmp_path / "serve.log",
                          {"HOTLINE_REALTIME_PRIORITY": "5"})
    try:
        await asyncio.to_thread(mine.start)
        result = await call_and_fetch(caller, mine, Scenario(keys=["9", "3"], timeout=120))
        assert result["outcome"] == "completed", result
        assert mine.proc is not None
        pid = mine.proc.pid
        assert policy(pid) == os.SCHED_RR and os.sched_getparam(pid).sched_priority == 5
        others = [tid for tid in threads_of(pid) if tid != pid]
        assert others, "serve has started no thread of its own"
        assert all(policy(tid) == os.SCHED_OTHER for tid in others)
    finally:
        mine.kill(signal.SIGTERM)
        await asyncio.to_thread(hotline.start)
