"""GET /api/openapi.json: the OpenAPI 3.1 document of the order API, bodies from the
pydantic models in console/schemas.py (so the document cannot drift from the validation)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel

from console.schemas import (
    AgencyExtension,
    AgencyPending,
    AgencyResult,
    Empty,
    EventBody,
    Login,
    OrderCreate,
)

routes = web.RouteTableDef()
_ERROR = {
    "description": "error",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
_ORDER = {
    "description": "the order",
    "content": {"application/json": {"schema": {"type": "object"}}},
}


def _op(
    summary: str, body: type[BaseModel] | None = None, ok: int = 200, params: tuple[str, ...] = ()
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "responses": {
            str(ok): _ORDER,
            "400": _ERROR,
            "401": _ERROR,
            "403": _ERROR,
            "404": _ERROR,
            "409": _ERROR,
            "422": _ERROR,
        },
    }
    if body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{body.__name__}"}}
            },
        }
    op["parameters"] = [_param(p) for p in params]
    return op


def _param(name: str) -> dict[str, Any]:
    where = "path" if name == "number" else "query"
    return {"name": name, "in": where, "required": where == "path", "schema": {"type": "string"}}


PATHS: dict[str, dict[str, Any]] = {
    "/api/login": {"post": _op("log in; sets the HttpOnly session cookie", Login)},
    "/api/logout": {"post": _op("log out")},
    "/api/me": {"get": _op("the logged-in user")},
    "/api/orders": {
        "post": _op("create an order (center_staff, business_section)", OrderCreate, 201),
        "get": _op(
            "search orders", params=("status", "utility", "agency", "caller_number", "limit")
        ),
    },
    "/api/orders/{number}": {"get": _op("one order", params=("number",))},
    "/api/orders/{number}/events": {
        "post": _op(
            "apply a lifecycle event as the user's role (center roles)",
            EventBody,
            params=("number",),
        )
    },
    "/api/agency/orders": {
        "get": _op("the agency's own orders, numbers masked", params=("status", "limit"))
    },
    "/api/agency/orders/{number}/receipt": {
        "post": _op("confirm receipt (签收)", Empty, params=("number",))
    },
    "/api/agency/orders/{number}/result": {
        "post": _op("report handled / not handled", AgencyResult, params=("number",))
    },
    "/api/agency/orders/{number}/extension": {
        "post": _op("request an extension", AgencyExtension, params=("number",))
    },
    "/api/agency/orders/{number}/pending": {
        "post": _op("request pending (待办)", AgencyPending, params=("number",))
    },
}
MODELS: tuple[type[BaseModel], ...] = (
    OrderCreate,
    EventBody,
    Login,
    AgencyResult,
    AgencyExtension,
    AgencyPending,
    Empty,
)


def document() -> dict[str, Any]:
    """The whole OpenAPI document."""
    schemas: dict[str, Any] = {
        m.__name__: m.model_json_schema(ref_template="#/components/schemas/{model}") for m in MODELS
    }
    for schema in list(schemas.values()):
        schemas.update(schema.pop("$defs", {}))
    schemas["Error"] = {
        "type": "object",
        "required": ["error", "message"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "hotline12319 order API", "version": "1"},
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
