"""GeoReport v2 answers in either format the specification has: XML (its default) or JSON.

A handler builds one value (lists of dicts); `answer` writes it as the path's extension asks.
The XML follows the specification's element names: a list is its container element
(`services`, `service_requests`, `errors`, ...) holding one element per item (`service`,
`request`, `error`, ...).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from aiohttp import web

ITEM = {"services": "service", "service_requests": "request", "errors": "error",
        "attributes": "attribute", "values": "value", "endpoints": "endpoint",
        "formats": "format"}
XML = "text/xml"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def wants_xml(request: web.Request) -> bool:
    return request.path.endswith(".xml")


def to_xml(root: str, value: Any) -> bytes:
    element = Element(root)
    _fill(element, value)
    body: bytes = tostring(element, encoding="unicode").encode("utf-8")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def _fill(element: Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(SubElement(element, key), item)
    elif isinstance(value, list):
        for item in value:
            _fill(SubElement(element, ITEM.get(element.tag, "item")), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def answer(request: web.Request, root: str, value: Any, status: int = 200) -> web.Response:
    """`value` as JSON, or as XML under `root` when the path ends in .xml."""
    if wants_xml(request):
        return web.Response(body=to_xml(root, value), status=status, content_type=XML,
                            charset="utf-8")
    return web.json_response(value, status=status)


def both_formats(handler: Handler) -> Handler:
    """GeoReport errors (`[{"code", "description"}]`) in XML too, on the .xml paths."""

    @functools.wraps(handler)
    async def wrapper(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPException as exc:
            if not wants_xml(request) or exc.content_type != "application/json":
                raise
            errors = json.loads(exc.text or "[]")
            raise type(exc)(body=to_xml("errors", errors), content_type=XML,
                            headers={k: v for k, v in exc.headers.items()
                                     if k == "Retry-After"}) from exc

    return wrapper
