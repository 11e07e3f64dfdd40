"""`hotline12319 analyze FILE.wav [--json] [--engine whisper|vosk]`: what a recording says.

Prints transcript, utility, order type, emergency, district, address, confidence, the
audio's duration ("seconds"), the engine and its processing time. Input that holds no
speech at all (silence) is a valid answer: an empty transcript, utility null, and
"warnings": ["silence"], exit 0. Input that is not usable audio (missing, 0 bytes, not
audio, shorter than a syllable) is an error: a message on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

from hotline12319.errors import CommandError
from hotline12319.settings import load_settings
from recordings.audio import AudioError
from recordings.case_rules import load_case_rules
from recordings.classifier import load_classifier
from recordings.engines import ENGINES, EngineConfig
from recordings.lexicon import load_lexicon
from recordings.models import ModelError
from recordings.transcriber import Transcriber, Transcript
from recordings.understanding import understand


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="a recording (WAV or anything ffmpeg reads)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--engine", choices=ENGINES, help="override the configured engine")


def analysis(transcript: Transcript) -> dict[str, Any]:
    """The `analyze` answer for a transcript (the command contract's keys first)."""
    lexicon = load_lexicon()
    cases = load_case_rules(frozenset(rule.name for rule in lexicon.hazard_rules))
    understood = understand(transcript.text, lexicon, cases, load_classifier())
    return {
        "transcript": transcript.text,
        **understood.as_json(),
        "seconds": round(transcript.seconds, 2),
        "engine": transcript.engine,
        "processing_seconds": round(transcript.processing_seconds, 2),
        "warnings": list(transcript.warnings),
    }


async def _transcribe(config: EngineConfig, path: Path) -> Transcript:
    async with Transcriber(config, workers=1) as transcriber:
        return await transcriber.transcribe(path)


def run(args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    config = EngineConfig.from_settings(load_settings(), engine=args.engine)
    try:
        result = analysis(asyncio.run(_transcribe(config, path)))
    except AudioError as exc:
        raise CommandError(f"{path}: {exc}") from exc
    except (ModelError, ValueError) as exc:
        raise CommandError(f"speech engine {config.engine}: {exc}") from exc
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for key, value in result.items():
            print(f"{key:>18}: {value}")
    return 0
