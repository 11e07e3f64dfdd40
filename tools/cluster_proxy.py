"""Kamailio for the sandbox cluster: its node list, its process, what its dispatcher sees."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from hotline12319.asterisk_config import LOOPBACK
from hotline12319.settings import PROJECT_ROOT
from tools.cluster_nodes import PROXY_SIP_PORT, Node, pid_alive, state_dir

KAMAILIO_CFG = PROJECT_ROOT / "dialplans" / "kamailio" / "kamailio.cfg"


def ctl_socket() -> Path:
    return state_dir() / "kamailio_ctl"


def write_node_list(cluster: list[Node]) -> Path:
    """Set 1 of the dispatcher: every node, equal relative weights."""
    path = state_dir() / "dispatcher.list"
    lines = [f"1 sip:{LOOPBACK}:{node.sip_port} 0 0 rweight=50;duid={node.name}"
             for node in cluster]
    path.write_text("\n".join(lines) + "\n")
    return path


def start(cluster: list[Node]) -> int:
    """Kamailio in the foreground of a session of its own (it outlives this command)."""
    node_list = write_node_list(cluster)
    argv = [
        "kamailio", "-DD", "-E", "-f", str(KAMAILIO_CFG),
        "-l", f"udp:{LOOPBACK}:{PROXY_SIP_PORT}",
        "-A", f'DS_LIST="{node_list}"', "-A", f'CTL_SOCKET="unix:{ctl_socket()}"',
    ]
    with (state_dir() / "kamailio.log").open("ab") as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not ctl_socket().exists():
        if proc.poll() is not None:
            raise RuntimeError(f"kamailio exited {proc.returncode}; see {log.name}")
        time.sleep(0.1)
    return proc.pid


def dispatcher_states() -> dict[str, str]:
    """Destination URI -> Kamailio's flags for it (A active, I inactive, P probing)."""
    if not ctl_socket().exists():
        return {}
    out = subprocess.run(["kamcmd", "-s", f"unix:{ctl_socket()}", "dispatcher.list"],
                         capture_output=True, text=True, timeout=5, check=False).stdout
    return parse_dispatcher_list(out)


def parse_dispatcher_list(out: str) -> dict[str, str]:
    """`kamcmd dispatcher.list` output -> destination URI -> its flags."""
    states: dict[str, str] = {}
    uri = None
    for line in out.splitlines():
        key, _, value = line.strip().partition(": ")
        if key == "URI":
            uri = value
        elif key == "FLAGS" and uri is not None:
            states[uri] = value
            uri = None
    return states


def running(pid: int | None) -> bool:
    return pid_alive(pid) and ctl_socket().exists()
