"""The async face of speech recognition: audio in, `Transcript` out, off the event loop.

Recognition is CPU-bound for seconds; on the event loop it would stall every call's IVR.
`Transcriber` runs decoding and recognition in worker processes (not threads: a process
cannot take the loop's GIL), each loading its model once on first use. Create one where a
process starts, `await transcriber.aclose()` when it ends; nothing happens at import.

    transcriber = Transcriber(EngineConfig.from_settings(settings), workers=1)
    transcript = await transcriber.transcribe(wav_bytes)   # or a Path
    understood = understand(transcript.text, load_lexicon())
"""

from __future__ import annotations

import asyncio
import ctypes
import multiprocessing
import os
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from recordings.audio import prepare
from recordings.engines import Engine, EngineConfig, load_engine


@dataclass(frozen=True)
class Transcript:
    text: str  # simplified Chinese; "" when nothing was said
    engine: str
    seconds: float  # duration of the audio received
    speech_seconds: float  # after trimming silence
    processing_seconds: float  # decode + recognise, in the worker
    warnings: tuple[str, ...]  # from recordings.audio: "silence", "clipped"


# One engine per worker process, built on its first job (a failure to load then reaches
# the caller as an ordinary exception, not as a broken pool).
_engine: Engine | None = None
_engine_config: EngineConfig | None = None


def _worker_engine(config: EngineConfig) -> Engine:
    global _engine, _engine_config
    if _engine is None or _engine_config != config:
        _engine = load_engine(config)
        _engine_config = config
    return _engine


def transcribe_now(config: EngineConfig, audio: bytes | Path) -> Transcript:
    """Decode, check and recognise synchronously (what a worker runs). Raises AudioError."""
    started = time.perf_counter()
    prepared = prepare(audio)
    engine = _worker_engine(config)
    text = engine.recognize(prepared.pcm) if prepared.pcm else ""
    return Transcript(
        text=text,
        engine=config.engine,
        seconds=prepared.seconds,
        speech_seconds=prepared.speech_seconds,
        processing_seconds=time.perf_counter() - started,
        warnings=prepared.warnings,
    )


def _warm(config: EngineConfig) -> str:
    return _worker_engine(config).name


def worker_setup() -> None:
    """Recognition can wait; a caller waiting for the next prompt cannot. On a small machine
    the workers run at a lower priority than the event loop and Asterisk."""
    os.nice(10)
    _die_with_parent()


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with_parent() -> None:
    # A `serve` killed with SIGKILL cannot stop its pool; its workers would wait forever,
    # each holding a speech model's memory (hundreds of MB). Linux ends them with it.
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Transcriber:
    """A pool of recognition workers for one engine configuration."""

    def __init__(self, config: EngineConfig, *, workers: int = 1) -> None:
        self.config = config
        # spawn, not fork: the parent has an event loop and threads that must not be copied.
        self._pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=worker_setup,
        )
        self._workers = workers

    async def transcribe(self, audio: bytes | Path) -> Transcript:
        """The transcript of WAV (or any ffmpeg-readable) bytes or file. Raises AudioError."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, transcribe_now, self.config, audio)

    async def warm_up(self) -> None:
        """Start the workers and load their models now rather than on the first call."""
        loop = asyncio.get_running_loop()
        jobs = [loop.run_in_executor(self._pool, _warm, self.config) for _ in range(self._workers)]
        await asyncio.gather(*jobs)

    async def aclose(self) -> None:
        # shutdown(wait=True) blocks until workers exit: wait for it in a thread.
        await asyncio.to_thread(self._pool.shutdown, True, cancel_futures=True)

    async def __aenter__(self) -> Transcriber:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
