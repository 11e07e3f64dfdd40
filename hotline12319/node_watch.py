"""A node's part in a cluster's liveness (issue 14): hold its own lock, end the dead's calls.

The node's name is its Asterisk's system name, read from ARI once it answers: the prefix of
every channel id it answers, so the calls table already says which node took each call. A
node seen dead is given `grace` seconds before its calls are ended, so a `serve` restarted in
place on a living Asterisk takes its lock and its calls back first.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from ari_app.client import AriClient, AriError
from routing.store import node_liveness

log = logging.getLogger(__name__)

CHECK_SECONDS = 5.0
GRACE_SECONDS = 15.0


async def node_name(ari: AriClient) -> str:
    """Asterisk's system name, waiting for ARI to answer."""
    while True:
        try:
            info = await ari.request("GET", "/asterisk/info")
            return str(info["config"]["name"])
        except (AriError, OSError, KeyError, TypeError):
            await asyncio.sleep(1.0)


async def watch_nodes(database_url: str, ari: AriClient,
                      check_s: float = CHECK_SECONDS, grace_s: float = GRACE_SECONDS) -> None:
    """Runs for serve's life; a lost database connection is taken again after a pause."""
    if not node_liveness.watched(database_url):
        return
    name = await node_name(ari)
    while True:
        try:
            await _watch(database_url, name, check_s, grace_s)
        except (SQLAlchemyError, OSError, RuntimeError) as exc:
            log.warning("node %s: liveness watch interrupted (%s); again in %.0f s",
                        name, exc.__class__.__name__, check_s)
            await asyncio.sleep(check_s)


async def _watch(database_url: str, name: str, check_s: float, grace_s: float) -> None:
    async with node_liveness.holding(database_url, name) as conn:
        log.info("node %s: holding its liveness lock", name)
        first_seen_dead: dict[str, float] = {}
        while True:
            await _check(conn, name, first_seen_dead, grace_s)
            await asyncio.sleep(check_s)


async def _check(conn: AsyncConnection, own: str,
                 first_seen_dead: dict[str, float], grace_s: float) -> None:
    others = await node_liveness.nodes_with_open_calls(conn, own)
    dead = set(await node_liveness.dead_among(conn, others))
    now = time.monotonic()
    for name in list(first_seen_dead):
        if name not in dead:
            del first_seen_dead[name]  # back, or nothing of it left open
    for name in dead:
        since = first_seen_dead.setdefault(name, now)
        if now - since >= grace_s:
            ended = await node_liveness.end_calls_of(conn, name, datetime.now(UTC))
            log.warning("node %s is gone: its %d open calls ended as failed", name, ended)
            del first_seen_dead[name]
