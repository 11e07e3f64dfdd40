"""What Open311 clients discover before they post: the discovery document, the services
(utility × request type) and, where a service has attributes, its service definition.

A service's attribute is the case of the SLA table that sets its limits (a water meter well
is due in 12 hours, W 5.3.1): the citizen picks it, the order is created with that case.
Built once at start-up from routing/orders/sla_policy.yaml and console/open311_services.yaml
(tests/unit/test_open311_catalog.py checks every web case has its Chinese name).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web

from console.open311_format import answer, both_formats
from console.open311_intake import WEB_TYPES, open311_error
from routing.enums import UTILITY_NAMES_ZH, Utility
from routing.orders.policy import GENERAL, load_policy

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
NAMES_PATH = Path(__file__).with_name("open311_services.yaml")
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-05T00:00:00+08:00"  # when the services below last changed


@dataclass(frozen=True)
class Catalog:
    services: list[dict[str, Any]]
    cases: dict[str, dict[str, str]]  # service_code -> case key -> Chinese name


CATALOG = web.AppKey("open311_catalog", Catalog)


def load_catalog(names_path: Path = NAMES_PATH) -> Catalog:
    names: dict[str, str] = yaml.safe_load(names_path.read_text("utf-8"))["case_names"]
    policy, cases = load_policy(), dict[str, dict[str, str]]()
    for utility, kind, case in policy.rows:
        if kind in WEB_TYPES and case != GENERAL:
            code = f"{utility.value}.{kind.value}"
            if case not in names:  # a new SLA case must not stop serve: named by its key
                log.warning("%s: no Chinese name for case %s", NAMES_PATH.name, case)
            cases.setdefault(code, {})[case] = names.get(case, case)
    services = [_service(utility, kind, name, f"{utility.value}.{kind.value}" in cases)
                for utility in Utility for kind, name in WEB_TYPES.items()]
    return Catalog(services=services, cases=cases)


def _service(utility: Utility, kind: Any, name: str, metadata: bool) -> dict[str, Any]:
    zh = UTILITY_NAMES_ZH[utility.value]
    return {"service_code": f"{utility.value}.{kind.value}", "service_name": f"{zh}{name}",
            "group": utility.value, "description": f"{zh}{name}（12319热线）",
            "metadata": metadata, "type": "realtime",
            "keywords": f"{utility.value},{kind.value}"}


def definition(code: str, cases: dict[str, str]) -> dict[str, Any]:
    values = [{"key": GENERAL, "name": "一般"}] + [
        {"key": key, "name": name} for key, name in cases.items()]
    attribute = {"variable": True, "code": "case", "datatype": "singlevaluelist",
                 "required": False, "datatype_description": "问题类别：决定处理时限",
                 "order": 1, "description": "问题类别", "values": values}
    return {"service_code": code, "attributes": [attribute]}


@routes.get("/open311/v2/services.json")
@routes.get("/open311/v2/services.xml")
@both_formats
async def services(request: web.Request) -> web.Response:
    return answer(request, "services", request.app[CATALOG].services)


@routes.get("/open311/v2/services/{service_code}.json")
@routes.get("/open311/v2/services/{service_code}.xml")
@both_formats
async def service_definition(request: web.Request) -> web.Response:
    code = request.match_info["service_code"]
    cases = request.app[CATALOG].cases.get(code)
    if cases is None:
        raise open311_error(web.HTTPNotFound, f"no service definition for {code[:64]!r}")
    return answer(request, "service_definition", definition(code, cases))


@routes.get("/open311/discovery.json")
@routes.get("/open311/discovery.xml")
async def discovery(request: web.Request) -> web.Response:
    base = f"{request.scheme}://{request.host}/open311/v2"
    endpoint = {"specification": SPECIFICATION, "url": base, "changeset": CHANGESET,
                "type": "production", "formats": ["text/xml", "application/json"]}
    return answer(request, "discovery", {
        "changeset": CHANGESET, "contact": "济南市12319城建服务热线，电话12319",
        "key_service": "向12319热线服务中心申请api_key（hotline12319 open311-key add）",
        "endpoints": [endpoint]})
