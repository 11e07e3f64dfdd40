"""Keeping our own copy of each call recording, fetched from Asterisk over ARI.

Asterisk may run on another host (docker), so the file comes over ARI, not from its disk.
Asterisk's spool keeps the original: when our copy fails (a full disk), nothing is lost and
the copy can be made again later.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import wave
from pathlib import Path

from ari_app.client import AriClient, AriError

log = logging.getLogger(__name__)


def wav_seconds(data: bytes) -> float | None:
    try:
        with wave.open(io.BytesIO(data)) as wav:
            return float(wav.getnframes()) / float(wav.getframerate())
    except (wave.Error, EOFError):
        return None


def wav_complete(data: bytes) -> bool:
    """Whether Asterisk has closed the file: it fills in the RIFF size only when it does."""
    riff_size = int.from_bytes(data[4:8], "little")
    return data[:4] == b"RIFF" and len(data) > 44 and riff_size == len(data) - 8


async def fetch_complete_recording(
    ari: AriClient, name: str, *, within: float, poll: float = 1.0
) -> bytes:
    """The recording once Asterisk has finished it (its caller may still be speaking).

    After `within` seconds what there is comes back anyway: a message cut short beats none.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    data = await fetch_recording(ari, name, attempts=3)
    while not wav_complete(data) and loop.time() < deadline:
        await asyncio.sleep(poll)
        data = await fetch_recording(ari, name, attempts=3)
    if not wav_complete(data):
        log.warning("recording %s still unfinished after %.0fs; keeping it as it is", name, within)
    return data


async def fetch_recording(
    ari: AriClient, name: str, *, attempts: int = 20, delay: float = 0.5
) -> bytes:
    """The stored recording; it may take a moment to be finalised after a hang-up."""
    for attempt in range(attempts):
        try:
            return await ari.stored_recording(name)
        except AriError:
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")


async def keep_copy(
    ari: AriClient, name: str, directory: Path, order_number: str
) -> tuple[Path, bytes]:
    """Our copy of recording `name` for the order; AriError or OSError when it is not kept."""
    data = await fetch_recording(ari, name)
    path = await asyncio.to_thread(save_copy, data, directory, order_number)
    return path, data


def save_copy(data: bytes, directory: Path, order_number: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{order_number}.wav"
    partial = target.with_suffix(".part")
    try:
        partial.write_bytes(data)
    except OSError:
        # A half-written copy on a full disk only takes space the next copy needs.
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    partial.replace(target)  # never leave a half-written file under the final name
    return target
