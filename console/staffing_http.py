"""Staffing over HTTP (supervisors): the observed half hours of a day against the agents
logged in, and the next-day plan for the foreseeable peaks (L 3.1.2(5)).

GET /api/staffing/intervals?date=YYYY-MM-DD  (default: today, Asia/Shanghai)
GET /api/staffing/plan?date=YYYY-MM-DD       (default: tomorrow)
The numbers are `routing.agents.staffing_plan` / `routing.agents.staffing_forecast`'s; the reads are
`routing.agents.staffing_repository`'s. The OpenAPI pieces live here and console/openapi.py adds
them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta
from typing import Any

from aiohttp import web

from console.announcements_http import SUPERVISORS
from console.api import current_user, now
from console.http import SESSIONS, api_error
from routing.agents.staffing_peaks import StaffingPolicy, load_policy
from routing.agents.staffing_plan import parse_day
from routing.agents.staffing_repository import StaffingRepository, observed_report, plan_report
from routing.orders.calendar import WorkingDayCalendar, local_date

POLICY = web.AppKey("staffing_policy", StaffingPolicy)
CALENDAR = web.AppKey("staffing_calendar", WorkingDayCalendar)

routes = web.RouteTableDef()


async def staffing_policy(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: the staffing policy, validated when the app starts."""
    app[POLICY] = load_policy()
    app[CALENDAR] = WorkingDayCalendar()
    yield


def _day(request: web.Request, days_from_today: int) -> date:
    unknown = set(request.query) - {"date"}
    if unknown:
        raise api_error(web.HTTPBadRequest, "unknown-parameter", f"unknown: {sorted(unknown)}")
    given = request.query.getall("date", [])
    if not given:
        return local_date(now()) + timedelta(days=days_from_today)
    if len(given) > 1:
        raise api_error(web.HTTPBadRequest, "bad-date", "one date only")
    try:
        return parse_day(given[0])
    except ValueError as exc:
        raise api_error(web.HTTPBadRequest, "bad-date", str(exc)) from None


@routes.get("/api/staffing/intervals")
async def observed_intervals(request: web.Request) -> web.Response:
    """Per half hour of the day: calls offered and answered, handle time, agents needed
    (Erlang C, 80 % within 15 s), agents logged in and the shortfall."""
    await current_user(request, SUPERVISORS)
    day = _day(request, 0)
    report = await observed_report(StaffingRepository(request.app[SESSIONS]), day, now(),
                                   request.app[POLICY])
    return web.json_response(report.as_json())


@routes.get("/api/staffing/plan")
async def day_plan(request: web.Request) -> web.Response:
    """The plan of a day: expected calls per half hour from the same kind of days, with the
    heating season's first days and planned outages, and the agents they need."""
    await current_user(request, SUPERVISORS)
    day = _day(request, 1)
    report = await plan_report(StaffingRepository(request.app[SESSIONS]), day, now(),
                               request.app[POLICY], request.app[CALENDAR])
    return web.json_response(report.as_json())


# -- the OpenAPI document's part (console/openapi.py) --------------------------------------


def _object(*required: str, **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": list(required), "properties": properties}


_INT, _NUM, _TEXT = {"type": "integer"}, {"type": "number"}, {"type": "string"}
_BOOL = {"type": "boolean"}
_SLOT = {"start": _TEXT, "end": _TEXT, "aht_seconds": _NUM, "aht_fallback": _BOOL,
         "needed": _INT, "needed_rostered": _INT}
_RULES = _object("interval_minutes", "service_level", "answer_seconds", "shrinkage",
                 interval_minutes=_INT, service_level=_NUM, answer_seconds=_NUM,
                 shrinkage=_NUM, default_aht_seconds=_NUM,
                 clauses={"type": "array", "items": _TEXT})
_OBSERVED = _object(*_SLOT, "offered", "answered", "logged_in", "paused", "shortfall",
                    **_SLOT, offered=_INT, answered=_INT, logged_in=_NUM, paused=_NUM,
                    shortfall=_NUM)
_PLANNED = _object(*_SLOT, "baseline_calls", "factor", "forecast_calls", **_SLOT,
                   baseline_calls=_NUM, factor=_NUM, forecast_calls=_NUM)
OPENAPI_PARAMS = {"staffing_date": {"name": "date", "in": "query", "required": False,
                                    "schema": {"type": "string", "format": "date"}}}
OPENAPI_ANSWERS = {
    "StaffingIntervals": _object(
        "date", "rules", "totals", "intervals", date=_TEXT, rules=_RULES,
        totals=_object("offered", "answered", "max_needed", "max_shortfall", offered=_INT,
                       answered=_INT, max_needed=_INT, max_shortfall=_NUM),
        intervals={"type": "array", "minItems": 48, "maxItems": 48, "items": _OBSERVED}),
    "StaffingPlan": _object(
        "date", "day_kind", "history_days", "rules", "peaks", "totals", "peak_interval",
        "intervals", date=_TEXT, day_kind={"enum": ["working_day", "rest_day"]},
        history_days={"type": "array", "items": _TEXT}, rules=_RULES,
        peaks={"type": "array", "items": _object(
            "kind", "factor", "starts_at", "ends_at", "clauses",
            kind={"enum": ["heating_season", "planned_outage"]}, factor=_NUM,
            starts_at=_TEXT, ends_at=_TEXT, clauses={"type": "array", "items": _TEXT})},
        totals=_object("forecast_calls", "max_needed", "max_needed_rostered",
                       forecast_calls=_NUM, max_needed=_INT, max_needed_rostered=_INT),
        peak_interval={"anyOf": [_PLANNED, {"type": "null"}]},
        intervals={"type": "array", "minItems": 48, "maxItems": 48, "items": _PLANNED}),
}


def openapi_paths(op: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """The two operations, made with console/openapi.py's `_op`."""
    return {
        "/api/staffing/intervals": {"get": op(
            "per half hour of a day (Asia/Shanghai): calls offered and answered, handle time, "
            "agents needed by Erlang C (80 % within 15 s) against agents logged in "
            "(supervisors)", "StaffingIntervals", params=("staffing_date",))},
        "/api/staffing/plan": {"get": op(
            "the staffing plan of a day (default tomorrow): calls expected from the same kind "
            "of days and the foreseeable peaks of L 3.1.2(5)② (supervisors)", "StaffingPlan",
            params=("staffing_date",))},
    }
