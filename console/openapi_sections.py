"""The OpenAPI document's sections for the later screens and routes (issues 5, 6, 9, 17 ...).

They add their paths, parameters and answers to the tables of `console.openapi`, with its
helpers; `console.openapi.document()` loads this module before it reads the tables.
"""

from __future__ import annotations

from console import openapi as core
from console.openapi import (
    _AGENCY,
    _NULLABLE_TEXT,
    _REF,
    _ROW_ID,
    _TEXT,
    ANSWERS,
    PARAMS,
    PATHS,
    _list_of,
    _object,
    _op,
    _path,
    _query,
    _ref,
)

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
    core.MODELS = (*core.MODELS, AnnouncementCreate, AnnouncementChange, StandbyAdd, CallIn,
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
    core.MODELS = (*core.MODELS, SnoopRequest)
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
