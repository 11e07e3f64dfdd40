"""GET /api/staffing/intervals and /api/staffing/plan on real PostgreSQL (in-process app,
tests/integration/orders_support.py).

The rows are what the running system leaves: a call session per call, the `queue_entered` /
`agent_answered` audit rows the queue adapter writes, the agents' `state_changed` audit rows,
announcements. The expected numbers are worked out by hand in the comments; the agents needed
are Erlang C's at 80 % within 15 s, e.g. 4 calls in 30 min of 200 s: A = 8/h x 200 s = 0.444
erlang; one agent answers P(wait) = 0.444 and SL = 1 - 0.444 e^(-(1 - 0.444) 15/200) = 0.57
< 0.8, two agents SL > 0.8: 2 on the phones, ceil(2 / 0.7) = 3 rostered.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from console.http import SESSIONS
from routing.enums import CallOutcome, Utility
from routing.floor.announcements import OutageKind
from routing.orders.calendar import SHANGHAI, local_date
from routing.store.models import AuditEvent, CallSession
from routing.store.peaks_tables import Announcement
from tests.integration.orders_support import agency, api, login

pytestmark = pytest.mark.integration
__all__ = ["agency", "api"]  # fixtures used by name

Client = TestClient[web.Request, web.Application]
DAY = date(2026, 11, 16)  # Monday; heating season day 1 (H 3.2.1: from 15 Nov) -> x2.0
T = timedelta


def at(day: date, hh: int, mm: int, ss: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=SHANGHAI).astimezone(UTC)


def state(agent: str, when: datetime, to: str) -> AuditEvent:
    return AuditEvent(at=when, actor="acd", entity="agent", entity_id=agent,
                      action="state_changed", detail={"to": to})


def call(call_id: str, entered: datetime, agent: str | None = None, handle: int = 0
         ) -> list[Any]:
    """A call that entered the line; an agent answers 10 s later, talks `handle` - 20 s and
    wraps up 20 s (on_call 1 s before the answer moment, as ari_app/queue.py writes it)."""
    rows: list[Any] = [AuditEvent(at=entered, actor="acd", entity="call", entity_id=call_id,
                                  action="queue_entered", detail={"utility": "water"})]
    if agent is None:
        rows.append(CallSession(channel_id=call_id, started_at=entered - T(seconds=30),
                                ended_at=entered + T(seconds=40), path=[], metrics={},
                                outcome=CallOutcome.ABANDONED))
        return rows
    answered = entered + T(seconds=10)
    return [*rows,
            CallSession(channel_id=call_id, started_at=entered - T(seconds=30),
                        ended_at=answered + T(seconds=handle - 20), path=[], metrics={},
                        outcome=CallOutcome.ANSWERED),
            state(agent, answered - T(seconds=1), "on_call"),
            AuditEvent(at=answered, actor="acd", entity="call", entity_id=call_id,
                       action="agent_answered", detail={"agent_id": agent}),
            state(agent, answered + T(seconds=handle), "available")]


def outage(incident: str, utility: Utility, kind: OutageKind, start: datetime) -> Announcement:
    return Announcement(incident_id=incident, utility=utility, kind=kind, districts=[],
                        starts_at=start, ends_at=start + T(hours=8), text="计划停水",
                        created_by="duty", created_at=start - T(days=3))


def history() -> list[Any]:
    """The same-kind days before DAY: Fri 13, Thu 12, Wed 11, Tue 10 Nov (Sat 14 and Sun 15
    are rest days); the first call ever is on the 10th."""
    fri, thu, sat, tue = date(2026, 11, 13), date(2026, 11, 12), date(2026, 11, 14), DAY - T(6)
    return [
        *call("h-fri-1", at(fri, 9, 5), "a1", 200), *call("h-fri-2", at(fri, 9, 10), "a1", 200),
        *call("h-fri-3", at(fri, 9, 15), "a1", 200), *call("h-thu-1", at(thu, 9, 10), "a1", 400),
        *call("h-fri-4", at(fri, 10, 5)), *call("h-fri-5", at(fri, 10, 6)),
        *call("h-tue-1", at(tue, 17, 0)), *call("h-sat-1", at(sat, 9, 5), "a1", 900),
    ]


def the_day() -> list[Any]:
    return [
        state("a1", at(DAY, 0, 0) - T(hours=4), "available"),  # in since 20:00 the day before
        state("a2", at(DAY, 8, 15), "available"),
        *call("d-1", at(DAY, 8, 10), "a1", 300), *call("d-2", at(DAY, 8, 20), "a2", 100),
        *call("d-3", at(DAY, 8, 25)), *call("d-4", at(DAY, 8, 29, 59)),
        *call("d-5", at(DAY, 8, 30), "a1", 200),
        state("a2", at(DAY, 8, 40), "paused"), state("a2", at(DAY, 8, 50), "available"),
        state("a2", at(DAY, 9, 0), "logged_out"), state("a1", at(DAY, 12, 0), "logged_out"),
        *call("d-6", at(DAY, 23, 59, 30)),
        *call("n-1", at(DAY + T(1), 0, 0, 10)),  # 16:00:10 UTC on the 16th: the 17th's
        outage("INC-W", Utility.WATER, OutageKind.PLANNED, at(DAY, 10, 0)),
        outage("INC-G", Utility.GAS, OutageKind.UNPLANNED, at(DAY, 9, 0)),
        outage("INC-G2", Utility.GAS, OutageKind.PLANNED, at(DAY + T(1), 9, 0)),
    ]


async def cli(url: str, *args: str, as_json: bool = True) -> Any:
    """`hotline12319 staffing ... --json` on the same database, as a process of its own."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hotline12319.cli", "staffing", *args, "--database-url", url,
        *(["--json"] if as_json else []), stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return json.loads(out) if as_json else out.decode()


async def get(api: Client, path: str, who: dict[str, str]) -> tuple[int, Any]:
    async with api.get(path, headers=who) as r:
        return r.status, await r.json()


async def test_given_a_days_calls_and_agents_then_both_endpoints_give_the_hand_counted_numbers(
    api: Client, orders_db: str
) -> None:
    async with api.app[SESSIONS].begin() as session:
        session.add_all(history() + the_day())
    duty = await login(api, "duty")

    status, observed = await get(api, f"/api/staffing/intervals?date={DAY}", duty)
    assert status == 200, observed
    rows = observed["intervals"]
    assert len(rows) == 48 and rows[16]["start"] == "2026-11-16T08:00:00+08:00"
    pick = ("offered", "answered", "aht_seconds", "aht_fallback", "needed", "needed_rostered",
            "logged_in", "paused", "shortfall")
    # 08:00-08:30: d-1 (300 s), d-2 (100 s), d-3 abandoned, d-4 at 08:29:59 unanswered;
    # a1 all of it, a2 from 08:15 -> 1.5 logged in; 4 calls of 200 s need 2.
    assert [rows[16][k] for k in pick] == [4, 2, 200.0, False, 2, 3, 1.5, 0.0, 0.5]
    # 08:30-09:00: d-5 (200 s); a1 and a2 all of it, a2 paused 10 min: 2 - 0.33 take calls.
    assert [rows[17][k] for k in pick] == [1, 1, 200.0, False, 1, 2, 2.0, 0.33, 0.0]
    # 09:00-09:30: no calls, a1 in; 12:00 on: nobody.
    assert [rows[18][k] for k in pick] == [0, 0, 240.0, True, 0, 0, 1.0, 0.0, 0.0]
    assert rows[24]["logged_in"] == 0.0
    # 23:30-24:00: d-6 unanswered: the default 240 s, 1 agent needed, nobody in.
    assert [rows[47][k] for k in pick] == [1, 0, 240.0, True, 1, 2, 0.0, 0.0, 1.0]
    assert observed["totals"] == {"offered": 6, "answered": 3, "max_needed": 2,
                                  "max_shortfall": 1.0}

    status, plan = await get(api, f"/api/staffing/plan?date={DAY}", duty)
    assert status == 200, plan
    assert plan["day_kind"] == "working_day"
    assert plan["history_days"] == ["2026-11-13", "2026-11-12", "2026-11-11", "2026-11-10"]
    assert [(p["kind"], p["factor"], p.get("incident_id")) for p in plan["peaks"]] == [
        ("heating_season", 2.0, None), ("planned_outage", 1.5, "INC-W")]
    cols = ("baseline_calls", "factor", "forecast_calls", "aht_seconds", "aht_fallback",
            "needed", "needed_rostered")
    rows = plan["intervals"]
    # 09:00: (3 + 1 + 0 + 0) / 4 = 1.0 x 2.0; handle (3 x 200 + 400) / 4 = 250 s.
    assert [rows[18][k] for k in cols] == [1.0, 2.0, 2.0, 250.0, False, 2, 3]
    # 10:00: 2 / 4 = 0.5 x (1 + 1.0 + 0.5) for the water outage from 10:00 for 6 h.
    assert [rows[20][k] for k in cols] == [0.5, 2.5, 1.25, 240.0, True, 1, 2]
    assert rows[31]["factor"] == 2.5 and rows[32]["factor"] == 2.0
    # 17:00: the 10th's call: 0.25 x 2.0. The Saturday's call is not a working day's.
    assert [rows[34][k] for k in cols] == [0.25, 2.0, 0.5, 240.0, True, 1, 2]
    assert sum(r["forecast_calls"] for r in rows) == 3.75 == plan["totals"]["forecast_calls"]
    assert plan["peak_interval"]["start"] == "2026-11-16T09:00:00+08:00"

    # The command prints the same documents.
    assert await cli(orders_db, "--observed", "--date", str(DAY)) == observed
    assert await cli(orders_db, "--plan", "--date", str(DAY)) == plan
    # Read by a person, it says which calls it counts (issue 19: "0 half hours" on a busy box).
    text = await cli(orders_db, "--observed", "--date", str(DAY), as_json=False)
    said = re.search(r"当天共有 (\d+) 通来电进入热线，其中 6 通进入人工坐席队列", text)
    assert said and int(said[1]) >= 6 and "不计入" in text, text
    assert "的来电在 15 秒内接听计算" in text and "calls" not in text, text
    plan_text = await cli(orders_db, "--plan", "--date", str(DAY), as_json=False)
    assert "预计来电为前 4 个工作日同一时段来电的平均数" in plan_text, plan_text


async def test_staffing_is_for_supervisors_and_refuses_unknown_or_bad_parameters(
    api: Client,
) -> None:
    duty = await login(api, "duty")
    assert (await get(api, "/api/staffing/plan", await login(api, "staff")))[0] == 403
    assert (await get(api, "/api/staffing/intervals", {}))[0] == 401
    for query, error in (("?date=2026-11-16&agent=a1", "unknown-parameter"),
                         ("?date=2026-02-30", "bad-date"), ("?date=16.11.2026", "bad-date"),
                         ("?date=9999-12-31", "bad-date"),
                         ("?date=2026-11-16&date=2026-11-17", "bad-date")):
        status, body = await get(api, f"/api/staffing/plan{query}", duty)
        assert (status, body["error"]) == (400, error), query
    status, plan = await get(api, "/api/staffing/plan", duty)
    assert status == 200
    assert plan["date"] == (local_date(datetime.now(UTC)) + T(days=1)).isoformat()
    status, today = await get(api, "/api/staffing/intervals", duty)
    assert (status, today["date"]) == (200, local_date(datetime.now(UTC)).isoformat())
