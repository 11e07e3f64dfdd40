"""Preparing caller audio with pydub (ffmpeg for non-WAV): conversion and bad input.

Inputs are generated in tmp_path: tones stand in for speech (the checks are about level
and format, not words).
"""

from __future__ import annotations

import array
import math
import wave
from pathlib import Path

import pytest
from pydub import AudioSegment

from recordings.audio import TARGET_RATE, AudioError, prepare


def pcm_tone(seconds: float, rate: int = 8000, peak: float = 0.3, hz: float = 440.0) -> bytes:
    count = int(seconds * rate)
    level = int(32767 * peak)
    return array.array(
        "h", (int(level * math.sin(2 * math.pi * hz * i / rate)) for i in range(count))
    ).tobytes()


def pcm_silence(seconds: float, rate: int = 8000) -> bytes:
    return bytes(2 * int(seconds * rate))


def write_wav(path: Path, pcm: bytes, rate: int = 8000, channels: int = 1) -> Path:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm)
    return path


def test_phone_audio_becomes_16k_mono(tmp_path: Path) -> None:
    prepared = prepare(write_wav(tmp_path / "a.wav", pcm_tone(1.0)))
    assert prepared.seconds == pytest.approx(1.0)
    assert prepared.warnings == ()
    assert len(prepared.pcm) == pytest.approx(prepared.speech_seconds * TARGET_RATE * 2, abs=4)


def test_silence_around_speech_is_trimmed(tmp_path: Path) -> None:
    pcm = pcm_silence(1.5) + pcm_tone(1.0) + pcm_silence(1.5)
    prepared = prepare(write_wav(tmp_path / "a.wav", pcm))
    assert prepared.seconds == pytest.approx(4.0)
    assert 1.0 <= prepared.speech_seconds <= 1.4  # the tone plus the kept edges


def test_bytes_and_paths_give_the_same(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "a.wav", pcm_tone(0.8))
    assert prepare(path) == prepare(path.read_bytes())


def test_stereo_44k_is_mixed_down(tmp_path: Path) -> None:
    left_right = array.array("h")
    for sample in array.array("h", pcm_tone(1.0, rate=44100)):
        left_right.extend((sample, sample))
    path = write_wav(tmp_path / "s.wav", left_right.tobytes(), rate=44100, channels=2)
    prepared = prepare(path)
    assert len(prepared.pcm) == pytest.approx(prepared.speech_seconds * TARGET_RATE * 2, abs=4)


def test_non_wav_goes_through_ffmpeg(tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "a.wav", pcm_tone(1.0))
    flac = tmp_path / "a.flac"
    # File objects, not names: pydub leaves files it opened by name unclosed.
    with wav.open("rb") as source, flac.open("wb") as out:
        AudioSegment.from_wav(source).export(out, format="flac")
    assert prepare(flac).seconds == pytest.approx(1.0, abs=0.05)


def test_zero_bytes(tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    for source in (empty, b""):
        with pytest.raises(AudioError) as caught:
            prepare(source)
        assert caught.value.code == "empty"


def test_wav_without_samples(tmp_path: Path) -> None:
    with pytest.raises(AudioError) as caught:
        prepare(write_wav(tmp_path / "none.wav", b""))
    assert caught.value.code == "empty"


@pytest.mark.parametrize(
    "data",
    [
        "这不是音频文件，只是一段文字".encode(),
        b"\x89PNG\r\n\x1a\n" + bytes(200),
        bytes(range(256)) * 8,
        b"RIFF\x24\x00\x00\x00WAVEjunkjunkjunk",  # a WAV header with nothing sane after it
    ],
)
def test_not_audio(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "x.wav"
    path.write_bytes(data)
    with pytest.raises(AudioError) as caught:
        prepare(path)
    assert caught.value.code == "not_audio"
    assert "not a readable audio file" in str(caught.value)


def test_too_short(tmp_path: Path) -> None:
    with pytest.raises(AudioError) as caught:
        prepare(write_wav(tmp_path / "click.wav", pcm_tone(0.1)))
    assert caught.value.code == "too_short"


def test_silence_is_reported_not_refused(tmp_path: Path) -> None:
    prepared = prepare(write_wav(tmp_path / "quiet.wav", pcm_silence(3.0)))
    assert prepared.pcm == b""
    assert prepared.warnings == ("silence",)
    assert prepared.seconds == pytest.approx(3.0)


def test_line_hiss_counts_as_silence(tmp_path: Path) -> None:
    hiss = pcm_tone(2.0, peak=0.002, hz=3000)  # about -54 dBFS
    assert "silence" in prepare(write_wav(tmp_path / "hiss.wav", hiss)).warnings


def test_clipping_is_flagged(tmp_path: Path) -> None:
    # A tone driven far past full scale: flat tops at the limits, as a shouting caller.
    loud = array.array(
        "h", (max(-32768, min(32767, 4 * s)) for s in array.array("h", pcm_tone(1.0, peak=0.9)))
    )
    prepared = prepare(write_wav(tmp_path / "loud.wav", loud.tobytes()))
    assert "clipped" in prepared.warnings
    assert prepared.pcm  # still transcribed: a loud caller is still a caller


def test_audio_error_survives_pickling() -> None:
    import pickle

    error = pickle.loads(pickle.dumps(AudioError("empty", "the audio is empty (0 bytes)")))
    assert (error.code, str(error)) == ("empty", "the audio is empty (0 bytes)")
