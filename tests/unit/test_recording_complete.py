"""A recording still being written is told apart from a finished one by its WAV header."""

from __future__ import annotations

import io
import wave

from ari_app.recording_store import wav_complete, wav_seconds


def finished_wav(seconds: float) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(b"\0\0" * int(8000 * seconds))
    return buffer.getvalue()


def test_given_closed_wav_then_complete() -> None:
    assert wav_complete(finished_wav(1.0))


def test_given_header_sizes_not_yet_filled_in_then_not_complete() -> None:
    # Asterisk writes zero sizes when it opens the file and the real ones when it closes it.
    data = bytearray(finished_wav(1.0))
    data[4:8] = (0).to_bytes(4, "little")
    data[40:44] = (0).to_bytes(4, "little")
    assert not wav_complete(bytes(data))
    assert wav_seconds(bytes(data)) in (None, 0.0)


def test_given_file_grown_past_its_header_then_not_complete() -> None:
    assert not wav_complete(finished_wav(1.0) + b"\1\0" * 800)


def test_given_no_wav_at_all_then_not_complete() -> None:
    assert not wav_complete(b"")
    assert not wav_complete(b"not a riff file at all, but long enough to pass the size check")
