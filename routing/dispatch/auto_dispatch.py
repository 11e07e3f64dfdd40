"""The automatic dispatcher: orders the dispatch policy sends by themselves.

A pass reads the orders still `created` that may be owed a dispatch (emergencies, doubtful
orders, whose hold ends at a share of their window, and orders whose dispatch limit is within
the policy's longest lead), asks the pure policy
(`routing.dispatch.dispatch_policy.decide`) about each, and dispatches those whose time has come
through the order service, as actor `system`, with the rule that fired on the order
(`auto_dispatch_rule`) and in its audit row. When the rule says so, the unit's duty line is
queued for a ring in the same transaction (a `voice_escalation` notice that the ARI side's
duty caller carries out). A doubtful order (the policy's `doubtful` hold) is dispatched with
a `dispatched_unreviewed` audit row and a notice for the center, and `alert` tells the
supervisors once it is committed.

Everything it knows is in the database: it may stop, restart, or run in two processes. Two
passes that pick the same order both try, and the order's version lets exactly one dispatch
win; the other gets `OrderChanged` or a refused transition and moves on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from routing.agencies.directory import RoutingError, route
from routing.dispatch.assignment import dispatch
from routing.dispatch.dispatch_policy import Decision, DispatchPolicy, decide
from routing.dispatch.voice_escalation import KIND as VOICE
from routing.orders.order_service import OrderEngine, ServiceError
from routing.orders.repository import audit
from routing.orders.speech_doubt import speech_doubts
from routing.orders.transitions import OrderError, Role, State
from routing.store.models import WorkOrder
from routing.store.order_tables import Notification

log = logging.getLogger(__name__)
ACTOR = "system"
BATCH = 200
# The center's notice that a doubtful order went to its unit with nobody reviewing it.
UNREVIEWED = "unreviewed_dispatch"
UNREVIEWED_TOPIC = "dispatch_unreviewed"  # the live hub's alert to the supervisors


@dataclass
class AutoDispatchReport:
    examined: int = 0
    dispatched: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    unreviewed: list[dict[str, Any]] = field(default_factory=list)  # for the supervisors


def _longest_lead(policy: DispatchPolicy) -> timedelta:
    leads = [r.auto_before_due_minutes or 0.0 for r in policy.rules]
    return timedelta(minutes=max(leads))


async def _candidates(engine: OrderEngine, policy: DispatchPolicy, now: datetime
                      ) -> list[tuple[WorkOrder, Decision]]:
    query = (
        select(WorkOrder)
        .where(WorkOrder.status == State.CREATED, WorkOrder.utility.is_not(None),
               or_(WorkOrder.emergency.is_(True), WorkOrder.keys_words_disagree.is_(True),
                   WorkOrder.dispatch_due <= now + _longest_lead(policy)))
        .order_by(WorkOrder.dispatch_due, WorkOrder.id).limit(BATCH)
    )
    async with engine.sessions() as session:
        rows = list((await session.execute(query)).scalars())
    owed = []
    for row in rows:
        decision = decision_for(policy, row)
        if decision.auto_at is not None and decision.auto_at <= now:
            owed.append((row, decision))
    return owed


def decision_for(policy: DispatchPolicy, row: WorkOrder) -> Decision:
    """The policy's decision about a stored order."""
    return decide(policy, utility=row.utility, order_type=row.order_type,
                  emergency=row.emergency, created_at=row.created_at,
                  dispatch_due=row.dispatch_due, doubtful=row.keys_words_disagree)


async def history_district(session: AsyncSession, row: WorkOrder) -> str | None:
    """The district of the caller's latest earlier order that has one (the caller's history)."""
    if row.caller_number is None:
        return None
    query = (
        select(WorkOrder.district)
        .where(WorkOrder.caller_number == row.caller_number, WorkOrder.district.is_not(None),
               WorkOrder.id != row.id)
        .order_by(WorkOrder.created_at.desc()).limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def _unit(engine: OrderEngine, row: WorkOrder) -> tuple[str | None, str | None]:
    """The unit route() picks with the district from speech, or else from the caller's
    history (None: route() decides from the row as it is), and where the district came from."""
    if row.district is not None:
        return None, "order"
    async with engine.sessions() as session:
        district = await history_district(session, row)
    if district is None:
        return None, None
    try:
        return route(engine.directory, row.utility, district).id, "caller_history"
    except RoutingError:
        return None, None


def _mark(decision: Decision, district_from: str | None, at: datetime,
          alerts: list[dict[str, Any]]) -> Any:
    async def also(session: AsyncSession, row: WorkOrder) -> None:
        row.auto_dispatch_rule = decision.rule
        await audit(session, actor=ACTOR, entity="work_order", entity_id=row.number,
                    action="auto_dispatched",
                    detail={"rule": decision.rule, "clauses": list(decision.clauses),
                            "agency": row.agency_id, "district_from": district_from})
        if decision.unreviewed_doubt:
            await _unreviewed(session, row, decision, at)
            alerts.append(unreviewed_alert(row))  # told once the dispatch is committed
        if decision.ring_duty_line:
            session.add(Notification(
                order_id=row.id, kind=VOICE, due_at=at, created_at=at, agency_id=row.agency_id,
                detail={"number": row.number, "contact": "duty", "step": 0,
                        "why": "dispatched"}))
    return also


async def _unreviewed(session: AsyncSession, row: WorkOrder, decision: Decision,
                      at: datetime) -> None:
    """The audit row that nobody reviewed the doubt, and the center's notice of it."""
    doubts = speech_doubts(keys_words_disagree=row.keys_words_disagree, speech=row.speech)
    detail = {"rule": decision.rule, "clauses": list(decision.clauses),
              "agency": row.agency_id, "doubts": doubts}
    await audit(session, actor=ACTOR, entity="work_order", entity_id=row.number,
                action="dispatched_unreviewed", detail=detail)
    session.add(Notification(order_id=row.id, kind=UNREVIEWED, due_at=at, created_at=at,
                             agency_id=row.agency_id, detail={"number": row.number, **detail}))


def unreviewed_alert(row: WorkOrder) -> dict[str, Any]:
    """What the supervisors are told of a doubtful order sent unreviewed."""
    return {"number": row.number, "agency_id": row.agency_id, "utility": row.utility,
            "doubts": speech_doubts(keys_words_disagree=row.keys_words_disagree,
                                    speech=row.speech)}


async def dispatch_owed(engine: OrderEngine, policy: DispatchPolicy, *, now: datetime
                        ) -> AutoDispatchReport:
    """One pass: dispatch every order the policy says is owed a dispatch by now."""
    report = AutoDispatchReport()
    for row, decision in await _candidates(engine, policy, now):
        report.examined += 1
        agency_id, district_from = await _unit(engine, row)
        alerts: list[dict[str, Any]] = []
        try:
            await dispatch(engine, number=row.number, actor=ACTOR, role=Role.BUSINESS_SECTION,
                           at=now, agency_id=agency_id,
                           also=_mark(decision, district_from, now, alerts))
        except (ServiceError, OrderError) as exc:  # taken meanwhile, or no unit for it
            log.info("auto-dispatch of %s not done: %s", row.number, exc)
            report.refused.append(row.number)
            continue
        report.dispatched.append(row.number)
        report.unreviewed += alerts
    return report


async def run_auto_dispatch(engine: OrderEngine, policy: DispatchPolicy, *, interval_s: float,
                            wake: asyncio.Event,
                            alert: Callable[[dict[str, Any]], None] | None = None) -> None:
    """A pass every interval, and at once when woken (an order committed or flagged);
    `alert` tells the supervisors of each doubtful order sent unreviewed."""
    while True:
        wake.clear()
        try:
            report = await dispatch_owed(engine, policy, now=datetime.now(UTC))
            if report.dispatched:
                log.info("auto-dispatched %s", report.dispatched)
            for unreviewed in report.unreviewed:
                log.warning("doubtful order %s dispatched unreviewed", unreviewed["number"])
                if alert is not None:
                    alert(unreviewed)
        except asyncio.CancelledError:
            raise
        except Exception:  # a database blip must not end the dispatcher
            log.exception("auto-dispatch pass failed")
        try:
            async with asyncio.timeout(interval_s):
                await wake.wait()
        except TimeoutError:
            pass
