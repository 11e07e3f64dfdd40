"""Build the utility / order-type classifier (recordings/classifier.py) from its recipe.

One command, fixed seeds, same model every time:

    .venv/bin/python -m tools.train_understanding            # writes recordings/models/...
    .venv/bin/python -m tools.train_understanding --check    # rebuild, compare, write nothing

The corpus comes from tools/understanding_corpus.yaml (templates x vocabularies, written from
the hotline's domain, never from the blind set), each sentence also in two "heard" forms
with simulated ASR confusions: a character replaced by a homophone (燃 -> 然) or by a near
syllable the telephone band and Shandong accents blur (r/y, l/n, f/h, an/ang, ou/u, ...),
or dropped. Features and prediction are recordings.classifier's; scikit-learn fits the two
logistic regressions, and the weights are exported rounded, as plain JSON, with the
SHA-256 of that JSON, so a rebuild is compared byte for byte.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import sys
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pypinyin import Style, pinyin_dict
from pypinyin.core import lazy_pinyin

from recordings.classifier import MODEL_FILE, char_grams, pinyin_grams

ROOT = Path(__file__).resolve().parents[1]
RECIPE = ROOT / "tools" / "understanding_corpus.yaml"
HEARD_FILE = ROOT / "tools" / "understanding_heard.json"  # tools/heard_corpus.py writes it
VERSION = "understanding-v3"
SEED = 12319
SENTENCES = 6000
HEARD_FORMS = 3  # noisy copies of each sentence
SUBSTITUTE_RATE = 0.25
DROP_RATE = 0.02
FILLER_RATE = 0.4
HEARD_WEIGHT = 4  # a real transcript counts as four simulated heard forms (chosen on the dev set)
REGULARISATION_C = 8.0  # inverse strength: scikit-learn's C
DECIMALS = 4
NEAR_INITIALS = (("r", "y"), ("r", "l"), ("l", "n"), ("f", "h"), ("zh", "z"), ("ch", "c"),
                 ("sh", "s"), ("b", "p"), ("d", "t"))  # fmt: skip
NEAR_FINALS = (("ang", "an"), ("eng", "en"), ("ing", "in"), ("ou", "u"), ("uan", "an"),
               ("uo", "o"), ("ian", "iang"))  # fmt: skip


@cache
def homophones() -> dict[str, tuple[str, ...]]:
    """Toneless syllable -> common characters (GB2312 level 1) read that way."""
    table: dict[str, set[str]] = defaultdict(set)
    for code in pinyin_dict.pinyin_dict:
        char = chr(code)
        try:
            encoded = char.encode("gb2312")
        except UnicodeEncodeError:
            continue
        if len(encoded) != 2 or not 0xB0 <= encoded[0] <= 0xD7:
            continue
        first = lazy_pinyin(char, style=Style.NORMAL)[0]
        table[first].add(char)
    return {syl: tuple(sorted(chars)) for syl, chars in sorted(table.items())}


def near(syllable: str, rng: random.Random) -> str:
    """A syllable one typical confusion away (or itself when none applies)."""
    options = []
    for a, b in NEAR_INITIALS:
        for x, y in ((a, b), (b, a)):
            if syllable.startswith(x) and not (x in "zcs" and syllable.startswith(x + "h")):
                options.append(y + syllable[len(x) :])
    for a, b in NEAR_FINALS:
        for x, y in ((a, b), (b, a)):
            if syllable.endswith(x):
                options.append(syllable[: -len(x)] + y)
    known = [o for o in options if o in homophones()]
    return rng.choice(known) if known else syllable


def heard(text: str, rng: random.Random) -> str:
    """`text` as a recogniser might write it: homophones, near syllables, dropped characters."""
    out = []
    for char in text:
        if not "\u4e00" <= char <= "\u9fff" or rng.random() >= SUBSTITUTE_RATE + DROP_RATE:
            out.append(char)
            continue
        if rng.random() < DROP_RATE / (SUBSTITUTE_RATE + DROP_RATE):
            continue
        syllable = lazy_pinyin(char, style=Style.NORMAL)[0]
        if rng.random() < 0.3:
            syllable = near(syllable, rng)
        out.append(rng.choice(homophones().get(syllable, (char,))))
    return "".join(out)


def _pick(rng: random.Random, items: list[str]) -> str:
    return items[rng.randrange(len(items))] if items else ""


def compose(recipe: dict[str, Any], rng: random.Random) -> tuple[str, str, str]:
    """One clean sentence and its (utility, order type)."""
    utility = _pick(rng, sorted(recipe["utilities"]))
    vocab = recipe["utilities"][utility]
    types = sorted(t for t in recipe["closers"] if vocab.get(t))
    order_type = _pick(rng, types)
    phrase = _pick(rng, vocab[order_type]).format(o=_pick(rng, vocab["objects"]))
    place = ""
    if rng.random() < 0.4:
        number = _pick(rng, recipe["numbers"]) if rng.random() < 0.5 else ""
        place = _pick(rng, recipe["places"]) + number
    subject = _pick(rng, recipe["subjects"]) if rng.random() < 0.5 else ""
    closer = _pick(rng, recipe["closers"][order_type]) if rng.random() < 0.7 else ""
    parts = [_pick(rng, recipe["openers"]) + place + subject + phrase, closer]
    if rng.random() < FILLER_RATE:  # a caller rambles before or after the request
        parts.insert(rng.randrange(len(parts) + 1), _pick(rng, recipe["fillers"]))
    return "，".join(p for p in parts if p), utility, order_type


def corpus(
    recipe: dict[str, Any], seed: int = SEED, size: int = SENTENCES
) -> list[tuple[str, str, str]]:
    """Clean sentences and their heard forms, in a fixed order."""
    rng = random.Random(seed)
    rows = []
    for _ in range(size):
        text, utility, order_type = compose(recipe, rng)
        rows.append((text, utility, order_type))
        rows += [(heard(text, rng), utility, order_type) for _ in range(HEARD_FORMS)]
    return rows


def fit(rows: list[tuple[str, str, str]]) -> dict[str, Any]:
    """Fit both heads on one TF-IDF feature space; the exported model as a dict."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = [r[0] for r in rows]
    blocks = [
        TfidfVectorizer(analyzer=char_grams, sublinear_tf=True, min_df=2),
        TfidfVectorizer(analyzer=pinyin_grams, sublinear_tf=True, min_df=2),
    ]
    matrix = hstack([b.fit_transform(texts) for b in blocks]).tocsr()
    model: dict[str, Any] = {
        "version": VERSION,
        "seed": SEED,
        "char_vocab": [str(g) for g in blocks[0].get_feature_names_out()],
        "pinyin_vocab": [str(g) for g in blocks[1].get_feature_names_out()],
        "idf": [round(float(x), DECIMALS) for b in blocks for x in b.idf_],
        "heads": {},
    }
    for column, head in ((1, "utility"), (2, "order_type")):
        labels = [r[column] for r in rows]
        fitted = LogisticRegression(C=REGULARISATION_C, max_iter=3000, class_weight="balanced")
        fitted.fit(matrix, labels)
        model["heads"][head] = {
            "classes": [str(c) for c in fitted.classes_],
            "coef": [[round(float(x), DECIMALS) for x in row] for row in fitted.coef_],
            "intercept": [round(float(x), DECIMALS) for x in fitted.intercept_],
        }
    return model


def serialise(model: dict[str, Any]) -> tuple[bytes, str]:
    """Canonical JSON bytes (with their SHA-256 inside) and that hash."""
    body = json.dumps(model, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    stamped = {**model, "sha256": digest}
    text = json.dumps(stamped, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.encode("utf-8"), digest


def load_recipe() -> dict[str, Any]:
    recipe: dict[str, Any] = yaml.safe_load(RECIPE.read_text(encoding="utf-8"))
    return recipe


def heard_rows() -> list[tuple[str, str, str]]:
    """Whisper's transcripts of recipe sentences spoken on a telephone line, HEARD_WEIGHT
    times each (none before tools/heard_corpus.py has written them)."""
    if not HEARD_FILE.is_file():
        return []
    rows = json.loads(HEARD_FILE.read_text(encoding="utf-8"))
    return [(r["heard"], r["utility"], r["order_type"]) for r in rows
            if r["heard"].strip()] * HEARD_WEIGHT


def build(seed: int = SEED) -> tuple[bytes, str]:
    return serialise(fit(corpus(load_recipe(), seed) + heard_rows()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="rebuild and compare only")
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    args = parser.parse_args(argv)
    data, digest = build()
    if args.check:
        with gzip.open(args.out, "rb") as handle:
            same = handle.read() == data
        print(f"{VERSION} sha256 {digest}: {'same' if same else 'DIFFERENT'} as {args.out}")
        return 0 if same else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        out.write(data)
    print(f"{args.out}: {VERSION} sha256 {digest}, {args.out.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
