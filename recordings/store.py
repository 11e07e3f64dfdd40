"""Keeping our own copy of each call recording, fetched from Asterisk over ARI.

Asterisk may run on another host (docker), so the file comes over ARI, not from its disk.
"""

from __future__ import annotations

import asyncio
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


def save_copy(data: bytes, directory: Path, order_number: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{order_number}.wav"
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(target)  # never leave a half-written file under the final name
    return target
