"""Fixtures of the integration and browser tests.

Real parts only: the Asterisk sandbox (hotline + caller simulator), PostgreSQL, and
`hotline12319 serve` as its own process. `make test` sets all of them up first."""

from __future__ import annotations

import asyncio
import fcntl
import os
import signal
import subprocess
import sys
import time
import wave
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from ari_app.client import AriClient
from hotline12319.settings import Settings, load_settings
from routing.store.migrate import upgrade
from tests.db_reset import empty_public_schema
from tests.workers import apply_worker_environment, worker_index
from tools.caller import SAY_SUBDIR, summarise
from tools.callersim import CallerSim, Scenario, hotline_call

# Before any setting is read: a parallel worker's own sandbox pair and databases.
apply_worker_environment()

ROOT = Path(__file__).resolve().parents[2]
TEST_DB = os.environ.get(
    "HOTLINE_TEST_DATABASE_URL",
    "postgresql+asyncpg://hotline:hotline@127.0.0.1:5432/hotline_test",
)
TEST_HTTP_PORT = int(os.environ.get("HOTLINE_TEST_HTTP_PORT", "18319"))


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return load_settings(
        database_url=TEST_DB,
        http_port=TEST_HTTP_PORT,
        recordings_dir=tmp_path_factory.mktemp("recordings"),
    )


@pytest.fixture(scope="session")
def database(settings: Settings, sandbox: None) -> str:
    # After `sandbox`: only the session holding the sandbox lock may reset the shared database.
    asyncio.run(empty_public_schema(settings.database_url))
    upgrade(settings.database_url)
    return settings.database_url


@pytest.fixture(scope="session")
def sandbox(settings: Settings) -> Iterator[None]:
    # One test session at a time may drive the sandbox: two `serve`s on one ARI app name
    # would both answer the same calls. A second session waits here for the first.
    # The lock lives beside the shared chroot, so clones of the repo wait for each other too.
    settings.sandbox_root.parent.mkdir(parents=True, exist_ok=True)
    # A parallel worker's pair (tests/workers.py) has a lock of its own, and is started here.
    lock_name = f"tests{settings.sandbox_pair}.lock"
    with (settings.sandbox_root.parent / lock_name).open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _check_sandbox("up" if settings.sandbox_pair else "status")
        yield


# The longest modules first (`make test`'s --durations): under `--dist loadfile` each module
# runs on one worker, and one of these started last would run on alone at the end.
SLOWEST_MODULES = (
    "test_api_fuzz.py", "test_cluster.py", "test_speech_engines.py", "test_faults_load.py",
    "test_auto_dispatch.py", "test_callback_survey.py", "test_walking_skeleton.py",
    "test_faults_network_disk.py", "test_self_service.py", "test_recovery.py",
    "test_faults.py", "test_peaks.py", "test_speech_emergency_path.py", "test_duty_call.py",
    "test_speech_case.py", "test_agents.py", "test_classifier.py", "test_priority_live.py",
    "test_order_screens.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: index for index, name in enumerate(SLOWEST_MODULES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest as is


# The modules whose calls or tests run Whisper: one worker runs them one after another (as one
# `loadfile` unit), so no two recognitions compete for the two cores while a call waits.
WHISPER_MODULES = frozenset({
    "test_speech_engines.py", "test_speech_workers.py", "test_speech_case.py",
    "test_speech_call.py", "test_speech_emergency_path.py",
})


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class WhisperTogether(LoadFileScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            scope = str(super()._split_scope(nodeid))
            return "whisper modules" if Path(scope).name in WHISPER_MODULES else scope

    return WhisperTogether(config, log)


def pytest_sessionstart(session: pytest.Session) -> None:
    # A worker's pair is up before any test: the in-process apps connect to its ARI too,
    # without asking for the `sandbox` fixture.
    if worker_index() and not session.config.option.collectonly and not _unit_only(session):
        _check_sandbox("up")


def _unit_only(session: pytest.Session) -> bool:
    """`make unit` (tests/unit, no I/O) on several workers needs no sandbox pair."""
    unit = ROOT / "tests" / "unit"
    paths = [Path(arg.split("::")[0]).resolve() for arg in session.config.args]
    return bool(paths) and all(p.is_relative_to(unit) for p in paths)


def _check_sandbox(action: str) -> None:
    status = subprocess.run(
        [sys.executable, "-m", "hotline12319.cli", "sandbox", action],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert status.returncode == 0, (
        "the Asterisk sandbox is not up (make test starts it): " + status.stdout + status.stderr
    )


class HotlineProcess:
    """`hotline12319 serve` against the test database, started and killed like in life.

    It plays the quick prompts (QUICK_PROMPT_SECONDS) unless `full_prompts`: most call
    tests assert the path a call takes and what it leaves, not the words heard."""

    def __init__(
        self, settings: Settings, log_path: Path, extra_env: dict[str, str] | None = None,
        *, full_prompts: bool = False,
    ) -> None:
        self.settings = settings
        self.log_path = log_path
        self.extra_env = extra_env or {}
        self.full_prompts = full_prompts
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": self.settings.database_url,
            "HOTLINE_HTTP_PORT": str(self.settings.http_port),
            "HOTLINE_RECORDINGS_DIR": str(self.settings.recordings_dir),
            # Short rings and wrap-up keep the agent tests quick.
            "HOTLINE_AGENT_RING_SECONDS": "6",
            "HOTLINE_WRAP_UP_SECONDS": "2",
            # A late emergency receipt is chased within seconds, not minutes.
            "HOTLINE_SWEEPER_INTERVAL_SECONDS": "1",
            "HOTLINE_RECEIPT_GRACE_MINUTES": "0",
            "HOTLINE_DUTY_POLL_SECONDS": "1",
            **({} if self.full_prompts else
               {"HOTLINE_PROMPTS_URI": quick_prompts(self.settings)}),
            **self.extra_env,
        }
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "hotline12319.cli", "serve"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            self.wait_ready()
        except BaseException:
            self.kill()  # a serve left running would hold the port and the ARI app
            raise

    def wait_ready(self, within: float = 30.0) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            assert self.proc is not None and self.proc.poll() is None, self.log_tail()
            if self.health().get("ari_connected"):
                return
            time.sleep(0.2)
        raise AssertionError("serve did not connect to ARI in time:\n" + self.log_tail())

    def health(self) -> dict[str, Any]:
        import json
        import urllib.request

        try:
            with urllib.request.urlopen(f"{self.api_url}/health", timeout=1) as response:
                return dict(json.load(response))
        except OSError:
            return {}

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                # A SIGTERM can find a transcription of the last call still running; a serve
                # left stopping would hold the port and the ARI app for the next one.
                self.proc.kill()
                self.proc.wait(timeout=15)
        self.proc = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.http_port}"

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""


@pytest.fixture(scope="session")
def hotline(
    settings: Settings, database: str, sandbox: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[HotlineProcess]:
    process = HotlineProcess(settings, tmp_path_factory.mktemp("serve") / "serve.log")
    process.start()
    yield process
    process.kill(signal.SIGTERM)


# Prompts cut to their first QUICK_PROMPT_SECONDS (every prompt starts speaking within 0.3 s),
# for modules that assert the path a call takes and what it leaves, not the words heard: the
# flow, its menu timeouts and the recordings stay the product's; only the waiting through
# long prompts goes (the silence path alone waited 112 s, 70 of them prompts).
QUICK_PROMPT_SECONDS = 1.5
_QUICK_WRITTEN: set[str] = set()


def quick_prompts(settings: Settings) -> str:
    """Write the cut prompts where the sandbox's Asterisk reads them (once per test
    process); return their URI."""
    uri = settings.prompts_uri.rstrip("/") + "-quick" + settings.sandbox_pair
    target = settings.sandbox_root / uri.strip("/")
    if uri in _QUICK_WRITTEN:
        return uri
    _QUICK_WRITTEN.add(uri)
    target.mkdir(parents=True, exist_ok=True)
    for source in sorted(settings.prompts_dir.glob("*.wav")):
        with wave.open(str(source)) as audio:
            params = audio.getparams()
            frames = audio.readframes(int(params.framerate * QUICK_PROMPT_SECONDS))
        with wave.open(str(target / source.name), "wb") as cut:
            cut.setparams(params)
            cut.writeframes(frames)
    return uri


def full_prompts_hotline() -> Any:
    """A module's `hotline` that plays the real prompts, for modules whose callers hear or
    time the words: `hotline = full_prompts_hotline()`."""

    @pytest.fixture(scope="module")
    def hotline(hotline: HotlineProcess, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[HotlineProcess]:
        with serving_full_prompts(hotline, tmp_path_factory.mktemp("full")) as full:
            yield full

    return hotline


@contextmanager
def serving_full_prompts(hotline: HotlineProcess, folder: Path) -> Iterator[HotlineProcess]:
    """serve playing the real prompts in place of the session's quick ones (which are back
    after), for tests that time or hear the words."""
    hotline.kill(signal.SIGTERM)
    full = HotlineProcess(hotline.settings, folder / "serve.log", full_prompts=True)
    full.start()
    try:
        yield full
    finally:
        full.kill(signal.SIGTERM)
        hotline.start()


@pytest.fixture
async def caller(settings: Settings) -> AsyncIterator[CallerSim]:
    async with aiohttp.ClientSession() as http:
        ari = AriClient(http, settings.caller_ari_url, settings.ari_user, settings.ari_password)
        say_dir = settings.sandbox_root / SAY_SUBDIR
        async with CallerSim(ari, settings.caller_ari_app, say_dir, f"/{SAY_SUBDIR}") as sim:
            yield sim


async def call_and_fetch(
    sim: CallerSim, hotline: HotlineProcess, scenario: Scenario
) -> dict[str, Any]:
    """Place one real call and return the summary `hotline12319 call --json` prints."""
    trace = await sim.place(scenario)
    async with aiohttp.ClientSession() as http:
        record = await hotline_call(http, hotline.api_url, trace.token)
    return summarise(trace, record)
