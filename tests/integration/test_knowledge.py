"""The knowledge base on the real store (issue 17): seeded answers with their clauses found
by a caller's own wording, a consultation answered on the spot from an entry, edits kept with
their history, and an agency's proposal decided by the business section."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from routing.knowledge_base.knowledge import load_seed
from tests.integration.orders_support import agency, api, login

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # fixtures used by name
Client = TestClient[web.Request, web.Application]


async def _search(api: Client, who: dict[str, str], q: str, **query: str) -> list[dict[str, Any]]:
    async with api.get("/api/knowledge", params={"q": q, **query}, headers=who) as r:
        assert r.status == 200, await r.text()
        return list((await r.json())["entries"])


async def test_every_seeded_answer_is_stored_with_its_clauses(api: Client) -> None:
    staff = await login(api, "staff")
    async with api.get("/api/knowledge", headers=staff) as r:
        listed = (await r.json())["entries"]
    seed = {e.slug: e for e in load_seed().entries}
    assert {e["slug"] for e in listed} >= set(seed)
    for entry in listed:
        if entry["slug"] in seed:
            assert entry["clauses"] == seed[entry["slug"]].clauses and entry["clauses"]


async def test_a_question_in_the_callers_words_finds_the_answer(api: Client) -> None:
    staff = await login(api, "staff")
    async with api.get("/api/knowledge/search", params={"q": "什么时候开始供暖"},
                       headers=staff) as r:
        first = (await r.json())["entries"][0]
    assert "11月15日" in first["answer"] and "H 3.2.1" in first["clauses"]
    found = await _search(api, staff, "屋里太冷了暖气不热", utility="heating")
    assert found[0]["slug"] == "heating-room-temperature-test"
    assert "H 3.5.2" in found[0]["clauses"] and found[0]["score"] > 0.2
    assert (await _search(api, staff, "我想问一下股票行情"))[:1] == []


async def test_bad_queries_get_clear_errors(api: Client) -> None:
    staff = await login(api, "staff")
    async with api.get("/api/knowledge", params={"q": "气" * 201}, headers=staff) as r:
        assert r.status == 400 and (await r.json())["error"] == "query-too-long"
    async with api.get("/api/knowledge", params={"utility": "wine"}, headers=staff) as r:
        assert r.status == 400 and (await r.json())["error"] == "invalid-utility"
    async with api.get("/api/knowledge/999999", headers=staff) as r:
        assert r.status == 404 and (await r.json())["error"] == "no-such-knowledge-entry"


async def test_answered_on_the_spot_closes_a_consultation_with_the_entry(
        api: Client, orders_db: str) -> None:
    staff = await login(api, "staff")
    entry = (await _search(api, staff, "暖气什么时候开始供"))[0]
    assert entry["slug"] == "heating-season"
    body = {"caller_number": "13800001717", "question": "今年什么时候来暖气？"}
    async with api.post(f"/api/knowledge/{entry['id']}/answered", json=body,
                        headers=staff) as r:
        assert r.status == 201, await r.text()
        answered = await r.json()
    order = answered["order"]
    assert order["order_type"] == "consultation" and order["status"] == "closed"
    assert order["utility"] == "heating"  # the entry's utility when the agent named none
    async with api.get(f"/api/orders/{order['number']}", headers=staff) as r:
        assert (await r.json())["status"] == "closed"
    # The statistics count it (kpi --json "consultations"), apart from one recorded for later.
    later = {"utility": "heating", "order_type": "consultation", "caller_number": "13800001718",
             "description": "问一下热计量收费的办法"}
    async with api.post("/api/orders", json=later, headers=staff) as r:
        assert r.status == 201, await r.text()
    counted = (await _kpi(orders_db))["consultations"]["by_utility"]["heating"]
    assert counted["answered_by_agent"] >= 1 and counted["recorded_for_reply"] >= 1
    assert 0 < counted["on_the_spot"]["percent"] < 100


async def _kpi(url: str) -> dict[str, Any]:
    month = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hotline12319.cli", "kpi", "--month", month, "--json",
        "--database-url", url, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return dict(json.loads(out))


async def test_edits_keep_history_and_proposals_wait_for_the_business_section(
        api: Client) -> None:
    business, water = await login(api, "business"), await login(api, "water")
    answer = "供水企业至少提供银行托收和营业厅人工收费两种方式。"
    new: dict[str, Any] = {"slug": "water-bill-channels", "utility": "water",
                           "title": "水费可以在哪里交？", "answer": answer, "tags": ["交水费"],
                           "clauses": ["W 4.3"]}
    async with api.post("/api/knowledge", json=new, headers=business) as r:
        assert r.status == 201, await r.text()
        entry_id = (await r.json())["id"]
    async with api.post("/api/knowledge", json=new, headers=business) as r:
        assert r.status == 422  # the slug is taken
    unsourced = {**new, "slug": "no-source", "clauses": []}
    async with api.post("/api/knowledge", json=unsourced, headers=business) as r:
        assert r.status == 422  # an answer that cites nothing is refused
    change = {k: v for k, v in new.items() if k != "slug"}
    better = {**change, "answer": answer + "也可网上交费、银行代扣。",
              "note": "网上渠道"}
    async with api.post(f"/api/knowledge/{entry_id}/proposals", json=better,
                        headers=water) as r:
        assert r.status == 201, await r.text()
        proposal = await r.json()
    async with api.get(f"/api/knowledge/{entry_id}", headers=business) as r:
        before = await r.json()
    assert before["version"] == 1 and "网上" not in before["answer"]
    decision = f"/api/knowledge/proposals/{proposal['id']}/decision"
    async with api.post(decision, json={"accept": True}, headers=business) as r:
        assert r.status == 200, await r.text()
    async with api.post(decision, json={"accept": False}, headers=business) as r:
        assert r.status == 409  # decided once
    async with api.get(f"/api/knowledge/{entry_id}", headers=water) as r:
        after = await r.json()
    assert after["version"] == 2 and "网上交费" in after["answer"]
    assert [(v["kind"], v["state"]) for v in after["revisions"]] == [
        ("create", "applied"), ("proposal", "applied")]
    async with api.put(f"/api/knowledge/{entry_id}", json=change, headers=water) as r:
        assert r.status == 403  # agencies propose; they do not edit


async def test_the_public_page_publishes_scope_limits_and_outages_without_phones(
        api: Client) -> None:
    from datetime import UTC, datetime, timedelta

    from routing.agencies.directory import load_directory
    from routing.orders.order_store import default_policy

    business = await login(api, "business")
    start = datetime.now(UTC) + timedelta(hours=50)
    outage = {"utility": "water", "kind": "planned", "districts": ["历下区"],
              "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=8)).isoformat(),
              "text": "经十路管道改造计划停水"}
    async with api.post("/api/announcements", json=outage, headers=business) as r:
        assert r.status == 201, await r.text()
    async with api.get("/api/public/commitments") as r:  # no login
        assert r.status == 200
        text = await r.text()
        published = await r.json()
    assert len(published["limits"]) == len(default_policy().rows)
    burst = [row for row in published["limits"] if row["utility"] == "water"
             and row["order_type"] == "emergency_repair" and row["case"] == "general"]
    assert burst[0]["dispatch"] == "立即" and burst[0]["clauses"]
    assert any(o["text"] == outage["text"] and not o["active"] for o in published["outages"])
    phones = {a.duty.phone for a in load_directory().agencies.values()}
    assert not [p for p in phones if p in text]
    async with api.get("/public/") as r:
        assert r.status == 200 and "服务范围" in await r.text()
