"""Sending dispatch pushes: the signed webhook (`routing.dispatch.webhook.deliver`) and its retries.

A push row is claimed (its `next_attempt_at` moved a lease ahead) in a short transaction,
sent with no transaction open, and its result recorded in another. Claims use
`FOR UPDATE SKIP LOCKED` on PostgreSQL, so two sweepers never send the same push at once;
the agency sees the same idempotency key on every retry of one dispatch.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from routing.dispatch.assignment import PUSH_LEASE_S
from routing.dispatch.webhook import (
    DeliveryResult,
    MissingSecretError,
    Outcome,
    deliver,
    next_attempt_at,
    order_payload,
    webhook_secret,
)
from routing.orders.order_service import OrderEngine
from routing.orders.order_store import deadlines_for
from routing.store.models import WorkOrder
from routing.store.order_tables import DispatchAttempt, PushStatus


@dataclass(frozen=True)
class PushReport:
    attempt_id: int
    status: PushStatus
    http_status: int | None


async def push(engine: OrderEngine, *, attempt_id: int, now: datetime) -> PushReport:
    """Send one claimed push now and record what happened."""
    async with engine.sessions() as session:
        attempt = await session.get(DispatchAttempt, attempt_id)
        row = None if attempt is None else await session.get(WorkOrder, attempt.order_id)
    if attempt is None or row is None:
        raise LookupError(f"no dispatch attempt {attempt_id}")
    result = await _send(engine, attempt, row)
    async with engine.sessions.begin() as session:
        fresh = await session.get(DispatchAttempt, attempt_id, with_for_update=True)
        assert fresh is not None  # rows are never deleted
        _record(fresh, result, now)
        return PushReport(fresh.id, fresh.status, result.status)


async def _send(engine: OrderEngine, attempt: DispatchAttempt, row: WorkOrder) -> DeliveryResult:
    agency = engine.directory.agencies.get(attempt.agency_id)
    if agency is None or agency.webhook_url is None or engine.http is None:
        return DeliveryResult(Outcome.PERMANENT, None, 0.0, "no webhook for this agency")
    try:
        secret = webhook_secret(agency, engine.environ or os.environ)
    except MissingSecretError as exc:
        return DeliveryResult(Outcome.PERMANENT, None, 0.0, str(exc))
    assert row.utility is not None  # only routed (classified) orders are dispatched
    payload = order_payload(
        order_number=row.number, dispatch_id=attempt.idempotency_key.rsplit(":", 1)[-1],
        agency_id=agency.id, utility=row.utility, order_type=row.order_type,
        created_at=row.created_at, district=row.district, address=row.address,
        caller_number=row.caller_number, deadlines=deadlines_for(row), summary=row.description,
    )
    return await deliver(engine.http, agency.webhook_url, secret, payload,
                         attempt.idempotency_key, timeout_s=engine.webhook_timeout_s,
                         scheme=engine.webhook_scheme)


def _record(attempt: DispatchAttempt, result: DeliveryResult, now: datetime) -> None:
    """The attempt's new state after one delivery, per the retry schedule."""
    attempt.attempts += 1
    attempt.last_status, attempt.last_error = result.status, result.error
    if result.outcome is Outcome.DELIVERED:
        attempt.status, attempt.delivered_at, attempt.next_attempt_at = (
            PushStatus.DELIVERED, now, None)
        return
    due = None
    if result.outcome is Outcome.RETRY:
        due = next_attempt_at(attempt.attempts, attempt.created_at, attempt.urgent)
        if due is not None and result.retry_after_s is not None:
            due = max(due, now + timedelta(seconds=result.retry_after_s))  # the agency asked
    attempt.status = PushStatus.RETRY if due is not None else PushStatus.FAILED
    attempt.next_attempt_at = due


async def claim_due_pushes(session: AsyncSession, *, now: datetime, limit: int) -> list[int]:
    """Claim the pushes due now (lease them), skipping rows another sweeper holds."""
    query = (
        select(DispatchAttempt)
        .where(DispatchAttempt.status.in_([PushStatus.QUEUED, PushStatus.RETRY]),
               DispatchAttempt.next_attempt_at <= now)
        .order_by(DispatchAttempt.next_attempt_at).limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list((await session.execute(query)).scalars())
    for row in rows:
        row.next_attempt_at = now + timedelta(seconds=PUSH_LEASE_S)
    return [row.id for row in rows]


async def push_due(engine: OrderEngine, *, now: datetime, limit: int = 50) -> list[PushReport]:
    """Claim and send every push that is due (first sends of a dead sender, and retries)."""
    async with engine.sessions.begin() as session:
        ids = await claim_due_pushes(session, now=now, limit=limit)
    return [await push(engine, attempt_id=i, now=now) for i in ids]
