"""Two hotline nodes behind Kamailio (issue 14), with real parts only: `cluster up` starts two
hotline Asterisks and two `serve`s on PostgreSQL behind Debian's Kamailio; the caller
simulator's real SIP calls go through the proxy. A node is killed (SIGKILL, Asterisk and
serve) while calls are in progress: the orders committed before are there once, the calls
placed after all reach the living node and complete, and the living node ends the calls the
dead one had in progress."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from ari_app.client import AriClient, AriError
from hotline12319.settings import load_settings
from tests.conftest import ROOT
from tools.cluster_nodes import CLUSTER_DB, state_dir

# The cluster re-points the caller simulator of the worker's own pair (tests/workers.py) at
# Kamailio; its nodes, ports and database are the cluster's own, one cluster at a time.
pytestmark = [pytest.mark.postgres_only]


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hotline12319.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, check=False)


def cluster_status() -> dict[str, Any]:
    result = cli("cluster", "status", "--json")
    return dict(json.loads(result.stdout))


def calls_total(name: str) -> int:
    return int(next(n["calls_total"] for n in cluster_status()["nodes"] if n["name"] == name))


def loadtest(calls: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "hotline12319.cli", "loadtest", "--calls", str(calls),
         "--concurrency", str(calls), "--json"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finished(proc: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = proc.communicate(timeout=300)
    assert out, err[-3000:]
    return dict(json.loads(out))


async def orders_since(since: datetime) -> list[tuple[str, str]]:
    """(order number, channel id of its call) of every order made since `since`."""
    engine = create_async_engine(CLUSTER_DB)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text(
                "SELECT o.number, c.channel_id FROM work_orders o"
                " JOIN call_sessions c ON c.id = o.call_session_id"
                " WHERE c.started_at >= :since"), {"since": since})
            return [(str(number), str(channel)) for number, channel in rows]
    finally:
        await engine.dispose()


async def outcomes_of(node: str, since: datetime) -> dict[str, int]:
    engine = create_async_engine(CLUSTER_DB)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text(
                "SELECT outcome::text, count(*) FROM call_sessions WHERE started_at >= :since"
                " AND split_part(channel_id, '-', 1) = :node GROUP BY 1"),
                {"since": since, "node": node})
            return {str(outcome): int(count) for outcome, count in rows}
    finally:
        await engine.dispose()


async def hang_up_every_caller_channel() -> None:
    settings = load_settings()
    async with aiohttp.ClientSession() as http:
        ari = AriClient(http, settings.caller_ari_url, settings.ari_user, settings.ari_password)
        for channel in await ari.request("GET", "/channels"):
            with contextlib.suppress(AriError):
                await ari.hangup(channel["id"])


@pytest.fixture
def cluster(sandbox: None) -> Iterator[None]:
    # This session holds the sandbox's test lock already: the cluster must not wait for it.
    logs = [state_dir() / name / "serve.log" for name in ("node1", "node2")]
    start = [log.stat().st_size if log.exists() else 0 for log in logs]
    up = cli("cluster", "up", "--nodes", "2", "--no-test-lock", "--json")
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        yield
    finally:
        down = cli("cluster", "down")
        assert down.returncode == 0, down.stdout + down.stderr
    for log, offset in zip(logs, start, strict=True):
        written = log.read_bytes()[offset:].decode(errors="replace")
        # Two serves start side by side on one database: neither may fail on the other.
        assert "Traceback" not in written, written[-6000:]
        # The nodes log JSON lines, a call's lines carrying its id (hotline12319/json_logs.py).
        lines = [json.loads(line) for line in written.splitlines() if line.startswith("{")]
        assert lines and {"ts", "level", "logger", "message"} <= lines[0].keys(), written[:2000]
        assert any(line.get("call_id", "").startswith(log.parent.name) for line in lines)


def test_a_node_killed_under_load_loses_no_committed_order(cluster: None) -> None:
    since = datetime.now(UTC)
    status = cluster_status()
    assert status["ok"] and [n["in_proxy"] for n in status["nodes"]] == ["AP", "AP"]

    first = finished(loadtest(12))
    assert (first["completed"], first["failed"]) == (12, 0), first
    spread = {name: calls_total(name) for name in ("node1", "node2")}
    assert sum(spread.values()) == 12 and min(spread.values()) >= 2, spread
    before = asyncio.run(orders_since(since))
    # loadtest's keys: a utility, then a type 1-4; a consultation may end with no order.
    assert len(before) >= 6, before
    assert {channel.split("-")[0] for _, channel in before} == {"node1", "node2"}

    wave = loadtest(8)
    asyncio.run(asyncio.sleep(6))  # calls answered and in their menus on both nodes
    killed = cli("cluster", "kill", "node1", "--json")
    assert killed.returncode in (0, 1), killed.stderr  # 1: the cluster is no longer whole
    # The dead node's calls are lost with its Asterisk, and the simulator would wait out its
    # three-minute call timeout on them: end the wave and its calls instead.
    wave.terminate()
    wave.communicate(timeout=60)
    asyncio.run(hang_up_every_caller_channel())

    after_kill = calls_total("node1")
    last = finished(loadtest(6))
    assert (last["completed"], last["failed"]) == (6, 0), last
    assert calls_total("node1") == after_kill  # every new call reached the living node

    orders = asyncio.run(orders_since(since))
    numbers = [number for number, _ in orders]
    assert len(numbers) == len(set(numbers)), "an order number was issued twice"
    assert set(before) <= set(orders), "an order committed before the kill is gone"
    channels = [channel for _, channel in orders]
    assert len(channels) == len(set(channels)), "a call made two orders"
    assert all(c.split("-")[0] in ("node1", "node2") for c in channels)

    # The living node ended the calls the dead one had in progress (lost with its Asterisk).
    outcomes = asyncio.run(outcomes_of("node1", since))
    assert outcomes.get("in_progress", 0) == 0, outcomes
    assert outcomes.get("failed", 0) >= 1, outcomes
