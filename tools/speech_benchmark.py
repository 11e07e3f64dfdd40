"""Speech benchmark: every utterance of a speech set through `analyze`'s path.

Per engine: character error rate (CER), real-time factor (RTF = processing time / audio
time, measured in the worker around decode + recognition), and what understanding gets
right against labels.yaml: utility, order type, emergency recall and precision, district,
address. `--engine text` skips recognition and understands the label's own text: the
ceiling understanding reaches with a perfect transcript.

`--set fixtures` (default) is tests/fixtures/speech, the utterances the lexicon was shaped
on; `--set blind` is tests/fixtures/speech_blind (issue 13), composed apart and never read
by tuning code, reported with a breakdown per voice (its conditions.yaml); `--set dev` is
tests/fixtures/speech_dev, written apart from both for tuning the understanding on.

    .venv/bin/python -m tools.speech_benchmark --engine whisper          # markdown table
    .venv/bin/python -m tools.speech_benchmark --engine vosk --vosk-model DIR --json
    .venv/bin/python -m tools.speech_benchmark --set blind --threads 1   # blind set, one core
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from hotline12319.settings import load_settings
from recordings.classifier import TextClassifier, load_classifier
from recordings.engines import EngineConfig
from recordings.lexicon import load_lexicon
from recordings.models import packaged_vosk_ko
from recordings.textnorm import normalize
from recordings.transcriber import Transcriber, Transcript
from recordings.understanding import understand

ROOT = Path(__file__).resolve().parents[1]
SPEECH_DIR = ROOT / "tests" / "fixtures" / "speech"
SETS = {
    "fixtures": SPEECH_DIR,
    "dev": ROOT / "tests" / "fixtures" / "speech_dev",
    "blind": ROOT / "tests" / "fixtures" / "speech_blind",
}
_NOT_SPOKEN = re.compile(r"[^\w]|_")  # punctuation and spaces carry no characters to score


def cer_chars(text: str) -> str:
    """Text reduced to what CER compares: normalised characters without punctuation."""
    return _NOT_SPOKEN.sub("", normalize(text))


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _same_address(got: str | None, want: str | None) -> bool:
    # 的 is spoken or not at will ("汇泉路的地下通道"); it does not change the place.
    def strip(a: str | None) -> str:
        return (a or "").replace("的", "")

    return strip(got) == strip(want)


# The trained classifier (recordings/classifier.py); `--rules-only` sets it to None.
CLASSIFIER: list[TextClassifier | None] = [None]


def score(label: dict[str, Any], transcript: str) -> dict[str, Any]:
    """One utterance: understanding of `transcript` compared with its labels."""
    got = understand(transcript, load_lexicon(), model=CLASSIFIER[0])
    ref, hyp = cer_chars(label["text"]), cer_chars(transcript)
    return {
        "transcript": transcript,
        "errors": edit_distance(ref, hyp),
        "ref_chars": len(ref),
        "utility_ok": got.utility == label["utility"],
        "type_ok": got.order_type == label["order_type"],
        "emergency_want": label["emergency"],
        "emergency_got": got.emergency,
        "district_ok": got.district == label["district"],
        "address_ok": _same_address(got.address, label["address"]),
        "got": got.as_json(),
    }


def _share(hits: int, total: int) -> float | None:
    return round(hits / total, 3) if total else None


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Totals over all utterances."""
    want = [r for r in rows if r["emergency_want"]]
    flagged = [r for r in rows if r["emergency_got"]]
    audio = sum(r.get("seconds", 0.0) for r in rows)
    work = sum(r.get("processing_seconds", 0.0) for r in rows)
    return {
        "utterances": len(rows),
        "cer": _share(sum(r["errors"] for r in rows), sum(r["ref_chars"] for r in rows)),
        "rtf": round(work / audio, 3) if audio else None,
        "audio_seconds": round(audio, 1),
        "utility_accuracy": _share(sum(r["utility_ok"] for r in rows), len(rows)),
        "order_type_accuracy": _share(sum(r["type_ok"] for r in rows), len(rows)),
        "emergency_recall": _share(sum(r["emergency_got"] for r in want), len(want)),
        "emergency_precision": _share(sum(r["emergency_want"] for r in flagged), len(flagged)),
        "district_accuracy": _share(sum(r["district_ok"] for r in rows), len(rows)),
        "address_accuracy": _share(sum(r["address_ok"] for r in rows), len(rows)),
        "unreadable": sum(_doubted(r, "transcript") for r in rows),
        "utility_errors_unflagged": sum(
            not r["utility_ok"] and not _doubted(r, "utility", "transcript") for r in rows
        ),
    }


def _doubted(row: dict[str, Any], *about: str) -> bool:
    """Whether understanding listed a doubt about one of `about` (the review list's reasons)."""
    return any(d.startswith(about) for d in row["got"].get("doubts", []))


def audio_file(folder: Path, utterance_id: str) -> Path:
    """The recording of an id: a WAV (fixtures) or a FLAC (the blind set)."""
    wav = folder / f"{utterance_id}.wav"
    return wav if wav.is_file() else folder / f"{utterance_id}.flac"


async def _recognise(config: EngineConfig, folder: Path, ids: list[str]) -> dict[str, Transcript]:
    async with Transcriber(config, workers=1) as transcriber:
        await transcriber.warm_up()  # model loading is not part of the RTF
        return {i: await transcriber.transcribe(audio_file(folder, i)) for i in ids}


def run_engine(args: argparse.Namespace, labels: dict[str, Any]) -> list[dict[str, Any]]:
    """Per-utterance rows for the chosen engine."""
    ids = list(labels)
    if args.engine == "text":
        return [{"id": i, **score(labels[i], labels[i]["text"])} for i in ids]
    if args.transcripts:
        return rescore(args.transcripts, labels)
    config = EngineConfig.from_settings(load_settings(), engine=args.engine)
    config = replace(config, threads=args.threads, beam_size=args.beam)
    if args.no_prompt:
        config = replace(config, initial_prompt=None)
    if args.engine == "vosk":
        config = replace(config, vosk_model_dir=args.vosk_model or packaged_vosk_ko())
    transcripts = asyncio.run(_recognise(config, SETS[args.set], ids))
    return [
        {
            "id": i,
            "seconds": t.seconds,
            "processing_seconds": t.processing_seconds,
            **score(labels[i], t.text),
        }
        for i, t in transcripts.items()
    ]


def by_voice(folder: Path, rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Totals per voice of a set whose conditions.yaml names each entry's voice."""
    plan_file = folder / "conditions.yaml"
    if not plan_file.is_file():
        return {}
    plan = yaml.safe_load(plan_file.read_text(encoding="utf-8"))
    voices = sorted({plan[r["id"]]["voice"] for r in rows})
    return {v: summarise([r for r in rows if plan[r["id"]]["voice"] == v]) for v in voices}


def rescore(saved: Path, labels: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of an earlier `--json --rows` run, understood again by today's understanding.

    Recognition is deterministic (greedy or beam search, no sampling), so the transcripts and
    their timings stand; only what is understood from them changes.
    """
    rows = json.loads(saved.read_text(encoding="utf-8"))["rows"]
    timing = ("seconds", "processing_seconds")
    return [
        {
            "id": r["id"],
            **{k: r[k] for k in timing if k in r},
            **score(labels[r["id"]], r["transcript"]),
        }
        for r in rows
    ]


def markdown(
    summary: dict[str, Any],
    rows: list[dict[str, Any]],
    verbose: bool,
    voices: dict[str, dict[str, Any]] | None = None,
) -> str:
    lines = ["| metric | value |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in summary.items()]
    if voices:
        names = list(voices)
        lines += ["", "| metric | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
        for key in next(iter(voices.values())):
            lines.append(f"| {key} | " + " | ".join(str(voices[n][key]) for n in names) + " |")
    if verbose:
        lines += [
            "",
            "| id | utility | type | emergency | CER | transcript |",
            "|---|---|---|---|---|---|",
        ]
        for r in rows:
            cer = r["errors"] / max(1, r["ref_chars"])
            marks = ["ok" if r[k] else "**miss**" for k in ("utility_ok", "type_ok")]
            emergency = "ok" if r["emergency_got"] == r["emergency_want"] else "**miss**"
            lines.append(
                f"| {r['id']} | {marks[0]} | {marks[1]} | {emergency} | {cer:.2f} "
                f"| {r['transcript']} |"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("whisper", "vosk", "text"), default="whisper")
    parser.add_argument("--set", choices=tuple(SETS), default="fixtures", help="which speech")
    parser.add_argument("--vosk-model", type=Path, help="vosk model dir (default: Korean pkg)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--beam", type=int, default=1)
    parser.add_argument("--no-prompt", action="store_true", help="no initial_prompt")
    parser.add_argument("--rules-only", action="store_true", help="without the classifier")
    parser.add_argument(
        "--transcripts", type=Path, help="score the transcripts of a saved --json --rows run"
    )
    parser.add_argument("--json", action="store_true", help="JSON instead of markdown")
    parser.add_argument("--rows", action="store_true", help="also list every utterance")
    args = parser.parse_args(argv)
    CLASSIFIER[0] = None if args.rules_only else load_classifier()
    labels = yaml.safe_load((SETS[args.set] / "labels.yaml").read_text(encoding="utf-8"))
    started = time.monotonic()
    rows = run_engine(args, labels)
    understanding = "rules" if CLASSIFIER[0] is None else f"rules+{CLASSIFIER[0].version}"
    summary = {"set": args.set, "engine": args.engine, "understanding": understanding}
    summary |= summarise(rows)
    summary["wall_seconds"] = round(time.monotonic() - started, 1)
    voices = by_voice(SETS[args.set], rows)
    if args.json:
        print(
            json.dumps(
                {"summary": summary, "voices": voices, "rows": rows if args.rows else []},
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        print(markdown(summary, rows, args.rows, voices))
    return 0


if __name__ == "__main__":
    sys.exit(main())
