"""GET /api/openapi.json: the OpenAPI 3.1 document of the web API (every JSON endpoint; the
/api/live websocket and the HTML pages are not in it). Request bodies come from the pydantic
models that validate them, so the document cannot drift from the validation; the fuzz test
(tests/integration/test_api_fuzz.py) sends what this document describes."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel

from console.agents_http import AgentDefinition, StateChange
from console.auth_http import PasswordChange
from console.schemas import (
    AgencyExtension,
    AgencyPending,
    AgencyResult,
    Empty,
    EventBody,
    Login,
    OrderCreate,
)
from console.staff_http import UserCreate
from console.survey_http import CallbackPreference
from routing.enums import Utility
from routing.transitions import State

routes = web.RouteTableDef()
_REF = "#/components/schemas/"
_API_ERRORS = ("400", "401", "403", "404", "409", "422")


def _json(schema: dict[str, Any], description: str = "JSON") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": _REF + name}


def _op(
    summary: str,
    answer: str,
    body: type[BaseModel] | None = None,
    ok: int = 200,
    params: tuple[str, ...] = (),
) -> dict[str, Any]:
    """One operation of the order API: its body, parameters, answer and error shapes."""
    op: dict[str, Any] = {
        "summary": summary,
        "parameters": [PARAMS[p] for p in params],
        "responses": {str(ok): _json(_ref(answer))}
        | {code: _json(_ref("Error"), "error") for code in _API_ERRORS},
    }
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": _ref(body.__name__)}}}
    return op


def _open311(summary: str, answer: str, ok: int = 200, params: tuple[str, ...] = ()
             ) -> dict[str, Any]:
    """An Open311 GeoReport v2 operation: open, errors as `[{"code", "description"}]`."""
    return {
        "summary": summary,
        "security": [],
        "parameters": [PARAMS[p] for p in params],
        "responses": {str(ok): _json(_ref(answer))}
        | {code: _json(_ref("Open311Error"), "error") for code in ("400", "404")},
    }


def _with_error(op: dict[str, Any], code: str, schema: str) -> dict[str, Any]:
    """`op` that may also answer `code` (a 429, a 503) with `schema`."""
    return op | {"responses": op["responses"] | {code: _json(_ref(schema), "error")}}


def _query(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema}


def _path(name: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema or {"type": "string"}}


_TEXT = {"type": "string"}
_ROW_ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}  # PostgreSQL integer
PARAMS: dict[str, dict[str, Any]] = {
    "number": _path("number"),
    "agent_id": _path("agent_id"),
    "user_id": _path("user_id"),
    "status": _query("status", {"type": "string", "enum": [s.value for s in State]}),
    "utility": _query("utility", {"type": "string", "enum": [u.value for u in Utility]}),
    "limit": _query("limit", {"type": "integer", "minimum": 1, "maximum": 500}),
    "agency": _query("agency", _TEXT),
    "caller_number": _query("caller_number", _TEXT),
    # 1: the agents' review list (not dispatched yet), each with its dispatch policy rule
    "review": _query("review", {"type": "string", "enum": ["0", "1"]}),
    "caller_name": _query("caller_name", _TEXT),
    "service_request_id": _query("service_request_id", _TEXT),
    "service_code": _path("service_code"),
    "start_date": _query("start_date", {"type": "string", "format": "date-time"}),
}
_ORDERS = ("status", "utility", "agency", "caller_number", "review", "limit")
_AGENCY = "/api/agency/orders/{number}"
_OPEN311 = "/open311/v2"

PATHS: dict[str, dict[str, Any]] = {
    "/health": {"get": _op("liveness and the ARI connection", "Health") | {"security": []}},
    "/ready": {"get": _with_error(_op("readiness: the database answers, ARI is connected",
                                      "Ready") | {"security": []}, "503", "Ready")},
    "/api/login": {"post": _with_error(_op("log in; sets the HttpOnly session cookie", "Me",
                                           Login) | {"security": []}, "429", "Error")},
    "/api/logout": {"post": _op("log out", "LoggedOut") | {"security": []}},
    "/api/me/password": {"post": _op("change one's own password (ends every session)",
                                     "PasswordChanged", PasswordChange)},
    "/api/users": {"post": _op(
        "provision a user, an agent with its profile and skills (business section, leader)",
        "UserCreated", UserCreate, 201)},
    "/api/users/{user_id}/unlock": {"post": _op(
        "unlock a user locked by wrong passwords (supervisors)", "Unlocked",
        params=("user_id",))},
    "/api/me": {"get": _op("the logged-in user", "Me")},
    "/api/calls": {"get": _op("search calls", "Calls",
                              params=("caller_name", "caller_number", "limit"))},
    "/api/orders": {
        "post": _op("create an order (center_staff, business_section)", "Order", OrderCreate,
                    201),
        "get": _op("search orders", "Orders", params=_ORDERS),
    },
    "/api/orders/{number}": {"get": _op("one order", "Order", params=("number",))},
    "/api/orders/{number}/events": {"post": _op(
        "apply a lifecycle event as the user's role (center roles)", "Order", EventBody,
        params=("number",))},
    "/api/orders/{number}/repeat-call": {"post": _op(
        "the citizen called again about this order (L 3.2.1(1))", "RepeatCall",
        params=("number",))},
    "/api/supervision/orders": {"get": _op("the supervision section's queue", "Orders")},
    "/api/orders/{number}/surveys": {"get": _op(
        "the order's callback surveys (回访): tries, result, satisfaction", "Surveys",
        params=("number",))},
    "/api/orders/{number}/callback-preference": {"post": _op(
        "the citizen refuses (or accepts again) being called back", "CallbackPreferenceSet",
        CallbackPreference, params=("number",))},
    "/api/callbacks/manual": {"get": _op(
        "citizens the survey's calls did not reach: the agents' manual callback list",
        "ManualCallbacks")},
    "/api/agency/orders": {"get": _op("the agency's own orders, numbers masked",
                                      "AgencyOrders", params=("status", "limit"))},
    f"{_AGENCY}/receipt": {"post": _op("confirm receipt (签收)", "AgencyOrder", Empty,
                                       params=("number",))},
    f"{_AGENCY}/arrival": {"post": _op("the crew is on site (held to onsite_due)",
                                       "AgencyOrder", Empty, params=("number",))},
    f"{_AGENCY}/result": {"post": _op("report handled / not handled", "AgencyOrder",
                                      AgencyResult, params=("number",))},
    f"{_AGENCY}/extension": {"post": _op("request an extension", "AgencyOrder",
                                         AgencyExtension, params=("number",))},
    f"{_AGENCY}/pending": {"post": _op("request pending (待办)", "AgencyOrder", AgencyPending,
                                       params=("number",))},
    "/api/agents": {"get": _op("the agents and their states", "Agents")},
    "/api/agents/{agent_id}": {"put": _op("define an agent", "Agent", AgentDefinition,
                                          params=("agent_id",))},
    "/api/agents/{agent_id}/state": {"post": _op("change an agent's state", "Agent",
                                                 StateChange, params=("agent_id",))},
    "/api/queue": {"get": _op("who waits, who is free", "Queue")},
    f"{_OPEN311}/services.json": {"get": _open311("the services (utility × type)",
                                                  "Open311Services")},
    f"{_OPEN311}/services/{{service_code}}.json": {"get": _open311(
        "a service's definition: its attributes (the SLA case)", "Open311Definition",
        params=("service_code",))},
    "/open311/discovery.json": {"get": _open311("the discovery document", "Open311Discovery")},
    f"{_OPEN311}/requests.json": {
        "get": _open311("requests by id or since a date", "Open311Requests",
                        params=("service_request_id", "start_date")),
        "post": _with_error(_with_error(
            _open311("submit a request (a web order)", "Open311Created", 201),
            "403", "Open311Error"), "429", "Open311Error")
        | {"requestBody": {"required": True, "content": {
            media: {"schema": _ref("Open311Request")}
            for media in ("application/json", "application/x-www-form-urlencoded")}}},
    },
    f"{_OPEN311}/requests/{{number}}.json": {"get": _open311(
        "one request", "Open311Requests", params=("number",))},
}
MODELS: tuple[type[BaseModel], ...] = (
    OrderCreate,
    EventBody,
    Login,
    AgencyResult,
    AgencyExtension,
    AgencyPending,
    Empty,
    AgentDefinition,
    StateChange,
    PasswordChange,
    UserCreate,
    CallbackPreference,
)


def _object(*required: str, **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": list(required), "properties": properties}


def _list_of(key: str, item: str) -> dict[str, Any]:
    return _object(key, **{key: {"type": "array", "items": _ref(item)}})


_NULLABLE_TEXT = {"type": ["string", "null"]}
ANSWERS: dict[str, dict[str, Any]] = {
    "Error": _object("error", "message", error=_TEXT, message=_TEXT),
    "Health": _object("status", status=_TEXT),
    "Ready": _object("ready", "database", "ari", ready={"type": "boolean"},
                     database={"type": "boolean"}, ari={"type": "boolean"}),
    "Unlocked": _object("id", "locked", id=_TEXT, locked={"const": False}),
    "PasswordChanged": _object("changed", changed={"const": True}),
    "Me": _object("id", "name", "role", "agency_id", id=_TEXT, name=_TEXT, role=_TEXT,
                  agency_id=_NULLABLE_TEXT),
    "LoggedOut": _object("logged_out", logged_out={"const": True}),
    "UserCreated": _object("id", "role", "agent", id=_TEXT, role=_TEXT,
                           agent={"type": ["object", "null"]}),
    "Order": _object("number", "status", "order_type", "created_at", "version",
                     number=_TEXT, status=_TEXT, order_type=_TEXT, created_at=_TEXT,
                     version={"type": "integer"}, caller_number=_NULLABLE_TEXT),
    "Orders": _list_of("orders", "Order"),
    "AgencyOrder": _object("number", "status", "caller_number_masked", "speech_doubt",
                           number=_TEXT, status=_TEXT, caller_number_masked=_NULLABLE_TEXT,
                           # the words' doubts, and whether an agent reviewed them first
                           speech_doubt={"anyOf": [{"type": "null"}, _object(
                               "reasons", "reviewed",
                               reasons={"type": "array", "items": _TEXT},
                               reviewed={"type": "boolean"})]}),
    "AgencyOrders": _list_of("orders", "AgencyOrder"),
    "RepeatCall": _object("action", "reason", "complaint", action=_TEXT, reason=_TEXT,
                          complaint={"anyOf": [_ref("Order"), {"type": "null"}]}),
    "Calls": _object("calls", calls={"type": "array", "items": _object(
        "channel_id", "outcome", channel_id=_TEXT, outcome=_TEXT)}),
    "Agent": _object("id", "endpoint", "skills", "state", id=_TEXT, endpoint=_TEXT,
                     skills={"type": "object"}, state=_TEXT),
    "Agents": _list_of("agents", "Agent"),
    "Surveys": _object("surveys", surveys={"type": "array", "items": _object(
        "status", "attempts", status=_TEXT, attempts={"type": "integer"})}),
    "ManualCallbacks": _object("callbacks", callbacks={"type": "array", "items": _object(
        "order_number", "attempts", order_number=_TEXT, attempts={"type": "integer"})}),
    "CallbackPreferenceSet": _object("number", "callback_declined", number=_TEXT,
                                     callback_declined={"type": "boolean"}),
    "Queue": _object("waiting", "agents", waiting={"type": "array"},
                     agents={"type": "array", "items": _ref("Agent")}),
    "Open311Error": {"type": "array", "items": _object(
        "code", "description", code={"type": "integer"}, description=_TEXT)},
    "Open311Definition": _object("service_code", "attributes", service_code=_TEXT,
                                 attributes={"type": "array"}),
    "Open311Discovery": _object("changeset", "endpoints", changeset=_TEXT,
                                endpoints={"type": "array"}),
    "Open311Services": {"type": "array", "items": _object(
        "service_code", "service_name", service_code=_TEXT, service_name=_TEXT)},
    "Open311Requests": {"type": "array", "items": _object(
        "service_request_id", "status", service_request_id=_TEXT, status=_TEXT)},
    "Open311Created": {"type": "array", "items": _object(
        "service_request_id", "service_notice", service_request_id=_TEXT,
        service_notice=_TEXT)},
    # Form fields as GeoReport v2 names them; unknown fields are ignored, as there.
    "Open311Request": _object("service_code", "description", service_code=_TEXT,
                              description=_TEXT, phone=_TEXT, address_string=_TEXT,
                              api_key=_TEXT, lat=_TEXT, long=_TEXT, address_id=_TEXT,
                              email=_TEXT, first_name=_TEXT, last_name=_TEXT),
}


def document() -> dict[str, Any]:
    """The whole OpenAPI document."""
    schemas: dict[str, Any] = {
        m.__name__: m.model_json_schema(ref_template=_REF + "{model}") for m in MODELS
    }
    for schema in list(schemas.values()):
        schemas.update(schema.pop("$defs", {}))
    schemas.update(ANSWERS)
    return {
        "openapi": "3.1.0",
        "info": {"title": "hotline12319 web API", "version": "1"},
        "paths": PATHS,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "hotline_session"}
            },
        },
        "security": [{"session": []}],
    }


@routes.get("/api/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return web.json_response(document())


# Issue 6 (console/audit_http.py, console/agency_http.py): who read or changed an order,
# and one of an agency's own orders.
PARAMS["order"] = _query("order", {"type": "string", "pattern": "^[0-9]{1,20}$"}) | {
    "required": True}
ANSWERS["AuditTrail"] = _object("order", "events", order=_TEXT, events={
    "type": "array", "items": _object("at", "actor", "action", "kind", at=_TEXT, actor=_TEXT,
                                      role=_NULLABLE_TEXT, ip=_NULLABLE_TEXT, action=_TEXT,
                                      kind={"enum": ["read", "change"]})})
PATHS["/api/audit"] = {"get": _op(
    "who read or changed an order (supervision_section, duty_supervisor, leader)",
    "AuditTrail", params=("order", "limit"))}
PATHS[_AGENCY] = {"get": _op("one of the agency's own orders, number masked", "AgencyOrder",
                             params=("number",))}


# Issue 5 (console/announcements_http.py, console/peaks_http.py): outage announcements and
# their incident's orders, standby staff, shift handovers (L 3.1.2(2), (5)).
def _peaks() -> None:
    from console.announcements_http import AnnouncementChange, AnnouncementCreate
    from console.peaks_http import CallIn, HandoverNotes, StandbyAdd

    global MODELS
    MODELS = (*MODELS, AnnouncementCreate, AnnouncementChange, StandbyAdd, CallIn,
              HandoverNotes)
    PARAMS["announcement_id"] = _path("announcement_id", _ROW_ID)
    PARAMS["handover_id"] = _path("handover_id", _ROW_ID)
    PARAMS["active"] = _query("active", {"enum": ["1", "true"]})
    PARAMS["standby_agency"] = _query("agency", _TEXT)
    ANSWERS["Announcement"] = _object(
        "id", "incident_id", "utility", "kind", "active", id={"type": "integer"},
        incident_id=_TEXT, utility=_TEXT, kind={"enum": ["planned", "unplanned"]},
        active={"type": "boolean"}, recovery_at=_NULLABLE_TEXT)
    ANSWERS["Announcements"] = _list_of("announcements", "Announcement")
    ANSWERS["IncidentOrders"] = _object("incident_id", "orders", incident_id=_TEXT,
                                        orders={"type": "array"})
    ANSWERS["Standby"] = _object("agencies", agencies={"type": "array"})
    ANSWERS["StandbyMember"] = _object("agency_id", "name", agency_id=_TEXT, name=_TEXT)
    ANSWERS["CalledIn"] = _object("user_id", "agent_id", "skills", user_id=_TEXT,
                                  agent_id=_TEXT, skills={"type": "object"})
    ANSWERS["Handover"] = _object("id", "outgoing", "items", id={"type": "integer"},
                                  outgoing=_TEXT, incoming=_NULLABLE_TEXT,
                                  items={"type": "object"})
    ANSWERS["Handovers"] = _list_of("handovers", "Handover")
    ANSWERS["HandoverDraft"] = _object("live", "blockers", live={"type": "object"},
                                       blockers={"type": "array"})
    PATHS.update({
        "/api/announcements": {
            "get": _op("outage announcements, newest first", "Announcements",
                       params=("active",)),
            "post": _op("register an outage announcement (supervisors)", "Announcement",
                        AnnouncementCreate, ok=201)},
        "/api/announcements/{announcement_id}": {"patch": _op(
            "change or close an announcement (supervisors)", "Announcement",
            AnnouncementChange, params=("announcement_id",))},
        "/api/announcements/{announcement_id}/orders": {"get": _op(
            "the orders linked to the announcement's parent incident", "IncidentOrders",
            params=("announcement_id",))},
        "/api/standby": {
            "get": _op("standby staff per agency (L 3.1.2(5)④)", "Standby",
                       params=("standby_agency",)),
            "post": _op("add a standby person (1-3 per agency)", "StandbyMember", StandbyAdd,
                        ok=201)},
        "/api/standby/call-in": {"post": _op(
            "log a standby person in as an agent with the agency's skills only", "CalledIn",
            CallIn, ok=201)},
        "/api/handovers": {
            "get": _op("shift handover records, newest first", "Handovers"),
            "post": _op("sign out: a handover record pre-filled from live data", "Handover",
                        HandoverNotes, ok=201)},
        "/api/handovers/draft": {"get": _op("the live items now, and what pauses a handover",
                                            "HandoverDraft")},
        "/api/handovers/{handover_id}/sign": {"post": _op(
            "the incoming supervisor signs", "Handover", params=("handover_id",))},
    })


_peaks()


# Issue 5 (console/wallboard_http.py, console/snoop_http.py): the wallboard's server-side
# figures, and a supervisor listening to / whispering to / barging into an agent's call.
def _wallboard() -> None:
    from console.snoop_http import SnoopRequest

    global MODELS
    MODELS = (*MODELS, SnoopRequest)
    PARAMS["channel_or_call"] = _path("channel_or_call")
    rate = {"type": ["number", "null"]}
    ANSWERS["Wallboard"] = _object(
        "at", "service_level_rule", "windows", "deadlines", "scorecard", at=_TEXT,
        service_level_rule=_object("answer_seconds", "target_percent", "clauses",
                                   answer_seconds={"type": "integer"},
                                   target_percent={"type": "integer"},
                                   clauses={"type": "array", "items": _TEXT}),
        windows={"type": "array", "items": _object(
            "window", "calls", "per_utility", "answered", "answered_within", "abandoned",
            "service_level", "abandon_rate", window={"enum": ["15m", "60m", "today"]},
            calls={"type": "integer"}, per_utility={"type": "object"},
            answered={"type": "integer"}, answered_within={"type": "integer"},
            abandoned={"type": "integer"}, service_level=rate, abandon_rate=rate)},
        deadlines={"type": "array", "items": _object(
            "number", "deadline", "due", "seconds_left", "overdue", number=_TEXT,
            deadline={"enum": ["dispatch", "receipt", "resolve"]}, due=_TEXT,
            seconds_left={"type": "integer"}, overdue={"type": "boolean"})},
        scorecard=_object("since", "agencies", since=_TEXT, agencies={
            "type": "array", "items": _object(
                "agency", "dispatched", "received_on_time", "resolved_on_time", "overdue_now",
                agency=_TEXT, dispatched={"type": "integer"}, received_on_time=rate,
                resolved_on_time=rate, overdue_now={"type": "integer"})}))
    ANSWERS["Snoop"] = _object(
        "snoop_id", "mode", "call_id", "agent_id", "agent_channel", "supervisor_channel",
        snoop_id=_TEXT, mode={"enum": ["listen", "whisper", "barge"]}, call_id=_TEXT,
        agent_id=_TEXT, agent_channel=_TEXT, supervisor_channel=_TEXT)
    PATHS.update({
        "/api/wallboard": {"get": _op(
            "service level (answered within 15 s, L 3.2.2(3)①) and abandon rate for 15 / 60 "
            "min and today, calls per utility, orders near or past a deadline, the agency "
            "scorecard (center staff); also pushed on /api/live as `wallboard`", "Wallboard")},
        "/api/calls/{channel_or_call}/snoop": {"post": _op(
            "ring a supervisor's phone and put it on an agent's call: listen, whisper (heard "
            "by the agent only) or barge (supervisors only)", "Snoop", SnoopRequest, ok=202,
            params=("channel_or_call",))},
    })


_wallboard()


# Issue 5 (console/staffing_http.py): staffing from observed traffic and the next-day plan.
def _staffing() -> None:
    from console.staffing_http import OPENAPI_ANSWERS, OPENAPI_PARAMS, openapi_paths

    PARAMS.update(OPENAPI_PARAMS)
    ANSWERS.update(OPENAPI_ANSWERS)
    PATHS.update(openapi_paths(_op))


_staffing()


# Issue 12 (console/desk_http.py, evidence_http.py, portal_http.py, supervision_http.py):
# the order desk, the agency portal's photos and scorecard, the supervision screen.
def _screens() -> None:
    from console.desk_http import Correction, DispatchBody
    from console.portal_http import ReturnBody

    for model in (DispatchBody, Correction, ReturnBody):
        schema = model.model_json_schema(ref_template=_REF + "{model}")
        ANSWERS.update(schema.pop("$defs", {}))
        ANSWERS[model.__name__] = schema
    PARAMS["photo_id"] = _path("photo_id", _ROW_ID)
    for name in ("view", "district", "date", "number", "caller"):
        PARAMS.setdefault(f"desk_{name}", _query(name, _TEXT))
    listing = ("desk_view", "utility", "desk_district", "agency", "desk_date", "desk_number",
               "desk_caller", "limit")
    ANSWERS["DeskOrders"] = _object("view", "counts", "orders", view=_TEXT,
                                    counts={"type": "object"}, orders={"type": "array"})
    ANSWERS["DeskOrder"] = _object("order", "timeline", "deadlines", "actions",
                                   order=_ref("Order"), timeline={"type": "array"},
                                   deadlines={"type": "array"}, actions={"type": "array"})
    ANSWERS["Photo"] = _object("id", "reference", id={"type": "integer"}, reference=_TEXT)
    ANSWERS["Scorecard"] = _object("agency_id", "rates", agency_id=_TEXT,
                                   rates={"type": "object"})
    ANSWERS["Approvals"] = _object("items", items={"type": "array"})
    ANSWERS["LateByUnit"] = _object("by_unit", "orders", by_unit={"type": "array"},
                                    orders={"type": "array"})
    PATHS.update({
        "/api/desk/orders": {"get": _op("the order desk: one list (view) with the count of "
                                        "every list, most urgent first", "DeskOrders",
                                        params=listing)},
        "/api/desk/orders/{number}": {"get": _op(
            "an order's page: timeline, deadlines, earlier orders of the caller, the unit "
            "route() suggests, the actions this role may take", "DeskOrder",
            params=("number",))},
        "/api/desk/orders/{number}/dispatch": {"post": _op(
            "dispatch to the suggested unit or the one chosen", "Order", DispatchBody,
            params=("number",))},
        "/api/desk/orders/{number}/correction": {"post": _op(
            "correct utility, type, district, address, emergency (before dispatch; after "
            "it only the type, by reclassify)", "Order", Correction, params=("number",))},
        "/api/orders/{number}/recording": {"get": _op(
            "the caller's recording (audio/wav), center only, audited", "Error",
            params=("number",))},
        "/api/orders/{number}/photos/{photo_id}": {"get": _op(
            "a photo the unit attached (image/*), audited", "Error",
            params=("number", "photo_id"))},
        "/api/agency/orders/{number}/photos": {"post": _op(
            "attach a photo (raw JPEG, PNG or WebP body, at most 5 MB)", "Photo", ok=201,
            params=("number",))},
        "/api/agency/orders/{number}/photos/{photo_id}": {"get": _op(
            "a photo of the agency's own order (image/*)", "Error",
            params=("number", "photo_id"))},
        "/api/agency/orders/{number}/return": {"post": _op(
            "退回: the order is not this unit's, with the reason", "AgencyOrder", ReturnBody,
            params=("number",))},
        "/api/agency/scorecard": {"get": _op("the agency's closure rates this month, its "
                                             "open and late orders", "Scorecard")},
        "/api/supervision/approvals": {"get": _op(
            "open extension and pending requests, with whose decision each is", "Approvals")},
        "/api/supervision/late": {"get": _op("late and nearly late orders by unit",
                                             "LateByUnit")},
    })


_screens()


# Issue 17 (console/knowledge_http.py, public_http.py): the knowledge base, the public page.
def _knowledge() -> None:
    from console.knowledge_http import Answered, Decision, EntryChange, EntryCreate

    for model in (EntryCreate, EntryChange, Decision, Answered):
        schema = model.model_json_schema(ref_template=_REF + "{model}")
        ANSWERS.update(schema.pop("$defs", {}))
        ANSWERS[model.__name__] = schema
    PARAMS["entry_id"] = _path("entry_id", _ROW_ID)
    PARAMS["revision_id"] = _path("revision_id", _ROW_ID)
    PARAMS["kb_q"] = _query("q", {"type": "string", "maxLength": 200})
    ANSWERS["KnowledgeEntries"] = _object("entries", entries={"type": "array"})
    ANSWERS["KnowledgeEntry"] = _object("id", "slug", "title", "answer", "clauses", "version",
                                        id={"type": "integer"}, slug=_TEXT, title=_TEXT,
                                        answer=_TEXT, clauses={"type": "array"},
                                        version={"type": "integer"})
    ANSWERS["KnowledgeRevision"] = _object("id", "kind", "state", id={"type": "integer"},
                                           kind=_TEXT, state=_TEXT)
    ANSWERS["Consultation"] = _object("order", "entry", order=_ref("Order"),
                                      entry=_ref("KnowledgeEntry"))
    ANSWERS["Commitments"] = _object("scope", "units", "limits", "outages",
                                     scope={"type": "object"}, units={"type": "array"},
                                     limits={"type": "array"}, outages={"type": "array"})
    one = ("entry_id",)
    PATHS.update({
        "/api/knowledge": {
            "get": _op("every active answer, or with q the best answers to a question",
                       "KnowledgeEntries", params=("kb_q", "utility")),
            "post": _op("a new answer, citing its clauses (business section, leader)",
                        "KnowledgeEntry", EntryCreate, ok=201)},
        "/api/knowledge/search": {"get": _op(
            "the best answers to a question, scored, best first", "KnowledgeEntries",
            params=("kb_q", "utility"))},
        "/api/knowledge/{entry_id}": {
            "get": _op("one answer with every version", "KnowledgeEntry", params=one),
            "put": _op("a new version of an answer (business section, leader)",
                       "KnowledgeEntry", EntryChange, params=one)},
        "/api/knowledge/{entry_id}/proposals": {"post": _op(
            "an agency's proposed wording, applied only when accepted", "KnowledgeRevision",
            EntryChange, ok=201, params=one)},
        "/api/knowledge/{entry_id}/answered": {"post": _op(
            "the call answered on the spot with this answer: a closed consultation order",
            "Consultation", Answered, ok=201, params=one)},
        "/api/knowledge/proposals/{revision_id}/decision": {"post": _op(
            "accept or refuse a proposal", "KnowledgeRevision", Decision,
            params=("revision_id",))},
        "/api/public/commitments": {"get": _op(
            "what the hotline publishes (L 3.2.4(5)): scope, units, time limits with their "
            "clauses, outages", "Commitments") | {"security": []}},
    })


_knowledge()


# Issue 12 (console/softphone_http.py): where the console's browser softphone registers.
def _softphone() -> None:
    ANSWERS["Softphone"] = _object("ws_url", ws_url=_TEXT)
    PATHS["/api/softphone"] = {"get": _op(
        "the secure websocket (WSS) the agent's browser softphone registers on as its own "
        "endpoint (PJSIP/webrtcN); center staff", "Softphone")}


_softphone()
