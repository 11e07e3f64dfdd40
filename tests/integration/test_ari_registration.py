"""A websocket reopened at once for the same app can be left deaf by Asterisk; we notice.

Asterisk 22 sometimes destroys an app just after a new websocket re-activated it (the old
connection's teardown runs last). The socket stays open but no event arrives and calls fall
to the dialplan. `app_registered` is how both the hotline and the caller simulator notice.
"""

from __future__ import annotations

import aiohttp
import pytest

from ari_app.client import AriClient
from hotline12319.settings import Settings
from tools.caller import SAY_SUBDIR
from tools.callersim import CallerSim

pytestmark = pytest.mark.integration

APP = "registration-test"


async def test_an_app_nobody_holds_is_not_registered(settings: Settings, sandbox: None) -> None:
    async with aiohttp.ClientSession() as http:
        ari = AriClient(http, settings.caller_ari_url, settings.ari_user, settings.ari_password)
        assert await ari.app_registered("nobody-holds-this-app") is False
        async with ari.connect_events(APP):
            assert await ari.app_registered(APP) is True


async def test_quick_reconnects_always_end_registered(settings: Settings, sandbox: None) -> None:
    # Without the check about one reconnect in six came up deaf on this machine.
    async with aiohttp.ClientSession() as http:
        ari = AriClient(http, settings.caller_ari_url, settings.ari_user, settings.ari_password)
        say_dir = settings.sandbox_root / SAY_SUBDIR
        for _ in range(30):
            async with CallerSim(ari, APP, say_dir, f"/{SAY_SUBDIR}"):
                await ari.request("GET", f"/applications/{APP}")  # raises AriNotFound if deaf
