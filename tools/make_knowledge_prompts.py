"""Record the IVR's reading of every knowledge-base answer: recordings/prompts/kb_<slug>.wav,
and recordings/prompts/knowledge_readings.yaml naming the text each was made from.

The IVR reads an answer only while the stored answer still matches its reading
(routing/knowledge_text.reading_key): an answer the business section has edited since is
offered to agents at once, and to callers once its reading is made again with this command.
Runs in the TTS venv, like tools/make_prompts.py:

    /opt/tts-venv/bin/python tools/make_knowledge_prompts.py [--only SLUG ...]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from routing.knowledge_base.knowledge_text import reading_key, tidy  # noqa: E402
from tools.make_prompts import OUT_DIR, render_speech  # noqa: E402

SEED = ROOT / "routing" / "knowledge_base" / "knowledge.yaml"
MANIFEST = OUT_DIR / "knowledge_readings.yaml"
PREFIX = "kb_"  # the flow's answer_prefix (ivr/flows/hotline.yaml, node consult)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", metavar="SLUG")
    args = parser.parse_args(argv)
    from tools import tts

    entries = yaml.safe_load(SEED.read_text(encoding="utf-8"))["entries"]
    readings = yaml.safe_load(MANIFEST.read_text(encoding="utf-8")) if MANIFEST.exists() else {}
    readings = readings or {}
    voice = tts.Voice()
    for entry in entries:
        if args.only and entry["slug"] not in args.only:
            continue
        started = time.monotonic()
        render_speech(voice, PREFIX + entry["slug"], tidy(entry["answer"]))
        readings[entry["slug"]] = reading_key(entry["answer"])
        seconds = tts.wav_seconds(OUT_DIR / f"{PREFIX}{entry['slug']}.wav")
        print(f"{entry['slug']}: {seconds:.1f} s ({time.monotonic() - started:.1f} s)")
    header = "# Made by tools/make_knowledge_prompts.py: slug -> reading_key of the answer read.\n"
    MANIFEST.write_text(header + yaml.safe_dump(readings, sort_keys=True), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
