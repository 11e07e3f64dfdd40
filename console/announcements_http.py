"""Outage announcements over HTTP: supervisors register, list and close them.

The board that hands the active ones to calls is `routing.floor.announcement_board`; this module
starts it with the app and refreshes it at once after a change made through the API.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any

from aiohttp import web
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from console.api import CENTER, current_user, now, read_body
from console.http import SESSIONS, api_error, path_row_id
from routing.agencies.directory import AgencyDirectory
from routing.enums import Utility
from routing.floor import announcements as rules
from routing.floor.announcement_board import AnnouncementBoard, outage_of
from routing.floor.announcements import AnnouncementError, OutageKind
from routing.floor.outage_notice import (
    NoticeTooLate,
    Scope,
    check_lead_time,
    load_notice_policy,
    reminders_for,
)
from routing.orders.repository import audit
from routing.orders.transitions import Role
from routing.store.models import WorkOrder
from routing.store.peaks_tables import Announcement, IncidentLink

log = logging.getLogger(__name__)
SUPERVISORS = {Role.SUPERVISION_SECTION, Role.BUSINESS_SECTION, Role.DUTY_SUPERVISOR,
               Role.LEADER}
routes = web.RouteTableDef()
BOARD = web.AppKey("announcement_board", AnnouncementBoard)
DIRECTORY = web.AppKey("announcement_directory", AgencyDirectory)


@contextlib.asynccontextmanager
async def board_running(app: web.Application, refresh_s: float) -> AsyncIterator[None]:
    board = AnnouncementBoard(app[SESSIONS], refresh_s)
    with contextlib.suppress(Exception):
        await board.refresh()
    app[BOARD] = board
    task = asyncio.create_task(board.run())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


# -- HTTP ----------------------------------------------------------------------------------


class AnnouncementCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    utility: Utility
    kind: OutageKind
    districts: list[Annotated[str, Field(max_length=32)]] = Field(default_factory=list,
                                                                  max_length=20)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    recovery_at: AwareDatetime | None = None
    text: str = Field(min_length=1, max_length=rules.MAX_TEXT)
    incident_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9-]{3,32}$",
                                    max_length=32)
    # Which notice rule a planned outage is held to (routing/floor/outage_notice.yaml).
    scope: Scope = "general"


class AnnouncementChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ends_at: AwareDatetime | None = None
    recovery_at: AwareDatetime | None = None
    text: str | None = Field(default=None, min_length=1, max_length=rules.MAX_TEXT)
    close: bool = False


def announcement_json(row: Announcement, links: int = 0) -> dict[str, Any]:
    return {
        "id": row.id, "incident_id": row.incident_id, "utility": row.utility.value,
        "kind": row.kind.value, "districts": row.districts, "text": row.text,
        "starts_at": row.starts_at.isoformat(), "ends_at": row.ends_at.isoformat(),
        "recovery_at": row.recovery_at.isoformat() if row.recovery_at else None,
        "active": outage_of(row).active(now()), "created_by": row.created_by,
        "closed_at": row.closed_at.isoformat() if row.closed_at else None,
        "closed_by": row.closed_by, "linked_orders": links,
    }


def _invalid(exc: AnnouncementError) -> web.HTTPException:
    if isinstance(exc, NoticeTooLate):  # the clause that refused it is in the message
        return api_error(web.HTTPUnprocessableEntity, "notice-too-late", str(exc))
    return api_error(web.HTTPUnprocessableEntity, "invalid-announcement", str(exc))


def _notice_rules(body: AnnouncementCreate, at: datetime) -> dict[str, Any]:
    """A planned outage: announced early enough for its clause (else NoticeTooLate), and
    what else the clauses ask of it."""
    if body.kind is not OutageKind.PLANNED:
        return {}
    policy = load_notice_policy()
    rule = check_lead_time(policy, utility=body.utility, scope=body.scope,
                           starts_at=body.starts_at, now=at)
    return {"notice_rule": None if rule is None else {
                "lead": rule.lead.describe(), "clauses": list(rule.clauses)},
            "reminders": reminders_for(policy, utility=body.utility, starts_at=body.starts_at,
                                       ends_at=body.ends_at)}


async def _changed(request: web.Request) -> None:
    if BOARD in request.app:
        await request.app[BOARD].refresh()


@routes.post("/api/announcements")
async def create_announcement(request: web.Request) -> web.Response:
    user = await current_user(request, SUPERVISORS)
    body = await read_body(request, AnnouncementCreate)
    try:
        rules.check_window(body.starts_at, body.ends_at, body.recovery_at)
        districts = rules.check_districts(body.districts, request.app[DIRECTORY].districts)
        text = rules.check_text(body.text)
        at = now()
        notice = _notice_rules(body, at)
    except AnnouncementError as exc:
        raise _invalid(exc) from exc
    async with request.app[SESSIONS].begin() as session:
        if body.incident_id and await session.scalar(select(Announcement.id).where(
                Announcement.incident_id == body.incident_id)):
            raise api_error(web.HTTPConflict, "incident-exists", body.incident_id)
        row = Announcement(
            incident_id=body.incident_id or uuid.uuid4().hex, utility=body.utility,
            kind=body.kind, districts=list(districts), starts_at=body.starts_at,
            ends_at=body.ends_at, recovery_at=body.recovery_at, text=text,
            created_by=user.id, created_at=at)
        session.add(row)
        await session.flush()
        if body.incident_id is None:
            row.incident_id = rules.incident_id_for(body.starts_at, row.id)
        await audit(session, actor=user.id, entity="announcement", entity_id=row.incident_id,
                    action="created",
                    detail={"utility": row.utility.value, "kind": row.kind.value,
                            "scope": body.scope, **notice})
        answer = announcement_json(row) | notice
    await _changed(request)
    return web.json_response(answer, status=201)


@routes.get("/api/announcements")
async def list_announcements(request: web.Request) -> web.Response:
    await current_user(request, CENTER)
    only_active = request.query.get("active") in ("1", "true")
    async with request.app[SESSIONS]() as session:
        links = dict((await session.execute(
            select(IncidentLink.announcement_id, func.count())
            .group_by(IncidentLink.announcement_id))).tuples().all())
        rows = await session.scalars(select(Announcement).order_by(Announcement.id.desc())
                                     .limit(200))
        found = [announcement_json(r, links.get(r.id, 0)) for r in rows]
    if only_active:
        found = [a for a in found if a["active"]]
    return web.json_response({"announcements": found})


@routes.patch("/api/announcements/{announcement_id:\\d+}")
async def change_announcement(request: web.Request) -> web.Response:
    user = await current_user(request, SUPERVISORS)
    body = await read_body(request, AnnouncementChange)
    at = now()
    async with request.app[SESSIONS].begin() as session:
        row = await session.get(Announcement, path_row_id(request, "announcement_id"))
        if row is None:
            raise api_error(web.HTTPNotFound, "no-such-announcement", "no such announcement")
        if row.closed_at is not None:
            raise api_error(web.HTTPConflict, "announcement-closed", "closed already")
        _apply_change(row, body, user.id, at)
        await audit(session, actor=user.id, entity="announcement", entity_id=row.incident_id,
                    action="closed" if body.close else "changed",
                    detail=body.model_dump(mode="json", exclude_defaults=True))
        answer = announcement_json(row)
    await _changed(request)
    return web.json_response(answer)


def _apply_change(row: Announcement, body: AnnouncementChange, actor: str, at: datetime) -> None:
    ends_at = body.ends_at or row.ends_at
    recovery_at = body.recovery_at or row.recovery_at
    try:
        rules.check_window(row.starts_at, ends_at, recovery_at)
        if body.text is not None:
            row.text = rules.check_text(body.text)
    except AnnouncementError as exc:
        raise _invalid(exc) from exc
    row.ends_at, row.recovery_at = ends_at, recovery_at
    if body.close:
        row.closed_at, row.closed_by = at, actor


@routes.get("/api/announcements/{announcement_id:\\d+}/orders")
async def incident_orders(request: web.Request) -> web.Response:
    """The orders attached to the announcement's parent incident, oldest first."""
    await current_user(request, CENTER)
    announcement_id = path_row_id(request, "announcement_id")
    async with request.app[SESSIONS]() as session:
        row = await session.get(Announcement, announcement_id)
        if row is None:
            raise api_error(web.HTTPNotFound, "no-such-announcement", "no such announcement")
        found = await session.execute(
            select(WorkOrder.number, IncidentLink.call_session_id, IncidentLink.linked_at)
            .join(IncidentLink, IncidentLink.order_id == WorkOrder.id)
            .where(IncidentLink.announcement_id == announcement_id)
            .order_by(IncidentLink.id))
        orders = [{"number": n, "from_call": c is not None, "linked_at": at.isoformat()}
                  for n, c, at in found]
    return web.json_response({"incident_id": row.incident_id, "orders": orders})
