"""Helpers for tests that log agents in on the shared `serve`."""

from __future__ import annotations

import asyncio

import aiohttp

from tools.api_login import admin_headers

__all__ = ["admin_headers", "log_everyone_out"]  # admin_headers: agent writes need a login


async def log_everyone_out(http: aiohttp.ClientSession,
                           headers: dict[str, str] | None = None) -> None:
    """Leave nobody logged in for the other tests (an agent on a call needs a moment);
    `headers`: a login that may change agents' states, when `http` carries none."""
    async with http.get("/api/agents") as r:
        agents = (await r.json())["agents"]
    for agent in agents:
        for _ in range(40):
            async with http.post(f"/api/agents/{agent['id']}/state",
                                 json={"state": "logged_out"}, headers=headers) as r:
                if r.status == 200:
                    break
            await asyncio.sleep(0.5)
