"""Unit tests see a plain environment: a parallel worker's sandbox pair and databases
(tests/workers.py) are for the tests that drive them, not for tests of the defaults."""

from __future__ import annotations

import pytest

from tests.workers import worker_environment, worker_index


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in worker_environment(worker_index()):
        monkeypatch.delenv(name, raising=False)
