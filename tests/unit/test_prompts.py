"""The committed audio is what Asterisk and the speech tests can use.

Every prompt id of ivr/prompts.yaml has a playable recordings/prompts/<id>.wav, and every
test utterance of tests/fixtures/speech/labels.yaml has its WAV and valid labels. Reads the
files with the stdlib `wave` module only; regenerating them needs the TTS venv (see
tools/make_prompts.py and tools/make_speech.py).
"""

from __future__ import annotations

import array
import math
import wave
from pathlib import Path
from typing import Any

import pytest

from ivr.loader import load_prompt_ids
from routing.enums import OrderType, Utility
from tools.make_speech import JINAN_DISTRICTS, label_problems, load_labels

ROOT = Path(__file__).resolve().parents[2]
PROMPT_DIR = ROOT / "recordings" / "prompts"
SPEECH_DIR = ROOT / "tests" / "fixtures" / "speech"
PROMPT_IDS = sorted(load_prompt_ids(ROOT / "ivr" / "prompts.yaml"))
LABELS = load_labels(SPEECH_DIR / "labels.yaml")
# Synthesised speech at a -3..-6 dBFS peak has an RMS near -20 dBFS; a file under -45 dBFS
# would be a silent or broken render that callers hear as dead air.
MIN_RMS_DBFS = -45.0


def read_pcm(path: Path) -> tuple[tuple[int, int, int], array.array[int]]:
    """((rate, channels, sample width), samples) of a WAV file."""
    with wave.open(str(path), "rb") as wav:
        form = (wav.getframerate(), wav.getnchannels(), wav.getsampwidth())
        samples = array.array("h", wav.readframes(wav.getnframes()))
    return form, samples


def rms_dbfs(samples: array.array[int]) -> float:
    """RMS level of 16-bit samples relative to full scale."""
    mean_square = sum(s * s for s in samples) / max(len(samples), 1)
    return 10 * math.log10(mean_square / 32768**2 + 1e-12)


@pytest.mark.parametrize("prompt_id", PROMPT_IDS)
def test_given_prompt_id_then_wav_is_8khz_mono_16bit_audible(prompt_id: str) -> None:
    form, samples = read_pcm(PROMPT_DIR / f"{prompt_id}.wav")
    assert form == (8000, 1, 2)
    assert 0.2 < len(samples) / 8000 < 30
    assert rms_dbfs(samples) > MIN_RMS_DBFS


def test_given_labels_then_every_utility_is_covered() -> None:
    assert {entry["utility"] for entry in LABELS.values()} == {u.value for u in Utility}


@pytest.mark.parametrize("utterance_id", sorted(LABELS))
def test_given_utterance_then_labels_use_allowed_values(utterance_id: str) -> None:
    entry: dict[str, Any] = LABELS[utterance_id]
    assert label_problems(utterance_id, entry) == []
    assert entry["utility"] in {u.value for u in Utility}
    assert entry["order_type"] in {t.value for t in OrderType}
    assert entry["district"] is None or entry["district"] in JINAN_DISTRICTS


@pytest.mark.parametrize("utterance_id", sorted(LABELS))
def test_given_utterance_then_wav_is_telephone_format(utterance_id: str) -> None:
    form, samples = read_pcm(SPEECH_DIR / f"{utterance_id}.wav")
    assert form == (8000, 1, 2)
    assert 1.0 < len(samples) / 8000 < 60
    assert rms_dbfs(samples) > MIN_RMS_DBFS


def test_given_speech_dir_then_every_wav_has_labels() -> None:
    # A WAV left behind after its entry was renamed would be a test input with no truth.
    orphans = {p.stem for p in SPEECH_DIR.glob("*.wav")} - set(LABELS)
    assert orphans == set()
