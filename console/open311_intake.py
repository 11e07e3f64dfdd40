"""An Open311 GeoReport v2 POST read into an order intake and what the order table does not
hold: the location (lat/long, address_string or address_id: one is required), the person
(first_name, last_name, email, phone: stored, never published) and the client's api_key.

Errors use the GeoReport shape, `[{"code": 400, "description": "..."}]`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from aiohttp import web

from console.http import storable
from routing.enums import UTILITY_NAMES_ZH, OrderType, Utility
from routing.orders.order_intake import Source
from routing.orders.order_service import Intake

# Emergencies are for the phone: a web form is no way to report a gas leak.
WEB_TYPES = {
    OrderType.MAINTENANCE: "设施维护",
    OrderType.COMPLAINT: "投诉",
    OrderType.HELP: "求助",
    OrderType.CONSULTATION: "咨询",
    OrderType.SUGGESTION: "建议",
}
PHONE = re.compile(r"^\+?[0-9]{5,20}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,63}\.[^@\s]{1,62}$")
LIMITS = {"address_string": 256, "address_id": 64, "first_name": 64, "last_name": 64,
          "email": 128, "api_key": 128}


@dataclass(frozen=True)
class Person:
    """What the request carried beside the order row (stored in `open311_requests`)."""

    lat: float | None
    long: float | None
    address_id: str | None
    first_name: str | None
    last_name: str | None
    email: str | None


def open311_error(status: type[web.HTTPException], description: str,
                  headers: dict[str, str] | None = None) -> web.HTTPException:
    body = web.json_response([{"code": status.status_code, "description": description}]).text
    return status(text=body, content_type="application/json", headers=headers)


async def read_fields(request: web.Request) -> dict[str, str]:
    if request.content_type == "application/json":
        try:
            data = await request.json()
        except (ValueError, LookupError) as exc:  # LookupError: an unknown charset
            raise open311_error(web.HTTPBadRequest, f"malformed JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise open311_error(web.HTTPBadRequest, "a JSON object is expected")
        fields = {str(k): str(v) for k, v in data.items()}
    else:
        try:
            fields = {k: str(v) for k, v in (await request.post()).items()}
        except (ValueError, LookupError) as exc:  # no multipart boundary, unknown charset
            raise open311_error(web.HTTPBadRequest, f"unreadable form: {exc}") from exc
    if not storable(fields):
        raise open311_error(web.HTTPBadRequest, "text with NUL or a lone surrogate")
    for name, limit in LIMITS.items():
        if len(fields.get(name, "")) > limit:
            raise open311_error(web.HTTPBadRequest, f"{name}: up to {limit} characters")
    return fields


def _optional(fields: dict[str, str], name: str) -> str | None:
    return fields.get(name, "").strip() or None


def intake(fields: dict[str, str]) -> Intake:
    code = fields.get("service_code", "")
    utility, _, kind = code.partition(".")
    if utility not in UTILITY_NAMES_ZH or kind not in {t.value for t in WEB_TYPES}:
        raise open311_error(web.HTTPBadRequest, f"unknown service_code {code!r}")
    description = fields.get("description", "").strip()
    if not 1 <= len(description) <= 4000:
        raise open311_error(web.HTTPBadRequest, "description is required (up to 4000 chars)")
    phone = _optional(fields, "phone")
    if phone is not None and not PHONE.match(phone):
        raise open311_error(web.HTTPBadRequest, "phone must be digits")
    return Intake(utility=Utility(utility), order_type=OrderType(kind), description=description,
                  caller_number=phone, address=_optional(fields, "address_string"),
                  source=Source.OPEN311)


def person(fields: dict[str, str]) -> Person:
    """The location and the person; a request without any location is refused."""
    lat, long = _coordinate(fields, "lat", 90.0), _coordinate(fields, "long", 180.0)
    if (lat is None) != (long is None):
        raise open311_error(web.HTTPBadRequest, "lat and long go together")
    address_id = _optional(fields, "address_id")
    if lat is None and address_id is None and _optional(fields, "address_string") is None:
        raise open311_error(web.HTTPBadRequest,
                            "a location is required: lat and long, address_string or address_id")
    email = _optional(fields, "email")
    if email is not None and not EMAIL.match(email):
        raise open311_error(web.HTTPBadRequest, "email is not an e-mail address")
    return Person(lat=lat, long=long, address_id=address_id, email=email,
                  first_name=_optional(fields, "first_name"),
                  last_name=_optional(fields, "last_name"))


def _coordinate(fields: dict[str, str], name: str, bound: float) -> float | None:
    raw = _optional(fields, name)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise open311_error(web.HTTPBadRequest, f"{name} must be a number") from None
    if not math.isfinite(value) or abs(value) > bound:
        raise open311_error(web.HTTPBadRequest, f"{name} out of range ±{bound:g}")
    return value
