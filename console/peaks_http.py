"""Standby staff over HTTP: the roster per agency, additions, and calling someone in as an
agent who takes only their agency's utilities (L 3.1.2(5)④); supervisors only."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from console.agents_http import QUEUE
from console.announcements_http import BOARD, DIRECTORY, SUPERVISORS
from console.api import CENTER, current_user, now, read_body
from console.http import HEALTH, SESSIONS, api_error, path_row_id
from routing.admin.users import UserError, add_user
from routing.agencies.directory import Agency, Person
from routing.agents.acd import AgentState
from routing.agents.agent_repository import AgentStore
from routing.dispatch import standby as rules
from routing.dispatch.standby import Member, StandbyError
from routing.floor import announcements as announcement_rules
from routing.floor import handover
from routing.orders.repository import audit
from routing.orders.transitions import Role, State
from routing.store.models import WorkOrder
from routing.store.peaks_tables import Handover, StandbyStaff

routes = web.RouteTableDef()


class StandbyAdd(Person):
    agency_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=64)
    phone: str = Field(pattern=r"^\+?[0-9][0-9 -]{2,19}$", max_length=21)


class CallIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agency_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=64)
    endpoint: str = Field(pattern=r"^PJSIP/[A-Za-z0-9_.@-]+$", max_length=128)
    password: str = Field(min_length=8, max_length=128)


def _refused(exc: StandbyError | UserError) -> web.HTTPException:
    if isinstance(exc, UserError):
        return api_error(web.HTTPUnprocessableEntity, "invalid-user", str(exc))
    status = {404: web.HTTPNotFound, 409: web.HTTPConflict}.get(
        exc.status, web.HTTPUnprocessableEntity)
    return api_error(status, exc.error_id, str(exc))


def _agency(request: web.Request, agency_id: str) -> Agency:
    try:
        return rules.agency_of(request.app[DIRECTORY], agency_id)
    except StandbyError as exc:
        raise _refused(exc) from exc


async def _roster(session: AsyncSession, agency: Agency) -> list[Member]:
    rows = await session.scalars(select(StandbyStaff).where(
        StandbyStaff.agency_id == agency.id).order_by(StandbyStaff.id))
    return rules.roster(agency, [Member(r.agency_id, r.name, r.phone, False, r.user_id)
                                 for r in rows])


def member_json(member: Member) -> dict[str, Any]:
    return {"agency_id": member.agency_id, "name": member.name, "phone": member.phone,
            "from_directory": member.from_directory, "user_id": member.user_id,
            "called_in": member.user_id is not None}


@routes.get("/api/standby")
async def list_standby(request: web.Request) -> web.Response:
    await current_user(request, CENTER)
    wanted = request.query.get("agency")
    agencies = ([_agency(request, wanted)] if wanted
                else list(request.app[DIRECTORY].agencies.values()))
    async with request.app[SESSIONS]() as session:
        found = [{"agency_id": a.id, "name": a.name,
                  "members": [member_json(m) for m in await _roster(session, a)]}
                 for a in agencies]
    return web.json_response({"agencies": found, "max_per_agency": rules.MAX_PER_AGENCY})


@routes.post("/api/standby")
async def add_standby(request: web.Request) -> web.Response:
    user = await current_user(request, SUPERVISORS)
    body = await read_body(request, StandbyAdd)
    agency = _agency(request, body.agency_id)
    async with request.app[SESSIONS].begin() as session:
        try:
            rules.check_addition(agency, await _roster(session, agency), body)
        except StandbyError as exc:
            raise _refused(exc) from exc
        session.add(StandbyStaff(agency_id=agency.id, name=body.name, phone=body.phone,
                                 created_at=now()))
        await audit(session, actor=user.id, entity="standby", entity_id=agency.id,
                    action="added", detail={"name": body.name})
    member = Member(agency.id, body.name, body.phone, False)
    return web.json_response(member_json(member), status=201)


@routes.post("/api/standby/call-in")
async def call_in(request: web.Request) -> web.Response:
    """Log a standby person in as an agent limited to their agency's utilities."""
    user = await current_user(request, SUPERVISORS)
    body = await read_body(request, CallIn)
    agency = _agency(request, body.agency_id)
    skills = rules.limited_skills(agency)
    at = now()
    async with request.app[SESSIONS].begin() as session:
        try:
            member = rules.member_named(await _roster(session, agency), body.name)
            row = await _standby_row(session, member, at)
            row.user_id, row.called_in_at = f"standby_{row.id}", at
            await add_user(session, user_id=row.user_id, name=member.name,
                           role=Role.CENTER_STAFF, agency_id=None, password=body.password,
                           now=at)
        except (StandbyError, UserError) as exc:
            raise _refused(exc) from exc
        await audit(session, actor=user.id, entity="standby", entity_id=row.user_id,
                    action="called_in", detail={"agency": agency.id, "skills": skills})
        agent_id = row.user_id
    agent = await AgentStore(request.app[SESSIONS]).upsert(
        agent_id=agent_id, name=body.name, endpoint=body.endpoint, skills=skills, now=at)
    if QUEUE in request.app:
        await request.app[QUEUE].define(agent)
    return web.json_response({"user_id": agent_id, "agent_id": agent_id, "skills": skills,
                              "endpoint": body.endpoint}, status=201)


async def _standby_row(session: AsyncSession, member: Member, at: datetime) -> StandbyStaff:
    row = await session.scalar(select(StandbyStaff).where(
        StandbyStaff.agency_id == member.agency_id, StandbyStaff.name == member.name))
    if row is None:  # a directory member: recorded when first called in
        row = StandbyStaff(agency_id=member.agency_id, name=member.name, phone=member.phone,
                           created_at=at)
        session.add(row)
        await session.flush()
    return row


# -- shift handover (L 3.1.2(2)) -------------------------------------------------------------

# The handover policy, loaded and validated by `serve` at start (a broken handover.yaml
# refuses to start), not at import.
HANDOVER_POLICY = web.AppKey("handover_policy", handover.HandoverPolicy)
OPEN_STATES = (State.CREATED, State.DISPATCHED, State.RECEIVED, State.NOT_HANDLED)


class HandoverNotes(BaseModel):
    model_config = ConfigDict(extra="forbid")

    notes: dict[str, Annotated[str, Field(max_length=4000)]] = Field(max_length=20)


async def live_facts(request: web.Request, at: datetime) -> handover.LiveFacts:
    app, health = request.app, request.app[HEALTH]
    acd = app[QUEUE].acd if QUEUE in app else None
    board = app.get(BOARD)
    horizon = at + request.app[HANDOVER_POLICY].horizon
    async with app[SESSIONS]() as session:
        rows = await session.scalars(select(WorkOrder).where(
            WorkOrder.status.in_(OPEN_STATES),
            or_(WorkOrder.dispatch_due <= horizon, WorkOrder.receipt_due <= horizon,
                WorkOrder.resolve_due <= horizon))
            .order_by(WorkOrder.resolve_due).limit(100))
        due = [_due(row) for row in rows]
    return handover.LiveFacts(
        calls_in_progress=int(health.get("active_calls", 0)),
        calls_waiting=len(acd.waiting) if acd else 0,
        agents_logged_in=sum(a.state is not AgentState.LOGGED_OUT
                             for a in acd.agents.values()) if acd else 0,
        ari_connected=bool(health.get("ari_connected")),
        announcements=[{"incident_id": o.incident_id, "utility": o.utility.value,
                        "kind": o.kind.value, "ends_at": o.ends_at.isoformat()}
                       for o in announcement_rules.active(board.outages if board else [], at)],
        orders_due=[d for d in due if d is not None])


def _due(row: WorkOrder) -> handover.DueOrder | None:
    """The deadline the order's state is racing: dispatch, receipt, then resolution."""
    kind, due_at = {State.CREATED: ("dispatch", row.dispatch_due),
                    State.DISPATCHED: ("receipt", row.receipt_due)}.get(
        row.status, ("resolve", row.resolve_due))
    if due_at is None:
        return None
    return handover.DueOrder(row.number, row.utility.value if row.utility else None,
                             row.status.value, due_at, kind)


def handover_json(row: Handover) -> dict[str, Any]:
    return {"id": row.id, "outgoing": row.outgoing, "incoming": row.incoming,
            "signed_out_at": row.signed_out_at.isoformat(),
            "signed_in_at": row.signed_in_at.isoformat() if row.signed_in_at else None,
            **row.items}


def _handover_refused(exc: handover.HandoverError) -> web.HTTPException:
    status = web.HTTPConflict if exc.status == 409 else web.HTTPUnprocessableEntity
    return api_error(status, exc.error_id, str(exc))


@routes.get("/api/handovers/draft")
async def handover_draft(request: web.Request) -> web.Response:
    """The live items as they stand, and what would pause the handover now."""
    await current_user(request, SUPERVISORS)
    at, policy = now(), request.app[HANDOVER_POLICY]
    facts = await live_facts(request, at)
    return web.json_response({"live": handover.prefill(policy, facts, at),
                              "written_items": {k: policy.items[k].title
                                                for k in policy.written},
                              "blockers": handover.blockers(policy, facts)})


@routes.post("/api/handovers")
async def sign_out(request: web.Request) -> web.Response:
    user = await current_user(request, SUPERVISORS)
    body = await read_body(request, HandoverNotes)
    at, policy = now(), request.app[HANDOVER_POLICY]
    try:
        items = handover.record(policy, body.notes, await live_facts(request, at), at)
    except handover.HandoverError as exc:
        raise _handover_refused(exc) from exc
    async with request.app[SESSIONS].begin() as session:
        row = Handover(created_at=at, outgoing=user.id, items=items, signed_out_at=at)
        session.add(row)
        await session.flush()
        await audit(session, actor=user.id, entity="handover", entity_id=str(row.id),
                    action="signed_out")
        answer = handover_json(row)
    return web.json_response(answer, status=201)


@routes.post("/api/handovers/{handover_id:\\d+}/sign")
async def sign_in(request: web.Request) -> web.Response:
    user = await current_user(request, SUPERVISORS)
    at, policy = now(), request.app[HANDOVER_POLICY]
    waiting_for = handover.blockers(policy, await live_facts(request, at))
    async with request.app[SESSIONS].begin() as session:
        row = await session.get(Handover, path_row_id(request, "handover_id"))
        if row is None:
            raise api_error(web.HTTPNotFound, "no-such-handover", "no such handover")
        try:
            handover.check_signing(row.outgoing, user.id, row.signed_in_at, waiting_for)
        except handover.HandoverError as exc:
            raise _handover_refused(exc) from exc
        row.incoming, row.signed_in_at = user.id, at
        await audit(session, actor=user.id, entity="handover", entity_id=str(row.id),
                    action="signed_in")
        answer = handover_json(row)
    return web.json_response(answer)


@routes.get("/api/handovers")
async def list_handovers(request: web.Request) -> web.Response:
    await current_user(request, SUPERVISORS)
    async with request.app[SESSIONS]() as session:
        rows = await session.scalars(select(Handover).order_by(Handover.id.desc()).limit(50))
        found = [handover_json(row) for row in rows]
    return web.json_response({"handovers": found})
