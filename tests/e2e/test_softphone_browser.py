"""Issue 12, acceptance 2: an agent takes a real call on the console's browser softphone.

Chromium with fake media devices (its microphone plays a steady tone from a WAV file) signs
in to the console, registers the softphone (JsSIP over the hotline Asterisk's WSS, DTLS-SRTP)
as the agent's endpoint `PJSIP/webrtc1`, and goes available. A caller from the SIP caller
simulator presses 3 (gas) then 0 (an agent); the ACD rings the browser, the agent answers in
the page. The caller's talk detection hears the agent: silent while the page mutes (and while
it holds), talking again once it unmutes (resumes). A key on the page's keypad reaches the
caller as DTMF. The
page hangs up; the conversation's recording holds the agent's tone. Screenshot to docs/.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import math
import time
import uuid
import wave
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Browser, Page, async_playwright

from hotline12319.asterisk_config import inside, instances
from hotline12319.settings import Settings
from routing.admin.users import UserError, add_user
from routing.orders.transitions import Role
from routing.store.db import make_engine, make_sessionmaker
from tests.conftest import HotlineProcess
from tests.e2e.test_console_browser import CHROMIUM, CHROMIUM_ARGS, DOCS, LiveLog
from tests.integration.agents_support import admin_headers
from tools.callersim import CallerSim, CallTrace, Scenario, new_trace

pytestmark = pytest.mark.integration

AGENT_ID, SIP_USER = "a5012", "webrtc1"
PASSWORD = "console-e2e-5012"
TO_AGENT = ["3", "0"]  # gas, then "an agent" in the type menu
TONE_HZ, TONE_RATE = 440, 48000


def tone_wav(path: Path, seconds: float = 10.0) -> Path:
    """A steady tone: what the agent "says" (Chromium loops the file as its microphone)."""
    frames = array.array("h", (
        int(8000 * math.sin(2 * math.pi * TONE_HZ * n / TONE_RATE))
        for n in range(int(seconds * TONE_RATE))
    ))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(TONE_RATE)
        out.writeframes(frames.tobytes())
    return path


def rms(path: Path) -> tuple[float, float]:
    """(seconds, root mean square level) of a 16-bit mono WAV."""
    with wave.open(str(path)) as audio:
        samples = array.array("h", audio.readframes(audio.getnframes()))
        seconds = audio.getnframes() / audio.getframerate()
    level = math.sqrt(sum(s * s for s in samples) / len(samples)) if samples else 0.0
    return seconds, level


async def heard(trace: CallTrace, kind: str, since: float, within: float) -> float:
    """Seconds from `since` to the caller's first `kind` event after it."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        for when, seen in list(trace.events):
            if seen == kind and when >= since:
                return when - since
        await asyncio.sleep(0.05)
    kinds = [seen for when, seen in trace.events if when >= since]
    raise AssertionError(f"the caller had no {kind} within {within}s; after it: {kinds}")


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[Browser]:
    media = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={tone_wav(tmp_path / 'agent-tone.wav')}",
        "--autoplay-policy=no-user-gesture-required",
    ]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *media]
        )
        yield browser
        await browser.close()


@pytest.fixture
async def api(hotline: HotlineProcess) -> AsyncIterator[aiohttp.ClientSession]:
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(base_url=hotline.api_url, cookie_jar=jar) as http:
        yield http
        async with http.post(f"/api/agents/{AGENT_ID}/state", json={"state": "logged_out"}):
            pass  # leave nobody available for the other tests


async def define_agent(api: aiohttp.ClientSession, settings: Settings, url: str) -> None:
    body = {"name": "李坐席", "endpoint": f"PJSIP/{SIP_USER}", "skills": {"gas": 2}}
    async with api.put(f"/api/agents/{AGENT_ID}", json=body,
                       headers=await admin_headers(settings, url)) as r:
        assert r.status == 200, await r.text()
    engine = make_engine(settings.database_url)
    try:
        async with make_sessionmaker(engine).begin() as session:
            await add_user(session, user_id=AGENT_ID, name="李坐席", role=Role.CENTER_STAFF,
                           agency_id=None, password=PASSWORD, now=datetime.now(UTC))
    except UserError:  # there already (an earlier run against this database)
        pass
    finally:
        await engine.dispose()
    async with api.post("/api/login", json={"user": AGENT_ID, "password": PASSWORD}) as r:
        assert r.status == 200, await r.text()


async def console_with_phone(browser: Browser, url: str, settings: Settings,
                             errors: list[str]) -> Page:
    context = await browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN", ignore_https_errors=True,
        permissions=["microphone"],
    )
    page = await context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(f"{url}/console/")
    await page.fill("#login-form input[name=user]", AGENT_ID)
    await page.fill("#login-form input[name=password]", PASSWORD)
    await page.click("#login-form button[type=submit]")
    await page.wait_for_selector("#softphone:not([hidden])")
    assert await page.input_value("#phone-user") == SIP_USER
    await page.fill("#phone-form input[name=password]", settings.webrtc_sip_password)
    await page.click("#phone-register")
    await page.wait_for_selector("#phone-status[data-status=registered]", timeout=10000)
    await page.click("button[data-state=available]")
    await page.wait_for_selector("#agent-state[data-state=available]", timeout=3000)
    return page


async def test_agent_answers_a_real_call_in_the_browser_softphone(
    hotline: HotlineProcess, caller: CallerSim, api: aiohttp.ClientSession,
    browser: Browser, settings: Settings, tmp_path: Path,
) -> None:
    started = time.monotonic()
    await define_agent(api, settings, hotline.api_url)
    errors: list[str] = []
    page = await console_with_phone(browser, hotline.api_url, settings, errors)
    live = LiveLog()
    number = "139" + str(uuid.uuid4().int)[:8]
    trace = new_trace()
    async with api.ws_connect("/api/live") as ws:
        reader = asyncio.create_task(live.read(ws))
        call = asyncio.create_task(caller.place(
            Scenario(keys=TO_AGENT, caller_number=number, timeout=120), trace=trace))
        try:
            numbers = await talk_in_the_page(page, trace, live, number)
            await page.screenshot(path=DOCS / "softphone.png", full_page=True)
            await page.click("#phone-hangup")
            await asyncio.wait_for(call, 15)
        except BaseException:
            await page.screenshot(path=tmp_path / "softphone-failed.png", full_page=True)
            print(f"\nscreenshot of the failure in {tmp_path}")
            raise
        finally:
            call.cancel()
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
    assert trace.ended_at is not None, "the page's hang-up did not end the caller's call"
    await page.wait_for_selector("#phone-status[data-status=registered]", timeout=5000)
    seconds, level = await conversation_recording(settings, numbers["call_id"])
    assert seconds >= 3 and level > 300, (seconds, level)  # the tone, not silence
    assert errors == []
    print(f"\nsoftphone e2e: {time.monotonic() - started:.1f}s; "
          + ", ".join(f"{k} {v}" for k, v in numbers.items())
          + f"; recording {seconds:.1f}s rms {level:.0f}")


async def talk_in_the_page(page: Page, trace: CallTrace, live: LiveLog,
                           number: str) -> dict[str, str]:
    """Ring, answer, mute and unmute, press a key, hold and resume; what was measured."""
    await page.wait_for_selector("#phone-status[data-status=ringing]", timeout=60000)
    # The phone says who is calling (the citizen's number), not only "12319".
    assert number in (await page.text_content("#phone-call") or "")
    await page.click("#phone-answer")
    await page.wait_for_selector("#phone-status[data-status=talking]", timeout=10000)
    _, pop = await live.first(
        lambda u: u["topic"] == "screen_pop" and u["data"]["caller_number"] == number, within=10
    )
    assert pop["data"]["agent_id"] == AGENT_ID
    await page.wait_for_selector(f"#pop-caller:has-text('{number}')", timeout=3000)
    await asyncio.sleep(2.5)  # some talk for the recording
    muted = time.monotonic()
    await page.click("#phone-mute")
    quiet = await heard(trace, "ChannelTalkingFinished", muted, within=6)
    unmuted = time.monotonic()
    await page.click("#phone-mute")
    talk = await heard(trace, "ChannelTalkingStarted", unmuted, within=4)
    pressed = time.monotonic()
    await page.click("#phone-keypad button[data-key='5']")
    dtmf = await heard(trace, "ChannelDtmfReceived", pressed, within=4)
    held = time.monotonic()
    await page.click("#phone-hold")  # a re-INVITE: the browser stops sending
    await page.wait_for_selector("#phone-status[data-status=held]")
    on_hold = await heard(trace, "ChannelTalkingFinished", held, within=6)
    resumed = time.monotonic()
    await page.click("#phone-hold")
    back = await heard(trace, "ChannelTalkingStarted", resumed, within=4)
    return {"call_id": pop["data"]["call_id"], "silence heard after mute": f"{quiet:.2f}s",
            "talk heard after unmute": f"{talk:.2f}s", "DTMF after key": f"{dtmf:.2f}s",
            "silence after hold": f"{on_hold:.2f}s", "talk after resume": f"{back:.2f}s"}


async def conversation_recording(settings: Settings, call_id: str) -> tuple[float, float]:
    """The ACD's recording of the conversation (bridge `conv-<call>`) in the hotline's spool."""
    hotline, _ = instances(settings)
    path = inside(settings.sandbox_root, hotline.spool_dir / "recording" / f"conv-{call_id}.wav")
    for _ in range(50):
        if path.is_file() and path.stat().st_size > 44:
            break
        await asyncio.sleep(0.2)
    assert path.is_file(), f"no conversation recording at {path}"
    return rms(path)
