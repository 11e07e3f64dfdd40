"""Speech workers end with the process that started them: a `serve` killed with SIGKILL
cannot shut its pool down, and orphaned workers would each keep a model's memory."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
PARENT = """
import multiprocessing, os, time
from concurrent.futures import ProcessPoolExecutor
from recordings.transcriber import worker_setup
pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                           initializer=worker_setup)
print(pool.submit(os.getpid).result(), flush=True)
time.sleep(120)
"""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_given_the_parent_killed_then_its_speech_worker_exits() -> None:
    with subprocess.Popen([sys.executable, "-c", PARENT], cwd=ROOT,
                          stdout=subprocess.PIPE) as parent:
        assert parent.stdout is not None
        worker = int(parent.stdout.readline())
        assert alive(worker)
        parent.kill()
        parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(worker), f"worker {worker} outlived its parent"
