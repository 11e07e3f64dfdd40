"""The knowledge base in the database: seeding, reading, edits with history, agencies'
proposals, and the record of a consultation answered from an entry.

The rules (what an entry may say, how a question finds it) are `routing.knowledge_base.knowledge`;
this
module only reads and writes rows, each change in the caller's transaction with its audit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from routing.enums import OrderType
from routing.knowledge_base.knowledge import (
    EntryText,
    KnowledgeError,
    Searchable,
    Seed,
    check_validity,
)
from routing.orders.repository import audit
from routing.reports.kpi_consultations import AnsweredBy, ConsultationRecord
from routing.store.knowledge_tables import KnowledgeEntry, KnowledgeRevision, KnowledgeUse
from routing.store.models import WorkOrder

_DAYS_PER_MONTH = 30


class EntryNotFound(KnowledgeError):
    pass


class ProposalDecided(KnowledgeError):
    pass


@dataclass(frozen=True)
class Actor:
    id: str
    at: datetime


def searchable(row: KnowledgeEntry) -> Searchable:
    return Searchable(
        id=row.id,
        utility=row.utility,
        title=row.title,
        answer=row.answer,
        tags=tuple(row.tags),
        valid_from=row.valid_from,
        valid_to=row.valid_to,
    )


def content_of(text: EntryText) -> dict[str, Any]:
    return text.model_dump(mode="json")


async def seed_missing(session: AsyncSession, seed: Seed, *, at: datetime) -> int:
    """Add the seed's entries whose slug is not stored yet; never overwrite an edit."""
    known = set((await session.scalars(select(KnowledgeEntry.slug))).all())
    review_on = at.date() + timedelta(days=_DAYS_PER_MONTH * seed.review_months)
    added = 0
    for entry in seed.entries:
        if entry.slug in known:
            continue
        text = EntryText.model_validate(entry.model_dump(exclude={"slug"}))
        row = _new_row(
            entry.slug, text, owner=seed.owner, review_on=review_on, by=Actor("seed", at)
        )
        session.add(row)
        await session.flush()
        session.add(_revision(row.id, "seed", "applied", content_of(text), Actor("seed", at)))
        added += 1
    return added


async def active_entries(session: AsyncSession) -> list[KnowledgeEntry]:
    found = await session.scalars(
        select(KnowledgeEntry).where(KnowledgeEntry.retired.is_(False)).order_by(KnowledgeEntry.id)
    )
    return list(found.all())


async def load_entry(session: AsyncSession, entry_id: int, *, lock: bool = False) -> KnowledgeEntry:
    query = select(KnowledgeEntry).where(KnowledgeEntry.id == entry_id)
    row = (await session.execute(query.with_for_update() if lock else query)).scalar_one_or_none()
    if row is None:
        raise EntryNotFound(f"no knowledge entry {entry_id}")
    return row


async def revisions(session: AsyncSession, entry_id: int) -> list[KnowledgeRevision]:
    found = await session.scalars(
        select(KnowledgeRevision)
        .where(KnowledgeRevision.entry_id == entry_id)
        .order_by(KnowledgeRevision.id)
    )
    return list(found.all())


async def create_entry(
    session: AsyncSession, slug: str, text: EntryText, *, owner: str, review_on: date, actor: Actor
) -> KnowledgeEntry:
    check_validity(text.valid_from, text.valid_to)
    taken = await session.scalar(select(KnowledgeEntry.id).where(KnowledgeEntry.slug == slug))
    if taken is not None:
        raise KnowledgeError(f"slug {slug} is taken")
    row = _new_row(slug, text, owner=owner, review_on=review_on, by=actor)
    session.add(row)
    await session.flush()
    session.add(_revision(row.id, "create", "applied", content_of(text), actor))
    await audit(
        session,
        actor=actor.id,
        entity="knowledge",
        entity_id=str(row.id),
        action="created",
        detail={"slug": slug},
    )
    return row


async def edit_entry(
    session: AsyncSession,
    row: KnowledgeEntry,
    text: EntryText,
    *,
    actor: Actor,
    note: str | None,
    kind: str = "edit",
) -> KnowledgeEntry:
    """Apply a new version: the entry changes, the old wording stays in its revisions."""
    check_validity(text.valid_from, text.valid_to)
    _apply(row, text)
    row.version += 1
    row.updated_at, row.updated_by = actor.at, actor.id
    session.add(_revision(row.id, kind, "applied", content_of(text), actor, note))
    await audit(
        session,
        actor=actor.id,
        entity="knowledge",
        entity_id=str(row.id),
        action="edited",
        detail={"version": row.version, "note": note},
    )
    return row


async def propose(
    session: AsyncSession, row: KnowledgeEntry, text: EntryText, *, actor: Actor, note: str | None
) -> KnowledgeRevision:
    """An agency's suggested wording: stored, not applied, until the business section says."""
    revision = _revision(row.id, "proposal", "proposed", content_of(text), actor, note)
    session.add(revision)
    await session.flush()
    await audit(
        session,
        actor=actor.id,
        entity="knowledge",
        entity_id=str(row.id),
        action="proposed",
        detail={"revision": revision.id},
    )
    return revision


async def decide(
    session: AsyncSession, revision_id: int, *, accept: bool, actor: Actor, note: str | None
) -> KnowledgeRevision:
    revision = await session.get(KnowledgeRevision, revision_id, with_for_update=True)
    if revision is None or revision.kind != "proposal":
        raise EntryNotFound(f"no proposal {revision_id}")
    if revision.state != "proposed":
        raise ProposalDecided(f"proposal {revision_id} was {revision.state} already")
    revision.state = "applied" if accept else "refused"
    revision.decided_by, revision.decided_at = actor.id, actor.at
    if accept:
        row = await load_entry(session, revision.entry_id, lock=True)
        text = EntryText.model_validate(revision.content)
        _apply(row, text)
        row.version += 1
        row.updated_at, row.updated_by = actor.at, actor.id
    await audit(
        session,
        actor=actor.id,
        entity="knowledge",
        entity_id=str(revision.entry_id),
        action="proposal_accepted" if accept else "proposal_refused",
        detail={"revision": revision.id, "note": note},
    )
    return revision


async def record_use(
    session: AsyncSession, row: KnowledgeEntry, *, order_id: int, actor: Actor
) -> KnowledgeUse:
    use = KnowledgeUse(
        entry_id=row.id, entry_version=row.version, order_id=order_id, by=actor.id, at=actor.at
    )
    session.add(use)
    await session.flush()
    return use


def _new_row(
    slug: str, text: EntryText, *, owner: str, review_on: date, by: Actor
) -> KnowledgeEntry:
    row = KnowledgeEntry(
        slug=slug,
        owner=owner,
        review_on=review_on,
        version=1,
        retired=False,
        updated_at=by.at,
        updated_by=by.id,
    )
    _apply(row, text)
    return row


def _apply(row: KnowledgeEntry, text: EntryText) -> None:
    row.utility, row.title, row.answer = text.utility, text.title, text.answer
    row.tags, row.clauses = list(text.tags), list(text.clauses)
    row.valid_from, row.valid_to = text.valid_from, text.valid_to


def _revision(
    entry_id: int,
    kind: str,
    state: str,
    content: dict[str, Any],
    actor: Actor,
    note: str | None = None,
) -> KnowledgeRevision:
    return KnowledgeRevision(
        entry_id=entry_id,
        kind=kind,
        state=state,
        content=content,
        note=note,
        by=actor.id,
        at=actor.at,
    )


async def consultation_records(
    session: AsyncSession, *, since: datetime
) -> list[ConsultationRecord]:
    """Every consultation taken since `since`: orders (on the spot when a knowledge use
    closed them, else recorded for a reply) and calls the IVR answered."""
    orders = await session.execute(
        select(WorkOrder.utility, WorkOrder.created_at, KnowledgeUse.id)
        .outerjoin(KnowledgeUse, KnowledgeUse.order_id == WorkOrder.id)
        .where(WorkOrder.order_type == OrderType.CONSULTATION, WorkOrder.created_at >= since)
    )
    found = [
        ConsultationRecord(
            u.value if u else None, at, AnsweredBy.AGENT if use else AnsweredBy.LATER
        )
        for u, at, use in orders
    ]
    calls = await session.execute(
        select(KnowledgeEntry.utility, KnowledgeUse.at)
        .join(KnowledgeEntry, KnowledgeEntry.id == KnowledgeUse.entry_id)
        .where(KnowledgeUse.order_id.is_(None), KnowledgeUse.at >= since)
    )
    return found + [
        ConsultationRecord(u.value if u else None, at, AnsweredBy.IVR) for u, at in calls
    ]
