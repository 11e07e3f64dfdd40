"""Every free-text and list field of a request body has a limit (issue 19).

Read from the OpenAPI document the app serves (its schemas are the request models): each
string is bounded by a maximum length (or is an enumeration or a date-time), each list by a
maximum number of items, down through nested objects and list items.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import ValidationError

from console import openapi
from console.schemas import AgencyResult
from hotline12319.serve import init_app
from hotline12319.settings import load_settings
from routing.knowledge_base.knowledge import EntryText

# Open311's request is documented by hand (openapi._TEXT) and parsed by its own handler.
NOT_MODELLED = ("/open311/",)
# Bounded by a validator the schema does not show (routing/knowledge_base/knowledge.py
# EntryText._short_items:
# 40 characters an item); the last test below holds it to that.
BY_VALIDATOR = (".tags[]: ", ".clauses[]: ")


def _bounded_pattern(pattern: str | None) -> bool:
    """An anchored pattern with only bounded repeats ({m,n}, ?) bounds the length too."""
    if not pattern or not (pattern.startswith("^") and pattern.endswith("$")):
        return False
    unescaped = re.sub(r"\\.", "", pattern)
    return not re.search(r"[*+]|\{\d*,\}", unescaped)


def _unbounded(schema: dict[str, Any], where: str, schemas: dict[str, Any]) -> list[str]:
    while "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
    found = [bad for key in ("anyOf", "oneOf", "allOf") for sub in schema.get(key, [])
             for bad in _unbounded(sub, where, schemas)]
    kind = schema.get("type")
    if kind == "string" and not {"enum", "const"} & schema.keys() \
            and schema.get("format") not in ("date-time", "date") and "maxLength" not in schema \
            and not _bounded_pattern(schema.get("pattern")):
        found.append(f"{where}: string without maxLength")
    if kind == "array":
        found += [] if "maxItems" in schema else [f"{where}: list without maxItems"]
        found += _unbounded(schema.get("items", {}), f"{where}[]", schemas)
    for name, sub in schema.get("properties", {}).items():
        found += _unbounded(sub, f"{where}.{name}", schemas)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        found += _unbounded(extra, f"{where}.*", schemas)
    return found


def test_every_request_body_field_is_bounded() -> None:
    init_app(load_settings())  # registers the late routes' models in the document
    document = openapi.document()
    schemas = document["components"]["schemas"]
    unbounded, bodies = [], 0
    for path, operations in document["paths"].items():
        if path.startswith(NOT_MODELLED):
            continue
        for method, operation in operations.items():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                bodies += 1
                unbounded += _unbounded(content["schema"], f"{method.upper()} {path}", schemas)
    assert bodies >= 20
    unbounded = [u for u in unbounded
                 if not (u.split(" ", 2)[1].startswith("/api/knowledge")
                         and any(v in u for v in BY_VALIDATOR))]
    assert not unbounded, unbounded


def test_a_pattern_bounds_a_string_only_when_anchored_with_bounded_repeats() -> None:
    assert _bounded_pattern(r"^\+?[0-9]{3,20}$") and _bounded_pattern(r"^[a-z0-9-]{3,64}$")
    assert not _bounded_pattern(r"^[0-9]+$") and not _bounded_pattern(r"^a{3,}$")
    assert not _bounded_pattern(r"[0-9]{3}") and not _bounded_pattern(None)


def test_given_an_evidence_item_of_200000_characters_then_it_is_refused() -> None:
    with pytest.raises(ValidationError, match="at most 256 characters"):
        AgencyResult(handled=True, reason="已处理", evidence=["x" * 200_000])
    assert AgencyResult(handled=True, reason="已处理", evidence=["photo-1.jpg"]).evidence


@pytest.mark.parametrize("field", ["tags", "clauses"])
def test_knowledge_tags_and_clauses_are_bounded_by_their_validator(field: str) -> None:
    entry = {"utility": "water", "title": "停水", "answer": "请留意公告", "tags": ["停水"],
             "clauses": ["W 4.1"], field: ["长" * 41]}
    with pytest.raises(ValidationError, match="at most 40 characters"):
        EntryText.model_validate(entry)
