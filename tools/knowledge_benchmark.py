"""Knowledge-base search on held-out questions (issue 17): top-1 and top-3 hit rates.

`tests/fixtures/knowledge/heldout.yaml` was written before the ranker was tuned and is read
only here, never by the tuning questions' test (tests/unit/test_knowledge_questions.py), so
its figure says how search holds on wording nobody shaped it on.

    .venv/bin/python -m tools.knowledge_benchmark [--json] [--show-misses]
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

import yaml

from routing.knowledge_base.knowledge import Index, Searchable, load_seed, search

HELDOUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "knowledge" / "heldout.yaml"
TODAY = date(2026, 12, 5)  # inside every seeded entry's validity


def evaluate(path: Path = HELDOUT) -> dict[str, object]:
    seed = load_seed()
    slugs = [e.slug for e in seed.entries]
    index = Index.of(Searchable(id=i, utility=e.utility, title=e.title, answer=e.answer,
                                tags=tuple(e.tags)) for i, e in enumerate(seed.entries))
    questions = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    top1 = top3 = 0
    misses = []
    for item in questions:
        found = [slugs[e.id] for e, _ in search(item["q"], index, utility=None, today=TODAY,
                                                 limit=3)]
        top1 += bool(found) and found[0] == item["slug"]
        top3 += item["slug"] in found
        if not found or found[0] != item["slug"]:
            misses.append({"q": item["q"], "want": item["slug"], "got": found})
    n = len(questions)
    return {"questions": n, "top1": round(top1 / n, 3), "top3": round(top3 / n, 3),
            "misses": misses}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    result = evaluate()
    if not args.show_misses:
        result = {k: v for k, v in result.items() if k != "misses"}
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    print(f"held-out questions: {result['questions']}  top-1: {result['top1']:.1%}  "
          f"top-3: {result['top3']:.1%}")
    for miss in result.get("misses", []):  # type: ignore[attr-defined]
        print(f"  miss: {miss}")


if __name__ == "__main__":
    main()
