"""What each parallel test worker (pytest-xdist) drives: a sandbox pair and databases of its own.

Worker `gw0` keeps the sandbox pair and the databases of a plain run. Worker `gwN` (N >= 1)
gets the pair `gwN` (`hotlinegwN` and `callergwN`, started by the `sandbox` fixture) on ports
of its own, and the databases `<name>_gwN` (made by scripts/postgres.sh, which makes them for
WORKERS workers). Set through the environment before anything reads a setting, so a `serve` or
CLI a test starts in a subprocess inherits it."""

from __future__ import annotations

import os

WORKERS = 6  # the Makefile's `-n`; scripts/postgres.sh makes the databases for as many
BASE = "postgresql+asyncpg://hotline:hotline@127.0.0.1:5432/"
DATABASES = {  # the variable each family reads -> its database in a plain run
    "HOTLINE_TEST_DATABASE_URL": "hotline_test",
    "HOTLINE_ORDERS_TEST_DATABASE_URL": "hotline_orders",
    "HOTLINE_FUZZ_TEST_DATABASE_URL": "hotline_fuzz",
    "HOTLINE_BACKUP_TEST_DATABASE_URL": "hotline_backup_test",
}


def worker_index() -> int:
    """0 in a plain run and on gw0; N on gwN."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(worker.removeprefix("gw"))


def worker_environment(index: int) -> dict[str, str]:
    """The variables that put worker `index` on its own pair and databases (none for 0)."""
    if index == 0:
        return {}
    if index >= WORKERS:
        raise RuntimeError(f"worker gw{index}: scripts/postgres.sh makes databases for "
                           f"{WORKERS} workers; run pytest with -n {WORKERS} or fewer")
    port = 19000 + 20 * index
    rtp = 40000 + 4000 * index
    env = {
        "HOTLINE_SANDBOX_PAIR": f"gw{index}",
        "HOTLINE_ARI_URL": f"http://127.0.0.1:{port}/ari",
        "HOTLINE_CALLER_ARI_URL": f"http://127.0.0.1:{port + 1}/ari",
        "HOTLINE_WEBRTC_PORT": str(port + 2),
        "HOTLINE_TEST_HTTP_PORT": str(port + 3),
        "HOTLINE_HOTLINE_SIP_PORT": str(17000 + 20 * index),
        "HOTLINE_CALLER_SIP_PORT": str(17010 + 20 * index),
        "HOTLINE_HOTLINE_RTP_PORTS": f"[{rtp}, {rtp + 1999}]",
        "HOTLINE_CALLER_RTP_PORTS": f"[{rtp + 2000}, {rtp + 3999}]",
    }
    env |= {name: f"{BASE}{db}_gw{index}" for name, db in DATABASES.items()}
    return env


def apply_worker_environment() -> None:
    os.environ.update(worker_environment(worker_index()))
