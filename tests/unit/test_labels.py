"""One label table for the Chinese UI (console/static/js/labels.js): every order state,
type, utility and agent state has its Chinese name, and every error id the server can answer
has its Chinese words (issue 18: English codes reached users of a Chinese UI)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from routing.agents.acd import AgentState
from routing.enums import OrderType, Utility
from routing.orders.transitions import State

ROOT = Path(__file__).resolve().parents[2]
LABELS = (ROOT / "console" / "static" / "js" / "labels.js").read_text("utf-8")
HAN = re.compile(r"[\u4e00-\u9fff]")
# Where the server names an error id: api_error(web.X, "id", ...), error_id = "id",
# {"error": "id"}.
ERROR_IDS = (
    re.compile(r'api_error\(\s*web\.\w+,\s*"([a-z0-9-]+)"', re.S),
    re.compile(r'error_id(?:\s*,\s*status)?\s*(?::\s*ClassVar\[str\])?\s*=\s*"([a-z0-9-]+)"'),
    re.compile(r'"error":\s*"([a-z0-9-]+)"'),
)


def table(name: str) -> dict[str, str]:
    found = re.search(rf"export const {name} = \{{(.*?)\n\}};", LABELS, re.S)
    assert found, f"labels.js has no table {name}"
    return dict(re.findall(r'^\s*"?([a-z0-9_-]+)"?:\s*"([^"]*)"', found.group(1), re.M))


def server_error_ids() -> set[str]:
    ids: set[str] = set()
    for package in ("console", "routing", "ari_app", "hotline12319"):
        for source in (ROOT / package).rglob("*.py"):
            text = source.read_text("utf-8")
            ids.update(m.group(1) for p in ERROR_IDS for m in p.finditer(text))
    return ids


@pytest.mark.parametrize(("name", "codes"), [
    ("ORDER_STATES", {s.value for s in State}),
    ("ORDER_TYPES", {t.value for t in OrderType}),
    ("UTILITIES", {u.value for u in Utility}),
    ("AGENT_STATES", {a.value for a in AgentState}),
])
def test_every_code_of_the_domain_has_a_chinese_name(name: str, codes: set[str]) -> None:
    names = table(name)
    assert codes <= set(names), f"{name} lacks {sorted(codes - set(names))}"
    assert all(HAN.search(names[c]) for c in codes)


def test_every_error_id_the_server_answers_has_chinese_words() -> None:
    ids, words = server_error_ids(), table("ERRORS")
    assert len(ids) > 40  # the scan finds them
    assert not ids - set(words), f"ERRORS lacks {sorted(ids - set(words))}"
    assert all(HAN.search(text) for text in words.values())


def test_the_ui_shows_errors_through_the_table() -> None:
    api_js = (ROOT / "console" / "static" / "js" / "api.js").read_text("utf-8")
    assert 'import { ERRORS } from "./labels.js"' in api_js and "ERRORS[id]" in api_js
