"""A PostgreSQL cluster of the test's own, on a free port, to stop and start at will.

The shared server serves everyone's tests at once: a test that needs the database to go
away stops this one instead. As root the cluster runs as `postgres` (initdb refuses root),
in a directory of its own under /tmp that the postgres user can reach."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BINARIES = Path("/usr/lib/postgresql/15/bin")


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivatePostgres:
    def __init__(self, root: Path) -> None:
        self.data, self.port = root / "data", _free_port()
        self.url = f"postgresql+asyncpg://hotline@127.0.0.1:{self.port}/postgres"
        self._root = root

    def _pg_ctl(self, *args: str) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 " \
                  f"-c unix_socket_directories={self._root}"
        subprocess.run(_as_postgres([str(BINARIES / "pg_ctl"), "-D", str(self.data), "-o",
                                     options, "-l", str(self._root / "log"), "-w", *args]),
                       check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        self._pg_ctl("start")

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "stop")


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    root = Path(tempfile.mkdtemp(prefix="hotline-private-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    cluster = PrivatePostgres(root)
    subprocess.run(_as_postgres([str(BINARIES / "initdb"), "-D", str(cluster.data), "-U",
                                 "hotline", "--auth=trust", "--no-sync"]),
                   check=True, capture_output=True, timeout=120)
    cluster.start()
    try:
        yield cluster
    finally:
        subprocess.run(_as_postgres([str(BINARIES / "pg_ctl"), "-D", str(cluster.data), "-m",
                                     "immediate", "stop"]), capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)
