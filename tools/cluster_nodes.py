"""What a sandbox cluster is made of (issue 14), and its processes.

A node is a hotline Asterisk of its own in the sandbox chroot (`nodeN`, rendered from the
hotline's templates, so its channel ids start with `nodeN-`) and a `serve` driving it; every
node's `serve` uses one PostgreSQL database. Kamailio (Debian's package, on the host) is the
hotline's SIP address in front of them. Ports are fixed per node so `status` and `kill` need
nothing but the node's number; they sit apart from the sandbox pair's and the tests'.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hotline12319.asterisk_config import LOOPBACK, Instance, instances
from hotline12319.settings import PROJECT_ROOT, Settings

MAX_NODES = 5
PROXY_SIP_PORT = 15040
NODE_SIP_BASE = 16000  # node N: 16000 + 10 N
NODE_ARI_BASE = 18600  # node N: 18600 + N
NODE_WSS_BASE = 18700  # node N: 18700 + N (the browser softphones' WSS)
NODE_HTTP_BASE = 8400  # node N's serve: 8400 + N
NODE_RTP_BASE = 30000  # node N: 2,000 ports from 30000 + 2000 (N - 1)
NODE_RTP_PORTS = 2000
CLUSTER_DB = "postgresql+asyncpg://hotline:hotline@127.0.0.1:5432/hotline"


@dataclass(frozen=True)
class Node:
    number: int

    @property
    def name(self) -> str:
        return f"node{self.number}"

    @property
    def sip_port(self) -> int:
        return NODE_SIP_BASE + 10 * self.number

    @property
    def http_port(self) -> int:
        return NODE_HTTP_BASE + self.number

    def settings(self, base: Settings) -> Settings:
        """The sandbox settings as this node's Asterisk and `serve` see them."""
        return base.model_copy(update={
            "ari_url": f"http://{LOOPBACK}:{NODE_ARI_BASE + self.number}/ari",
            "webrtc_port": NODE_WSS_BASE + self.number,
            "http_port": self.http_port,
            "hotline_sip_port": self.sip_port,
        })

    def instance(self, base: Settings) -> Instance:
        first = NODE_RTP_BASE + NODE_RTP_PORTS * (self.number - 1)
        return Instance(
            name=self.name, role="hotline",
            ari_url=self.settings(base).ari_url, ari_app=base.ari_app,
            sip_port=self.sip_port, peer_sip_port=base.caller_sip_port,
            rtp_ports=(first, first + NODE_RTP_PORTS - 1),
        )


def nodes(count: int) -> list[Node]:
    if not 1 <= count <= MAX_NODES:
        raise ValueError(f"a sandbox cluster has 1 to {MAX_NODES} nodes, not {count}")
    return [Node(n) for n in range(1, count + 1)]


def caller_through_proxy(base: Settings) -> Instance:
    """The caller simulator with its trunk pointed at Kamailio instead of the hotline."""
    caller = instances(base)[1]
    return dataclasses.replace(caller, peer_sip_port=PROXY_SIP_PORT)


# --- where the cluster keeps its state ------------------------------------------------------


def state_dir() -> Path:
    return PROJECT_ROOT / "data" / "cluster"


def read_state() -> dict[str, Any]:
    path = state_dir() / "state.json"
    try:
        return dict(json.loads(path.read_text()))
    except (OSError, ValueError):
        return {}


def write_state(state: dict[str, Any]) -> None:
    state_dir().mkdir(parents=True, exist_ok=True)
    (state_dir() / "state.json").write_text(json.dumps(state, indent=2))


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    # A zombie (killed, not yet reaped by its parent) is not alive.
    try:
        return "zombie" not in Path(f"/proc/{pid}/status").read_text().split("State:")[1][:20]
    except (OSError, IndexError):
        return False


def kill_pid(pid: int | None, sig: int = signal.SIGTERM) -> None:
    if pid_alive(pid):
        assert pid is not None
        os.kill(pid, sig)


def kill_group(pid: int | None) -> None:
    """End a process started with a session of its own, and everything it started."""
    if pid_alive(pid):
        assert pid is not None
        os.killpg(pid, signal.SIGTERM)


# --- serve ------------------------------------------------------------------------------------


def start_serve(node: Node, base: Settings) -> int:
    """`hotline12319 serve` for the node, in its own session so it outlives this command."""
    directory = state_dir() / node.name
    (directory / "recordings").mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": CLUSTER_DB,
        "HOTLINE_ARI_URL": node.settings(base).ari_url,
        "HOTLINE_HTTP_PORT": str(node.http_port),
        "HOTLINE_RECORDINGS_DIR": str(directory / "recordings"),
        "HOTLINE_WEBRTC_PORT": str(NODE_WSS_BASE + node.number),
        # The calls' loop at real-time priority, as deployed (scripts/with_serve.sh, compose).
        "HOTLINE_REALTIME_PRIORITY": os.environ.get("HOTLINE_REALTIME_PRIORITY", "5"),
        "HOTLINE_CLUSTER_WATCH": "1",  # a living node ends a dead node's calls
        "HOTLINE_LOG_FORMAT": "json",  # as a cluster's log shipper reads them
    }
    with (directory / "serve.log").open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hotline12319.cli", "serve"], cwd=PROJECT_ROOT, env=env,
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return proc.pid


def serve_health(node: Node) -> dict[str, Any]:
    try:
        url = f"http://{LOOPBACK}:{node.http_port}/health"
        with urllib.request.urlopen(url, timeout=1) as response:
            return dict(json.load(response))
    except (OSError, ValueError):
        return {}


def wait_serves(cluster: list[Node], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(serve_health(node).get("ari_connected") for node in cluster):
            return True
        time.sleep(0.3)
    return False


def api_url(settings: Settings) -> str:
    """Where `call` and `loadtest` read results: while a cluster is up, a living node's API
    (every node reads the one database); otherwise the settings' own."""
    state = read_state()
    for node in nodes(state["nodes"]) if state.get("nodes") else []:
        if serve_health(node).get("ari_connected"):
            return f"http://{LOOPBACK}:{node.http_port}"
    return f"http://{settings.http_host}:{settings.http_port}"
