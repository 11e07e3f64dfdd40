"""The knowledge base over HTTP: agents search and answer from it, the business section
keeps it, agencies propose changes (issue 17; L 3.2.3(1): consultations answered on the spot).

`POST /api/knowledge/{id}/answered` is the consultation's record: it creates the
consultation order, closes it as answered on the spot (the lifecycle's `answer`), and keeps
which entry, in which version, was read out. That order counts in the statistics like any.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from console.api import CENTER, ENGINE, current_user, now, read_body, translated
from console.http import SESSIONS, api_error, order_json, path_row_id
from routing.enums import OrderType, Utility
from routing.knowledge_base import knowledge_repository as store
from routing.knowledge_base.knowledge import MAX_QUERY, EntryText, KnowledgeError, load_seed, search
from routing.knowledge_base.knowledge_repository import Actor, EntryNotFound, ProposalDecided
from routing.orders.lifecycle import Command, Event
from routing.orders.order_service import Intake, apply_event, create_order, load_row
from routing.orders.transitions import Role
from routing.store.knowledge_tables import KnowledgeEntry, KnowledgeRevision

routes = web.RouteTableDef()
KEEPERS = frozenset({Role.BUSINESS_SECTION, Role.LEADER})  # who edits the answers
READERS = CENTER | {Role.AGENCY}
REVIEW_DAYS = 365
_PHONE = r"^\+?[0-9]{3,20}$"


class EntryCreate(EntryText):
    slug: str = Field(pattern=r"^[a-z0-9-]{3,64}$")


class EntryChange(EntryText):
    note: str | None = Field(default=None, max_length=500)


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    accept: bool
    note: str | None = Field(default=None, max_length=500)


class Answered(BaseModel):
    """A call answered on the spot from an entry."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    caller_number: str = Field(pattern=_PHONE)
    question: str = Field(min_length=1, max_length=4000)
    utility: Utility | None = None
    call_id: str | None = Field(default=None, max_length=64)


def entry_json(row: KnowledgeEntry, score: float | None = None) -> dict[str, Any]:
    found = {
        "id": row.id, "slug": row.slug, "utility": row.utility.value if row.utility else None,
        "title": row.title, "answer": row.answer, "tags": row.tags, "clauses": row.clauses,
        "valid_from": _day(row.valid_from), "valid_to": _day(row.valid_to),
        "owner": row.owner, "review_on": row.review_on.isoformat(), "version": row.version,
        "updated_at": row.updated_at.isoformat(), "updated_by": row.updated_by,
    }
    if score is not None:
        found["score"] = score
    return found


def revision_json(row: KnowledgeRevision) -> dict[str, Any]:
    return {
        "id": row.id, "kind": row.kind, "state": row.state, "content": row.content,
        "note": row.note, "by": row.by, "at": row.at.isoformat(), "decided_by": row.decided_by,
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
    }


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


@contextlib.contextmanager
def _as_api_errors() -> Iterator[None]:
    """The knowledge store's refusals as the API's errors."""
    try:
        yield
    except KnowledgeError as exc:
        raise _failed(exc) from exc


def _failed(exc: KnowledgeError) -> web.HTTPException:
    if isinstance(exc, EntryNotFound):
        return api_error(web.HTTPNotFound, "no-such-knowledge-entry", "没有这条知识")
    if isinstance(exc, ProposalDecided):
        return api_error(web.HTTPConflict, "proposal-decided", "该修改建议已处理")
    return api_error(web.HTTPUnprocessableEntity, "invalid-knowledge-entry", str(exc))


def _text(body: EntryText, extra: str) -> EntryText:
    """The entry's own fields of a request body (already checked once: tidying may leave a
    title too short, which is still the client's error)."""
    try:
        return EntryText.model_validate(body.model_dump(exclude={extra}))
    except ValidationError as exc:
        raise api_error(web.HTTPUnprocessableEntity, "invalid-knowledge-entry",
                        str(exc.errors(include_url=False, include_input=False))) from exc


def _utility(request: web.Request) -> Utility | None:
    raw = request.query.get("utility")
    if not raw:
        return None
    try:
        return Utility(raw)
    except ValueError:
        raise api_error(web.HTTPBadRequest, "invalid-utility", f"未知的行业: {raw}") from None


@routes.get("/api/knowledge/search")
async def find_answers(request: web.Request) -> web.StreamResponse:
    """`?q=` the best answers to a question, scored, best first (what the screen-pop shows)."""
    if not request.query.get("q", "").strip():
        await current_user(request, READERS)
        raise api_error(web.HTTPBadRequest, "query-missing", "请输入问题 (q)")
    return await find(request)


@routes.get("/api/knowledge")
async def find(request: web.Request) -> web.Response:
    """`?q=` the best answers to a question (scored); without it every active entry."""
    await current_user(request, READERS)
    query = request.query.get("q", "").strip()
    if len(query) > MAX_QUERY:
        raise api_error(web.HTTPBadRequest, "query-too-long", f"问题最多 {MAX_QUERY} 字")
    utility = _utility(request)
    async with request.app[SESSIONS]() as session:
        rows = {r.id: r for r in await store.active_entries(session)}
    if not query:
        listed = [entry_json(r) for r in rows.values() if utility in (None, r.utility)]
        return web.json_response({"entries": listed})
    found = search(query, [store.searchable(r) for r in rows.values()], utility=utility,
                   today=now().date())
    return web.json_response({"query": query,
                              "entries": [entry_json(rows[e.id], s) for e, s in found]})


@routes.get("/api/knowledge/{entry_id:\\d+}")
async def read(request: web.Request) -> web.Response:
    """One entry with its history: every version, the seed's first, and open proposals."""
    await current_user(request, READERS)
    entry_id = path_row_id(request, "entry_id")
    async with request.app[SESSIONS]() as session:
        with _as_api_errors():
            row = await store.load_entry(session, entry_id)
        history = [revision_json(r) for r in await store.revisions(session, entry_id)]
    return web.json_response({**entry_json(row), "revisions": history})


@routes.post("/api/knowledge")
async def create(request: web.Request) -> web.Response:
    user = await current_user(request, KEEPERS)
    body = await read_body(request, EntryCreate)
    at = now()
    text = _text(body, "slug")
    with _as_api_errors():
        async with request.app[SESSIONS].begin() as session:
            row = await store.create_entry(
                session, body.slug, text, owner=user.id,
                review_on=at.date() + timedelta(days=REVIEW_DAYS), actor=Actor(user.id, at))
            answer = entry_json(row)
    return web.json_response(answer, status=201)


@routes.put("/api/knowledge/{entry_id:\\d+}")
async def edit(request: web.Request) -> web.Response:
    user = await current_user(request, KEEPERS)
    body = await read_body(request, EntryChange)
    text = _text(body, "note")
    return await _in_entry(request, lambda s, row: store.edit_entry(
        s, row, text, actor=Actor(user.id, now()), note=body.note), entry_json)


@routes.post("/api/knowledge/{entry_id:\\d+}/proposals")
async def propose(request: web.Request) -> web.Response:
    """An agency's better wording of an answer about its own service; decided by the center."""
    user = await current_user(request, {Role.AGENCY})
    body = await read_body(request, EntryChange)
    text = _text(body, "note")
    return await _in_entry(request, lambda s, row: store.propose(
        s, row, text, actor=Actor(user.id, now()), note=body.note), revision_json, status=201)


async def _in_entry(request: web.Request, change: Any, shown: Any, status: int = 200
                    ) -> web.Response:
    entry_id = path_row_id(request, "entry_id")
    with _as_api_errors():
        async with request.app[SESSIONS].begin() as session:
            row = await store.load_entry(session, entry_id, lock=True)
            answer = shown(await change(session, row))
    return web.json_response(answer, status=status)


@routes.post("/api/knowledge/proposals/{revision_id:\\d+}/decision")
async def decide(request: web.Request) -> web.Response:
    user = await current_user(request, KEEPERS)
    body = await read_body(request, Decision)
    revision_id = path_row_id(request, "revision_id")
    with _as_api_errors():
        async with request.app[SESSIONS].begin() as session:
            revision = await store.decide(session, revision_id, accept=body.accept,
                                          actor=Actor(user.id, now()), note=body.note)
            answer = revision_json(revision)
    return web.json_response(answer)


@routes.post("/api/knowledge/{entry_id:\\d+}/answered")
@translated
async def answered(request: web.Request) -> web.Response:
    """The consultation order, closed as answered on the spot with this entry (L 3.2.3(1))."""
    user = await current_user(request, {Role.CENTER_STAFF})
    body = await read_body(request, Answered)
    entry_id = path_row_id(request, "entry_id")
    async with request.app[SESSIONS]() as session:
        with _as_api_errors():
            entry = await store.load_entry(session, entry_id)
    engine, at = request.app[ENGINE], now()
    intake = Intake(utility=body.utility or entry.utility, order_type=OrderType.CONSULTATION,
                    description=body.question, caller_number=body.caller_number,
                    call_id=body.call_id)
    row = await create_order(engine, intake=intake, actor=user.id, now=at)
    used = f"知识库 #{entry.id} v{entry.version}: {entry.title}"
    command = Command(event=Event.ANSWER, actor=user.id, role=user.role, at=at,
                      actor_agency=None, reason=used)
    row = await apply_event(engine, number=row.number, command=command)
    async with engine.sessions.begin() as session:
        stored = await load_row(session, number=row.number)
        await store.record_use(session, entry, order_id=stored.id, actor=Actor(user.id, at))
    return web.json_response({"order": order_json(row), "entry": entry_json(entry)}, status=201)


async def seed(session: AsyncSession) -> int:
    """Add the packaged seed's new entries (serve calls this at start)."""
    return await store.seed_missing(session, load_seed(), at=now())
