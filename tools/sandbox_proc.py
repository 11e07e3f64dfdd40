"""Starting, stopping and probing the sandbox's Asterisk processes.

An instance counts as ours only when the pid in its private astrundir belongs to an
`asterisk -C <its asterisk.conf>` process, so `down` never touches another Asterisk.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from hotline12319.asterisk_config import Instance, inside
from hotline12319.errors import CommandError
from hotline12319.settings import Settings
from tools.sandbox_chroot import CHROOT_ENV, chroot


@dataclasses.dataclass(frozen=True)
class Health:
    """What `status` reports for one instance."""

    pid: int | None
    running: bool
    ari_ok: bool
    version: str | None
    ari_url: str
    sip_port: int

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def asterisk_argv(root: Path, inst: Instance, *extra: str) -> list[str]:
    return chroot(root, ["asterisk", "-C", str(inst.conf_path), *extra])


def read_pid(root: Path, inst: Instance) -> int | None:
    pid_file = inside(root, inst.run_dir / "asterisk.pid")
    try:
        return int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None


def is_ours(pid: int, inst: Instance) -> bool:
    """The pid is alive and is this instance's Asterisk (not a recycled pid)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    words = [word.decode(errors="replace") for word in argv]
    return bool(words) and words[0].endswith("asterisk") and str(inst.conf_path) in words


def running_pid(root: Path, inst: Instance) -> int | None:
    pid = read_pid(root, inst)
    return pid if pid is not None and is_ours(pid, inst) else None


def start(root: Path, inst: Instance) -> None:
    """Start Asterisk as a daemon: it forks, writes its pid file, and the parent exits."""
    proc = subprocess.run(
        asterisk_argv(root, inst), env=CHROOT_ENV, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, errors="replace", timeout=30, check=False,
    )
    if proc.returncode != 0:
        raise CommandError(f"{inst.name}: asterisk exited {proc.returncode}: {proc.stderr}")


def stop(root: Path, inst: Instance, grace: float = 10.0) -> bool:
    """Stop the instance if it runs; True if something was stopped."""
    pid = running_pid(root, inst)
    if pid is None:
        return False
    # Ask politely over the control socket first; fall back to signals if it hangs.
    subprocess.run(asterisk_argv(root, inst, "-rx", "core stop now"), env=CHROOT_ENV,
                   capture_output=True, timeout=grace, check=False)
    if wait_gone(pid, inst, grace):
        return True
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        os.kill(pid, sig)
        if wait_gone(pid, inst, wait):
            return True
    raise CommandError(f"{inst.name}: pid {pid} survived SIGKILL")


def wait_gone(pid: int, inst: Instance, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not is_ours(pid, inst):
            return True
        time.sleep(0.1)
    return not is_ours(pid, inst)


def ari_info(inst: Instance, settings: Settings, timeout: float = 2.0) -> dict[str, Any] | None:
    """GET /asterisk/info with basic auth; None unless this instance answers properly."""
    token = base64.b64encode(f"{settings.ari_user}:{settings.ari_password}".encode()).decode()
    request = urllib.request.Request(
        f"{inst.ari_url.rstrip('/')}/asterisk/info",
        headers={"Authorization": f"Basic {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body: dict[str, Any] = json.load(response)
    except (OSError, ValueError):  # URLError and HTTPError are OSErrors
        return None
    # Another Asterisk on the port (the pair swapped, a stray instance) is not "ok".
    return body if body.get("config", {}).get("name") == inst.name else None


def health(root: Path, inst: Instance, settings: Settings) -> Health:
    pid = running_pid(root, inst)
    info = ari_info(inst, settings) if pid is not None else None
    version = info.get("system", {}).get("version") if info else None
    return Health(pid=pid, running=pid is not None, ari_ok=info is not None, version=version,
                  ari_url=inst.ari_url, sip_port=inst.sip_port)


def wait_for_ari(root: Path, insts: tuple[Instance, ...], settings: Settings,
                 timeout: float) -> dict[str, Health]:
    """Poll until every instance's ARI answers or the timeout passes."""
    deadline = time.monotonic() + timeout
    while True:
        report = {inst.name: health(root, inst, settings) for inst in insts}
        done = all(h.ari_ok for h in report.values())
        if done or time.monotonic() >= deadline:
            return report
        time.sleep(0.25)
