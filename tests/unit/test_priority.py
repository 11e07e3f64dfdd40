"""serve's real-time priority: the event loop's thread only, never what it starts later.

Runs in a child interpreter, so the test process's own scheduling is untouched (CI is root,
which has CAP_SYS_NICE).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from ari_app.priority import ASTERISK_RT_PRIORITY, MAX_PRIORITY, take_realtime_priority
from hotline12319.settings import Settings

CHILD = """
import json, os, threading, multiprocessing
from ari_app.priority import take_realtime_priority
taken = take_realtime_priority(5)
seen = {}
def look(): seen["thread"] = os.sched_getscheduler(0)
t = threading.Thread(target=look); t.start(); t.join()
proc = multiprocessing.get_context("spawn")
with proc.Pool(1) as pool:
    seen["process"] = pool.apply(os.sched_getscheduler, (0,))
print(json.dumps({"taken": taken, "main": os.sched_getscheduler(0),
                  "priority": os.sched_getparam(0).sched_priority, **seen}))
"""


def test_given_a_priority_then_only_the_calling_thread_runs_round_robin() -> None:
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                         timeout=60, check=True)
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["taken"] is True
    assert seen["main"] & ~os.SCHED_RESET_ON_FORK == os.SCHED_RR and seen["priority"] == 5
    # Threads and worker processes started afterwards are back on the normal policy.
    assert seen["thread"] == os.SCHED_OTHER
    assert seen["process"] == os.SCHED_OTHER


def test_given_zero_then_nothing_changes() -> None:
    before = os.sched_getscheduler(0)
    assert take_realtime_priority(0) is False
    assert os.sched_getscheduler(0) == before


@pytest.mark.parametrize("priority", [-1, MAX_PRIORITY + 1, ASTERISK_RT_PRIORITY, 99])
def test_given_a_priority_out_of_range_then_refused(priority: int) -> None:
    with pytest.raises(ValueError):
        take_realtime_priority(priority)
    with pytest.raises(ValidationError):
        Settings(realtime_priority=priority)


def test_settings_range_is_the_modules() -> None:
    field = Settings.model_fields["realtime_priority"]
    bounds = {type(m).__name__: m for m in field.metadata}
    assert field.default == 0
    assert bounds["Le"].le == MAX_PRIORITY and bounds["Ge"].ge == 0
