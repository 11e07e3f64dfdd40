"""`hotline12319 cluster up|status|kill|down`: hotline nodes behind Kamailio in the sandbox.

`up --nodes N` starts N nodes (each its own hotline Asterisk in the sid chroot and its own
`serve`, all on the `hotline` PostgreSQL database) and Kamailio in front of them, and points
the caller simulator's trunk at Kamailio, so `call` and `loadtest` go through the proxy.
While the cluster is up it holds the sandbox's test lock: a test session waits rather than
meet a caller simulator that dials the proxy. `kill NODE` kills that node's Asterisk and
`serve` with SIGKILL, as a dead machine would; `down` stops everything and points the
caller simulator back at the sandbox's own hotline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import subprocess
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from hotline12319 import asterisk_config as config
from hotline12319.errors import CommandError
from hotline12319.settings import Settings, load_settings
from routing.store.migrate import upgrade
from tools import cluster_nodes as cn
from tools import cluster_proxy as proxy
from tools import sandbox, sandbox_certs, sandbox_proc
from tools.sandbox_chroot import CHROOT_ENV, say, tree_lock


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("up", "status", "kill", "down"))
    parser.add_argument("node", nargs="?", help="the node `kill` kills, e.g. node1")
    parser.add_argument("--nodes", type=int, default=2, help="how many nodes `up` starts")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--no-test-lock", action="store_true",
                        help="do not take the sandbox's test lock (a test that holds it)")


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.action == "up":
        up(settings, args.nodes, hold_lock=not args.no_test_lock)
    elif args.action == "kill":
        kill(settings, args.node)
    elif args.action == "down":
        down(settings)
        return 0
    report = status(settings)
    print(json.dumps(report, indent=2) if args.json else _text(report))
    return 0 if report["ok"] else 1


def up(settings: Settings, count: int, hold_lock: bool = True) -> None:
    cluster = cn.nodes(count)
    if cn.read_state().get("nodes"):
        down(settings)
    state: dict[str, Any] = {"nodes": count, "started_at": datetime.now(UTC).isoformat()}
    state["lock_pid"] = _hold_test_lock(settings) if hold_lock else None
    cn.write_state(state)
    root = settings.sandbox_root
    with tree_lock(root):
        sandbox.prepare_prompts(settings)
        for node in cluster:
            inst = node.instance(settings)
            changed = config.install(root, inst, node.settings(settings))
            changed |= sandbox_certs.ensure_webrtc_cert(root, inst)
            sandbox.start_or_keep(settings, inst, changed)
        _point_caller(settings, cn.caller_through_proxy(settings))
    insts = tuple(node.instance(settings) for node in cluster)
    health = sandbox_proc.wait_for_ari(root, insts, settings, settings.sandbox_start_timeout)
    if not all(h.ari_ok for h in health.values()):
        raise CommandError(f"a node's Asterisk did not answer on ARI: {health}")
    upgrade(cn.CLUSTER_DB)  # once, before the nodes' serves start side by side
    state["serve_pids"] = {node.name: cn.start_serve(node, settings) for node in cluster}
    state["proxy_pid"] = proxy.start(cluster)
    cn.write_state(state)
    if not cn.wait_serves(cluster, timeout=60):
        raise CommandError(f"a node's serve did not connect to ARI; see {cn.state_dir()}")
    _wait_dispatcher(cluster, timeout=10)
    say(f"cluster up: {count} nodes behind sip:{config.LOOPBACK}:{cn.PROXY_SIP_PORT}")


def _point_caller(settings: Settings, caller: config.Instance) -> None:
    """Render the caller simulator's trunk and reload its PJSIP, not restart it: an ARI
    websocket on it (a test session's simulator) survives the change."""
    root = settings.sandbox_root
    changed = config.install(root, caller, settings)
    if sandbox_proc.running_pid(root, caller) is None:
        sandbox_proc.start(root, caller)
    elif changed:
        reload = sandbox_proc.asterisk_argv(root, caller, "-rx", "module reload res_pjsip.so")
        subprocess.run(reload, env=CHROOT_ENV, capture_output=True, timeout=30, check=True)
        say(f"{caller.name}: trunk now sip:{config.LOOPBACK}:{caller.peer_sip_port}")


def _hold_test_lock(settings: Settings) -> int:
    """A process that holds the sandbox's test lock until `down` ends it."""
    lock = settings.sandbox_root.parent / "tests.lock"
    holder = subprocess.Popen(
        ["flock", "-w", "900", str(lock), "sh", "-c", "echo held; exec sleep infinity"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        text=True, start_new_session=True,
    )
    assert holder.stdout is not None
    if holder.stdout.readline().strip() != "held":
        raise CommandError(f"the sandbox's test lock {lock} was not free within 900 s")
    holder.stdout.close()
    return holder.pid


def _wait_dispatcher(cluster: list[cn.Node], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = proxy.dispatcher_states()
        if len(states) == len(cluster) and all("A" in f for f in states.values()):
            return
        time.sleep(0.3)
    raise CommandError(f"Kamailio does not see every node alive: {proxy.dispatcher_states()}")


def kill(settings: Settings, name: str | None) -> None:
    state = cn.read_state()
    node = _node_named(state, name)
    pid = sandbox_proc.running_pid(settings.sandbox_root, node.instance(settings))
    cn.kill_pid(pid, signal.SIGKILL)
    cn.kill_pid(state.get("serve_pids", {}).get(node.name), signal.SIGKILL)
    say(f"{node.name}: Asterisk (pid {pid}) and serve killed")


def _node_named(state: dict[str, Any], name: str | None) -> cn.Node:
    known = {node.name: node for node in cn.nodes(state["nodes"])} if state.get("nodes") else {}
    if name not in known:
        raise CommandError(f"no such node {name!r}; the cluster has {sorted(known) or 'none'}")
    return known[name]


def down(settings: Settings) -> None:
    state = cn.read_state()
    cn.kill_pid(state.get("proxy_pid"))
    for pid in state.get("serve_pids", {}).values():
        cn.kill_pid(pid)
    root = settings.sandbox_root
    with tree_lock(root):
        for node in cn.nodes(state["nodes"]) if state.get("nodes") else []:
            sandbox_proc.stop(root, node.instance(settings))
        _point_caller(settings, config.instances(settings)[1])
    cn.kill_group(state.get("lock_pid"))  # flock and the sleep that holds the lock
    cn.write_state({})
    say("cluster down; the caller simulator dials the sandbox's hotline again")


def status(settings: Settings) -> dict[str, Any]:
    state = cn.read_state()
    cluster = cn.nodes(state["nodes"]) if state.get("nodes") else []
    totals = asyncio.run(_calls_per_node(cluster, state.get("started_at")))
    dispatch = proxy.dispatcher_states()
    rows = []
    for node in cluster:
        health = sandbox_proc.health(settings.sandbox_root, node.instance(settings), settings)
        rows.append({
            "name": node.name,
            "asterisk": health.running and health.ari_ok,
            "serve": bool(cn.serve_health(node).get("ari_connected")),
            "in_proxy": dispatch.get(f"sip:{config.LOOPBACK}:{node.sip_port}", ""),
            "calls_total": totals.get(node.name, 0),
            "sip_port": node.sip_port, "http_port": node.http_port,
        })
    proxy_up = proxy.running(state.get("proxy_pid"))
    return {
        "ok": bool(rows) and proxy_up and any(r["asterisk"] and r["serve"] for r in rows),
        "proxy": {"running": proxy_up, "sip": f"{config.LOOPBACK}:{cn.PROXY_SIP_PORT}"},
        "nodes": rows,
        "started_at": state.get("started_at"),
    }


async def _calls_per_node(cluster: list[cn.Node], since: str | None) -> dict[str, int]:
    """Calls each node's Asterisk answered since `up` (its channel ids start with its name)."""
    if not cluster or since is None:
        return {}
    engine = create_async_engine(cn.CLUSTER_DB)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text("SELECT split_part(channel_id, '-', 1) AS node, count(*) FROM call_sessions"
                     " WHERE started_at >= :since GROUP BY 1"),
                {"since": datetime.fromisoformat(since)},
            )
            return {str(name): int(count) for name, count in rows}
    finally:
        await engine.dispose()


def _text(report: dict[str, Any]) -> str:
    lines = [f"proxy    running={report['proxy']['running']} sip={report['proxy']['sip']}"]
    lines += [f"{r['name']:8} asterisk={r['asterisk']} serve={r['serve']} "
              f"proxy={r['in_proxy'] or '-'} calls_total={r['calls_total']}"
              for r in report["nodes"]]
    return "\n".join(lines)
