"""A thin typed ARI client on aiohttp: the REST calls we use and the events websocket.

Why our own: the two ARI clients on PyPI are little used, and the surface we need is a dozen
endpoints; owning it keeps timeouts, reconnects and errors under our control.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp

log = logging.getLogger(__name__)


# Long enough for Asterisk to finish tearing down a previous connection of the same app.
REGISTRATION_SETTLE_SECONDS = 0.1
# An events handshake not answered by then is dropped and tried again; aiohttp's own limit
# (5 minutes) would leave the hotline deaf that long.
EVENTS_HANDSHAKE_SECONDS = 10.0


class AriError(Exception):
    def __init__(self, status: int, method: str, path: str, body: str) -> None:
        super().__init__(f"ARI {method} {path} -> {status}: {body[:200]}")
        self.status = status


class AriNotFound(AriError):
    """The channel, playback or recording is gone (often: the caller hung up)."""


class AriUnreachable(AriError, aiohttp.ClientError):
    """No answer from Asterisk: refused, dropped or timed out. An AriError, so a call's
    command fails like any refused one (the call goes on), and a ClientError, so code that
    watches the connection still sees it as one."""


class AriClient:
    def __init__(self, session: aiohttp.ClientSession, base_url: str, user: str, password: str,
                 handshake_seconds: float = EVENTS_HANDSHAKE_SECONDS):
        self._http = session
        self.handshake_seconds = handshake_seconds
        self.base_url = base_url.rstrip("/")
        self._auth = aiohttp.BasicAuth(user, password)
        self._api_key = f"{user}:{password}"

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
    ) -> Any:
        clean = {k: _param(v) for k, v in (params or {}).items() if v is not None}
        for attempt in (1, 2):
            try:
                status, text = await self._send(method, path, clean, body)
                break
            except aiohttp.ServerDisconnectedError as exc:
                # Asterisk closed a kept-alive connection as we reused it, almost always before
                # reading the request. Once more on a fresh connection: the rare repeat is
                # refused or harmless (playbacks, recordings and channels carry our ids).
                if attempt == 2:
                    raise AriUnreachable(0, method, path, str(exc)) from exc
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise AriUnreachable(0, method, path, repr(exc)) from exc
        if status == 404:
            raise AriNotFound(status, method, path, text)
        if status >= 400:
            raise AriError(status, method, path, text)
        return json.loads(text) if text else None

    async def _send(self, method: str, path: str, params: dict[str, str],
                    body: dict[str, Any] | None) -> tuple[int, str]:
        async with self._http.request(
            method, self.base_url + path, params=params, json=body, auth=self._auth,
            timeout=aiohttp.ClientTimeout(total=10),
        ) as response:
            return response.status, await response.text()

    async def read_bytes(self, path: str) -> bytes:
        async with self._http.get(self.base_url + path, auth=self._auth) as response:
            if response.status == 404:
                raise AriNotFound(404, "GET", path, "")
            if response.status >= 400:
                raise AriError(response.status, "GET", path, await response.text())
            return await response.read()

    # -- channels -------------------------------------------------------------------------

    async def answer(self, channel_id: str) -> None:
        await self.request("POST", f"/channels/{channel_id}/answer")

    async def hangup(self, channel_id: str) -> None:
        await self.request("DELETE", f"/channels/{channel_id}")

    async def play(self, channel_id: str, playback_id: str, media: list[str]) -> None:
        await self.request(
            "POST", f"/channels/{channel_id}/play/{playback_id}", params={"media": media}
        )

    async def stop_playback(self, playback_id: str) -> None:
        await self.request("DELETE", f"/playbacks/{playback_id}")

    async def start_silence(self, channel_id: str) -> None:
        await self.request("POST", f"/channels/{channel_id}/silence")

    async def send_dtmf(self, channel_id: str, digits: str, duration_ms: int = 100) -> None:
        await self.request(
            "POST",
            f"/channels/{channel_id}/dtmf",
            params={"dtmf": digits, "duration": duration_ms, "between": 100},
        )

    async def set_variable(self, channel_id: str, name: str, value: str) -> None:
        await self.request(
            "POST", f"/channels/{channel_id}/variable", params={"variable": name, "value": value}
        )

    async def record(
        self, channel_id: str, name: str, *, max_seconds: int, max_silence_seconds: int
    ) -> None:
        params = {
            "name": name,
            "format": "wav",
            "maxDurationSeconds": max_seconds,
            "maxSilenceSeconds": max_silence_seconds,
            "ifExists": "overwrite",
            "beep": False,
            "terminateOn": "#",
        }
        await self.request("POST", f"/channels/{channel_id}/record", params=params)

    async def originate(self, **fields: Any) -> dict[str, Any]:
        variables = fields.pop("variables", None)
        body = {"variables": variables} if variables else None
        result: dict[str, Any] = await self.request("POST", "/channels", params=fields, body=body)
        return result

    # -- bridges ------------------------------------------------------------------------------

    async def create_bridge(self, bridge_id: str) -> None:
        await self.request("POST", f"/bridges/{bridge_id}", params={"type": "mixing"})

    async def add_to_bridge(self, bridge_id: str, channel_ids: list[str]) -> None:
        await self.request(
            "POST", f"/bridges/{bridge_id}/addChannel", params={"channel": channel_ids}
        )

    async def record_bridge(self, bridge_id: str, name: str) -> None:
        params = {"name": name, "format": "wav", "ifExists": "overwrite", "beep": False}
        await self.request("POST", f"/bridges/{bridge_id}/record", params=params)

    async def destroy_bridge(self, bridge_id: str) -> None:
        await self.request("DELETE", f"/bridges/{bridge_id}")

    # -- recordings, applications -----------------------------------------------------------

    async def stop_recording(self, name: str) -> None:
        await self.request("POST", f"/recordings/live/{name}/stop")

    async def stored_recordings(self) -> list[str]:
        data = await self.request("GET", "/recordings/stored")
        return [str(item["name"]) for item in data or []]

    async def stored_recording(self, name: str) -> bytes:
        return await self.read_bytes(f"/recordings/stored/{name}/file")

    async def application_channels(self, app: str) -> list[str]:
        data = await self.request("GET", f"/applications/{app}")
        return list(data.get("channel_ids", []))

    async def channel(self, channel_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.request("GET", f"/channels/{channel_id}")
        return result

    async def info(self) -> dict[str, Any]:
        result: dict[str, Any] = await self.request("GET", "/asterisk/info")
        return result

    # -- events -----------------------------------------------------------------------------

    def events_url(self, app: str, subscribe_all: bool = False) -> str:
        scheme, netloc, path, _, _ = urlsplit(self.base_url)
        ws_scheme = "wss" if scheme == "https" else "ws"
        query = f"app={app}&subscribeAll={_param(subscribe_all)}"
        return urlunsplit((ws_scheme, netloc, f"{path}/events", query, ""))

    @contextlib.asynccontextmanager
    async def connect_events(self, app: str, subscribe_all: bool = False
                             ) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
        """The events websocket, open for the block; messages via `read_events`. A handshake
        unanswered within `handshake_seconds` raises TimeoutError.

        `subscribe_all` sees every channel and bridge, dialplan ones too: for observers
        such as the queue benchmark, never for the hotline app itself.
        """
        url = self.events_url(app, subscribe_all)
        async with asyncio.timeout(self.handshake_seconds):
            ws = await self._http.ws_connect(url, auth=self._auth, heartbeat=15)
        async with ws:
            yield ws

    async def allow_events(self, app: str, kinds: Iterable[str]) -> None:
        """Have Asterisk send `app` only these event types. It encodes every event it sends
        as JSON and we decode it; most of a call's events are variable and state changes
        that nothing here reads."""
        await self.request("PUT", f"/applications/{app}/eventFilter",
                           body={"allowed": [{"type": kind} for kind in sorted(kinds)]})

    async def app_registered(self, app: str) -> bool:
        """Whether Asterisk holds `app` now, i.e. whether our websocket will get its events.

        When a websocket for an app closes just as another opens, Asterisk 22 can tear the
        app down under the new connection (log: "Activating" then "Destroying" in the same
        millisecond). The socket stays open but is deaf and calls fall to the dialplan's
        fallback, so a fresh connection is confirmed after a short settle, and re-checked.
        """
        await asyncio.sleep(REGISTRATION_SETTLE_SECONDS)
        try:
            await self.request("GET", f"/applications/{app}")
        except AriNotFound:
            return False
        return True


async def read_events(ws: aiohttp.ClientWebSocketResponse) -> AsyncIterator[dict[str, Any]]:
    """Events until the websocket closes; the caller decides whether to reconnect."""
    async for message in ws:
        if message.type != aiohttp.WSMsgType.TEXT:
            break
        try:
            yield json.loads(message.data)
        except json.JSONDecodeError:
            log.warning("ignoring a malformed ARI event: %.120s", message.data)


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


async def wait_for_ari(client: AriClient, within: float) -> dict[str, Any]:
    """Poll until ARI answers; Asterisk takes a few seconds to load its modules."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        try:
            return await client.info()
        except (aiohttp.ClientError, AriError, TimeoutError):
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.5)
