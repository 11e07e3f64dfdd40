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
from routing.orders.transitions import State

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
    "/metrics": {"get": {
        "summary": "the node's figures for Prometheus (text exposition format)",
        "security": [],
        "parameters": [],
        "responses": {"200": {"description": "the figures",
                              "content": {"text/plain": {"schema": {"type": "string"}}}}},
    }},
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
    from console import openapi_sections  # noqa: F401  (adds its sections to the tables)

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
