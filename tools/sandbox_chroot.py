"""The Debian sid tree the sandbox's Asterisks run in (bookworm ships no Asterisk).

Provisioning is idempotent: a tree that already has `/usr/sbin/asterisk` is reused as is.
A lock file next to the tree keeps two concurrent `sandbox up` runs from both bootstrapping.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from hotline12319.errors import CommandError
from hotline12319.settings import Settings

PACKAGES = ("asterisk", "asterisk-modules")
# apt and dpkg inside the chroot must never ask questions nor inherit the host's locale.
CHROOT_ENV = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "DEBIAN_FRONTEND": "noninteractive",
    "LC_ALL": "C",
    "HOME": "/root",
}


def say(message: str) -> None:
    """Progress goes to stderr, so `--json` output on stdout stays parseable."""
    print(f"sandbox: {message}", file=sys.stderr, flush=True)


def run_logged(argv: Sequence[str], what: str, env: dict[str, str] | None = None) -> float:
    """Run a provisioning step; on failure show the tail of its output. Returns seconds."""
    started = time.monotonic()
    say(f"{what} ...")
    proc = subprocess.run(
        list(argv), env=env, capture_output=True, text=True, errors="replace", check=False
    )
    seconds = time.monotonic() - started
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-25:])
        raise CommandError(f"{what} failed (exit {proc.returncode}):\n{tail}")
    say(f"{what}: done in {seconds:.1f} s")
    return seconds


@contextmanager
def tree_lock(root: Path) -> Iterator[None]:
    """Hold an exclusive lock beside the tree for the whole of `up` or `down`."""
    root.parent.mkdir(parents=True, exist_ok=True)
    lock_path = root.parent / f".{root.name}.lock"
    with lock_path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"waiting for another sandbox command holding {lock_path}")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def has_asterisk(root: Path) -> bool:
    return (root / "usr" / "sbin" / "asterisk").is_file()


def ensure_debootstrap() -> None:
    """Install the host's debootstrap from the Debian mirror when it is missing."""
    if shutil.which("debootstrap"):
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run_logged(["apt-get", "update"], "apt-get update (host)", env)
    run_logged(["apt-get", "install", "-y", "debootstrap"], "install debootstrap (host)", env)


def bootstrap(root: Path, settings: Settings) -> dict[str, float]:
    """Create the tree and install Asterisk in it; returns the seconds each step took."""
    timings: dict[str, float] = {}
    if not (root / "usr" / "bin" / "apt-get").is_file():
        if root.exists() and any(root.iterdir()):
            # A half-made tree from an interrupted run: debootstrap will not resume it and
            # deleting a configurable path as root is not something to do silently.
            raise CommandError(f"{root} exists but is not a complete tree; remove it and retry")
        ensure_debootstrap()
        argv = ["debootstrap", "--variant=minbase", settings.sandbox_suite, str(root),
                settings.sandbox_mirror]
        timings["debootstrap"] = run_logged(argv, f"debootstrap {settings.sandbox_suite}")
    timings["apt"] = install_packages(root)
    return timings


def install_packages(root: Path) -> float:
    # sid's Release file is often past its Valid-Until on the mirror used here.
    update = ["apt-get", "-o", "Acquire::Check-Valid-Until=false", "update"]
    install = ["apt-get", "install", "-y", "--no-install-recommends", *PACKAGES]
    seconds = run_logged(chroot(root, update), "apt-get update (chroot)", CHROOT_ENV)
    return seconds + run_logged(chroot(root, install), "install asterisk (chroot)", CHROOT_ENV)


def chroot(root: Path, argv: Sequence[str]) -> list[str]:
    return ["chroot", str(root), *argv]


def write_hosts(root: Path) -> None:
    """Name localhost and this host, so nothing in the chroot waits on a DNS lookup."""
    hostname = socket.gethostname()
    text = (
        f"127.0.0.1\tlocalhost {hostname}\n"
        "::1\tlocalhost ip6-localhost ip6-loopback\n"
    )
    hosts = root / "etc" / "hosts"
    if not hosts.is_file() or hosts.read_text(encoding="utf-8") != text:
        hosts.write_text(text, encoding="utf-8")


def ensure_tree(settings: Settings) -> dict[str, float]:
    """Provision the tree unless it already has Asterisk; returns step timings (may be {})."""
    root = settings.sandbox_root
    timings = {} if has_asterisk(root) else bootstrap(root, settings)
    write_hosts(root)
    return timings


def copy_prompts(settings: Settings) -> tuple[int, list[str]]:
    """Copy the prompt WAVs to where `prompts_uri` points; returns (copied, all names)."""
    target = settings.sandbox_root / settings.prompts_uri.strip("/")
    target.mkdir(parents=True, exist_ok=True)
    copied = 0
    names = []
    for source in sorted(settings.prompts_dir.glob("*.wav")):
        names.append(source.stem)
        dest = target / source.name
        if dest.is_file() and dest.read_bytes() == source.read_bytes():
            continue
        shutil.copyfile(source, dest)
        copied += 1
    return copied, names
