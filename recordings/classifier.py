"""The trained text classifier of utility and order type: features and prediction. Pure.

A linear model over two kinds of features of the transcript: character 1-3-grams (what was
written) and toneless pinyin 1-2-grams folded by `textnorm.fuzzy` (what was heard, so 然气
and 燃气, 公暖 and 供暖 share features). tools/train_understanding.py fits it with
scikit-learn on a generated corpus with simulated ASR confusions and exports the weights
as plain JSON (recordings/models/); prediction here needs no scikit-learn: TF-IDF with
sublinear term frequency, each block L2-normalised, then a softmax over the linear scores,
exactly as the fitted pipeline computes it (tests/unit/test_classifier.py checks).
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pypinyin import Style, lazy_pinyin

from recordings.textnorm import fuzzy, normalize

MODEL_DIR = Path(__file__).resolve().parent / "models"
MODEL_FILE = MODEL_DIR / "understanding-v3.json.gz"
_NOT_SPOKEN = re.compile(r"[^\w]|_|\d")


def char_grams(text: str) -> list[str]:
    """Character 1-3-grams of the spoken characters of normalised text."""
    chars = _NOT_SPOKEN.sub("", normalize(text))
    return [chars[i : i + n] for n in (1, 2, 3) for i in range(len(chars) - n + 1)]


def pinyin_grams(text: str) -> list[str]:
    """Toneless, accent-folded pinyin 1-2-grams (prefixed so they never meet a character)."""
    chars = _NOT_SPOKEN.sub("", normalize(text))
    syls = [fuzzy(s) for s in lazy_pinyin(chars, style=Style.NORMAL, errors="ignore")]
    grams = [f"~{s}" for s in syls]
    return grams + [f"~{a}_{b}" for a, b in itertools.pairwise(syls)]


@dataclass(frozen=True)
class Prediction:
    """The best label and its probability; `ranked` is every label, most likely first."""

    label: str | None
    confidence: float
    ranked: tuple[tuple[str, float], ...]


def _block(grams: list[str], vocab: dict[str, int], idf: list[float]) -> dict[int, float]:
    counts = Counter(vocab[g] for g in grams if g in vocab)
    weights = {i: (1.0 + math.log(c)) * idf[i] for i, c in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {i: w / norm for i, w in weights.items()}


def _softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


class TextClassifier:
    """Utility and order-type prediction from an exported model (see MODEL_FILE)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.version: str = data["version"]
        self.sha256: str = data.get("sha256", "")
        self._chars = {g: i for i, g in enumerate(data["char_vocab"])}
        self._pinyin = {g: i + len(self._chars) for i, g in enumerate(data["pinyin_vocab"])}
        self._idf: list[float] = data["idf"]
        self._heads: dict[str, dict[str, Any]] = data["heads"]

    def features(self, text: str) -> dict[int, float]:
        """The TF-IDF vector of `text` (feature index -> weight), as the trainer computed it."""
        return {
            **_block(char_grams(text), self._chars, self._idf),
            **_block(pinyin_grams(text), self._pinyin, self._idf),
        }

    def _predict(self, head: str, vector: dict[int, float]) -> Prediction:
        model = self._heads[head]
        scores = [
            bias + sum(w * row[i] for i, w in vector.items())
            for row, bias in zip(model["coef"], model["intercept"], strict=True)
        ]
        ranked = sorted(zip(model["classes"], _softmax(scores), strict=True), key=lambda kv: -kv[1])
        if not vector:  # nothing the model knows was said: no guess
            return Prediction(None, 0.0, tuple(ranked))
        return Prediction(ranked[0][0], round(ranked[0][1], 3), tuple(ranked))

    def predict(self, text: str) -> tuple[Prediction, Prediction]:
        """(utility, order type) of a transcript; labels are routing.enums values."""
        vector = self.features(text)
        return self._predict("utility", vector), self._predict("order_type", vector)


def read_model(path: Path) -> dict[str, Any]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


@cache
def load_classifier(path: Path = MODEL_FILE) -> TextClassifier | None:
    """The shipped classifier (cached per path), or None when its file is absent."""
    if not path.is_file():
        return None
    return TextClassifier(read_model(path))


# Below this probability a label is a guess: the order goes to an agent with the reason.
UNSURE_BELOW = 0.6
# From this probability of 抢险抢修 the words raise the emergency flag (leaning safe: a
# missed emergency costs far more than an agent's check of a false one).
EMERGENCY_FROM = 0.25


@dataclass(frozen=True)
class Reading:
    """What the classifier reads in a transcript, with its doubts for the review list."""

    utility: Prediction
    order_type: Prediction
    emergency_probability: float
    doubts: tuple[str, ...]


def _doubt(name: str, prediction: Prediction) -> str | None:
    if prediction.label is None:
        return f"{name}: no words the model knows"
    if prediction.confidence >= UNSURE_BELOW:
        return None
    runner_up = prediction.ranked[1] if len(prediction.ranked) > 1 else ("-", 0.0)
    return (
        f"{name} unsure: {prediction.label} {prediction.confidence:.2f}, "
        f"{runner_up[0]} {runner_up[1]:.2f}"
    )


def read(model: TextClassifier, text: str) -> Reading:
    """Utility, order type, the probability of an emergency, and what is unsure."""
    utility, order_type = model.predict(text)
    emergency = dict(order_type.ranked).get("emergency_repair", 0.0)
    doubts = (_doubt("utility", utility), _doubt("order type", order_type))
    return Reading(
        utility=utility,
        order_type=order_type,
        emergency_probability=round(emergency, 3) if order_type.label else 0.0,
        doubts=tuple(d for d in doubts if d),
    )
