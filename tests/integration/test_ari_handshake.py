"""An ARI events handshake that is never answered (a peer that accepts the connection and
then says nothing) fails within the client's limit, so the app retries instead of staying
deaf for aiohttp's five minutes."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from ari_app.client import AriClient

pytestmark = pytest.mark.integration


async def test_given_a_silent_peer_then_the_events_handshake_times_out() -> None:
    accepted: list[asyncio.StreamWriter] = []

    async def say_nothing(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)

    server = await asyncio.start_server(say_nothing, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server, aiohttp.ClientSession() as http:
        ari = AriClient(http, f"http://127.0.0.1:{port}/ari", "u", "p", handshake_seconds=0.5)
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            async with ari.connect_events("silent"):
                pass
        waited = time.monotonic() - started
        for writer in accepted:
            writer.close()
    assert accepted, "the client never reached the silent peer"
    assert 0.4 < waited < 3.0
