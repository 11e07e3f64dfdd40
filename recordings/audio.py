"""Caller audio made ready for a recogniser, and what is wrong with it said clearly.

Every engine here wants 16 kHz mono signed 16-bit PCM; the phone line gives 8 kHz. pydub
does the conversion (ffmpeg decodes anything that is not plain WAV). Unusable input
(0 bytes, not audio, too short to hold a word) raises `AudioError` with a stable code;
usable but doubtful input (only silence, clipped) is returned with warnings, because a
recording that a caller made is worth a try and an empty transcript says "nothing heard".
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from pathlib import Path

from pydub import AudioSegment
from pydub.exceptions import CouldntDecodeError
from pydub.silence import detect_nonsilent

TARGET_RATE = 16_000
SAMPLE_WIDTH = 2
# No Mandarin syllable is shorter; below this a file is a click or a cut-off, not speech.
MIN_SECONDS = 0.3
# Telephone speech peaks around -20..-3 dBFS; a line with nobody speaking sits below -50.
SILENCE_DBFS = -45.0
# Pauses between a caller's phrases are shorter than this; longer ones are trimmed.
MIN_SILENCE_MS = 300
KEEP_EDGE_MS = 150  # kept around speech so soft onsets survive the trim
SEEK_STEP_MS = 10  # resolution of the silence search; 1 ms costs 10x for nothing
# A sample this close to full scale is clipped; this share of them means distortion.
CLIP_LEVEL = 0.98
CLIP_SHARE = 0.002


class AudioError(Exception):
    """Input no engine can use. `code`: empty | not_audio | too_short."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)  # both in args, so it survives pickling
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class PreparedAudio:
    """16 kHz mono 16-bit PCM with silence trimmed (b"" when there was only silence)."""

    pcm: bytes
    seconds: float  # duration of the input as received
    speech_seconds: float
    warnings: tuple[str, ...]  # "silence", "clipped"


def _read(source: bytes | Path) -> AudioSegment:
    data = source.read_bytes() if isinstance(source, Path) else source
    if not data:
        raise AudioError("empty", "the audio is empty (0 bytes)")
    # Plain WAV takes pydub's in-process path; anything else goes through ffmpeg.
    fmt = "wav" if data[:4] == b"RIFF" and data[8:12] == b"WAVE" else None
    try:
        return AudioSegment.from_file(io.BytesIO(data), format=fmt)
    except (CouldntDecodeError, wave.Error, EOFError, IndexError, ValueError) as exc:
        if fmt == "wav":  # a damaged WAV header: ffmpeg is more forgiving
            try:
                return AudioSegment.from_file(io.BytesIO(data))
            except CouldntDecodeError:
                pass
        raise AudioError("not_audio", f"not a readable audio file ({len(data)} bytes)") from exc


def clipped_share(segment: AudioSegment) -> float:
    """The share of samples at (or next to) full scale."""
    samples = segment.get_array_of_samples()
    if not samples:
        return 0.0
    limit = int(segment.max_possible_amplitude * CLIP_LEVEL)
    return sum(1 for s in samples if s >= limit or s <= -limit) / len(samples)


def speech_span(segment: AudioSegment) -> tuple[int, int] | None:
    """Start and end (ms) of the part that is not silence, with edges kept; None if none."""
    spans = detect_nonsilent(
        segment,
        min_silence_len=MIN_SILENCE_MS,
        silence_thresh=SILENCE_DBFS,
        seek_step=SEEK_STEP_MS,
    )
    if not spans:
        return None
    start = max(0, spans[0][0] - KEEP_EDGE_MS)
    end = min(len(segment), spans[-1][1] + KEEP_EDGE_MS)
    return start, end


def prepare(source: bytes | Path) -> PreparedAudio:
    """Decode, check and convert caller audio; raises AudioError when it is unusable."""
    segment = _read(source)
    seconds = len(segment) / 1000.0
    if seconds == 0:
        raise AudioError("empty", "the audio holds no samples")
    if seconds < MIN_SECONDS:
        raise AudioError("too_short", f"the audio lasts {seconds:.2f} s, too short for speech")
    mono = segment.set_channels(1).set_sample_width(SAMPLE_WIDTH)
    warnings = ["clipped"] if clipped_share(mono) >= CLIP_SHARE else []
    span = speech_span(mono)
    if span is None:
        return PreparedAudio(b"", seconds, 0.0, (*warnings, "silence"))
    speech = mono[span[0] : span[1]].set_frame_rate(TARGET_RATE)
    return PreparedAudio(speech.raw_data, seconds, len(speech) / 1000.0, tuple(warnings))
