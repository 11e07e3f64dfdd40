"""Callback surveys in the database: scheduled with the unit's report, planned by the policy,
claimed by the survey worker, and closed with what the citizen said.

Every function runs in the caller's transaction except `record_answer`, which applies the
order's lifecycle events through `routing.orders.order_service.apply_event` (one transaction each).
Claims lock with SKIP LOCKED on PostgreSQL, so two workers never ring one citizen twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from routing.followup.survey import (
    SurveyStatus,
    Verdict,
    after_unreached,
    in_calling_hours,
    plan,
    skip_reason,
)
from routing.followup.survey_policy import SurveyPolicy
from routing.orders.lifecycle import Command
from routing.orders.order_service import OrderEngine, apply_event
from routing.orders.transitions import Event, OrderError, Role, State
from routing.reports.kpi_survey import SurveyRecord
from routing.store.models import WorkOrder
from routing.store.survey_tables import CallbackSurvey

SURVEYED_STATES = (State.HANDLED, State.NOT_HANDLED)
ACTOR = "survey"  # who the survey's lifecycle events are recorded as


@dataclass(frozen=True)
class SurveyCall:
    """One survey call to place now: whom to ring and what to tell them."""

    survey_id: int
    order_number: str
    caller_number: str
    utility: str | None
    reported: str  # "handled" | "not_handled"
    attempt: int


async def plan_new(session: AsyncSession, *, policy: SurveyPolicy, now: datetime,
                   limit: int = 100) -> int:
    """Give new surveys their times from the policy, or skip the ones never to be rung."""
    query = (
        select(CallbackSurvey, WorkOrder).join(WorkOrder, WorkOrder.id == CallbackSurvey.order_id)
        .where(CallbackSurvey.planned.is_(False)).order_by(CallbackSurvey.id).limit(limit)
    )
    rows = (await session.execute(_locked(session, query))).tuples().all()
    for survey, order in rows:
        survey.planned = True
        chosen = plan(reported_at=survey.reported_at, utility=survey.utility, policy=policy)
        survey.due_at, survey.give_up_at, survey.clause = (
            chosen.due_at, chosen.give_up_at, chosen.clause)
        skipped = skip_reason(caller_number=order.caller_number,
                              declined=order.callback_declined, give_up_at=chosen.give_up_at,
                              now=now)
        if skipped is None:
            survey.next_attempt_at = chosen.first_at
        else:
            survey.status, survey.last_result = skipped, skipped.value
            survey.finished_at = now
    return len(rows)


async def claim_due(
    session: AsyncSession, *, now: datetime, limit: int, policy: SurveyPolicy
) -> list[SurveyCall]:
    """The surveys to ring now (marked `calling`); a survey whose order moved on is moot."""
    if limit <= 0 or not in_calling_hours(now, policy):
        return []
    query = (
        select(CallbackSurvey, WorkOrder).join(WorkOrder, WorkOrder.id == CallbackSurvey.order_id)
        .where(CallbackSurvey.status == SurveyStatus.SCHEDULED,
               CallbackSurvey.planned.is_(True), CallbackSurvey.next_attempt_at <= now)
        .order_by(CallbackSurvey.next_attempt_at).limit(limit)
    )
    calls = []
    for survey, order in (await session.execute(_locked(session, query))).tuples():
        if order.status not in SURVEYED_STATES or not order.caller_number:
            survey.status, survey.finished_at, survey.last_result = SurveyStatus.MOOT, now, "moot"
            continue
        survey.status, survey.attempts = SurveyStatus.CALLING, survey.attempts + 1
        calls.append(SurveyCall(survey.id, order.number, order.caller_number, order.utility,
                                survey.reported, survey.attempts))
    return calls


async def record_unreached(
    session: AsyncSession, *, survey_id: int, result: str, now: datetime, policy: SurveyPolicy
) -> SurveyStatus:
    """No answer, busy, failed or no key: ring again later, or onto the manual list."""
    survey = await _get(session, survey_id)
    if survey.status is not SurveyStatus.CALLING:
        return survey.status  # the call failed after its outcome was recorded: keep it
    retry = after_unreached(attempts=survey.attempts, now=now,
                            give_up_at=survey.give_up_at or now, policy=policy)
    survey.status, survey.next_attempt_at, survey.last_result = retry.status, retry.at, result[:64]
    if retry.at is None:
        survey.finished_at = now
    return retry.status


async def record_reached(session: AsyncSession, *, survey_id: int, now: datetime) -> None:
    survey = await _get(session, survey_id)
    survey.reached_at = survey.reached_at or now


async def record_agent(session: AsyncSession, *, survey_id: int, now: datetime,
                       put_through: bool) -> None:
    """The citizen pressed 0: an agent takes the survey over (the order stays as it is);
    with no agent to put them through to, the order goes on the manual callback list."""
    survey = await _get(session, survey_id)
    survey.status = SurveyStatus.AGENT if put_through else SurveyStatus.MANUAL
    survey.finished_at, survey.last_result = now, "key_0" if put_through else "key_0_no_agent"


async def record_answer(
    engine: OrderEngine, *, call: SurveyCall, verdict: Verdict, now: datetime
) -> str:
    """Close or reopen the order on the citizen's key and record the satisfaction."""
    result = f"key_{verdict.satisfaction}"
    try:
        for event in verdict.events:
            await _apply_unless_done(engine, call.order_number, event, verdict.reason, now)
    except OrderError as exc:  # an agent acted on the order meanwhile: keep what they did
        result = f"order_refused: {exc.error_id}"
    async with engine.sessions.begin() as session:
        survey = await _get(session, call.survey_id)
        survey.status, survey.satisfaction = verdict.status, verdict.satisfaction
        survey.finished_at, survey.last_result = now, result[:64]
        survey.reached_at = survey.reached_at or now
        await session.execute(update(WorkOrder).where(WorkOrder.number == call.order_number)
                              .values(satisfaction=verdict.satisfaction))
    return result


async def _apply_unless_done(engine: OrderEngine, number: str, event: Event,
                             reason: str | None, now: datetime) -> None:
    async with engine.sessions.begin() as session:
        status = (await session.execute(
            select(WorkOrder.status).where(WorkOrder.number == number))).scalar_one()
    if event is Event.START_CALLBACK and status is State.CALLBACK:
        return  # an agent started the callback already; the key still decides
    command = Command(event=event, actor=ACTOR, role=Role.CENTER_STAFF, at=now, reason=reason)
    await apply_event(engine, number=number, command=command)


async def release_stale_claims(session: AsyncSession, *, now: datetime) -> int:
    """After a restart: calls marked `calling` by a process that died are tried again."""
    result = await session.execute(
        update(CallbackSurvey).where(CallbackSurvey.status == SurveyStatus.CALLING)
        .values(status=SurveyStatus.SCHEDULED, next_attempt_at=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def manual_callbacks(session: AsyncSession, *, limit: int = 200) -> list[dict[str, Any]]:
    """The agents' manual callback list: citizens the phone did not reach, oldest first."""
    query = (
        select(CallbackSurvey, WorkOrder).join(WorkOrder, WorkOrder.id == CallbackSurvey.order_id)
        .where(CallbackSurvey.status == SurveyStatus.MANUAL, WorkOrder.status.in_(SURVEYED_STATES))
        .order_by(CallbackSurvey.reported_at).limit(limit)
    )
    return [_manual_json(s, o) for s, o in (await session.execute(query)).tuples()]


def _manual_json(survey: CallbackSurvey, order: WorkOrder) -> dict[str, Any]:
    return {
        "order_number": order.number, "caller_number": order.caller_number,
        "utility": survey.utility, "agency_id": survey.agency_id, "reported": survey.reported,
        "reported_at": survey.reported_at.isoformat(), "attempts": survey.attempts,
        "last_result": survey.last_result,
        "due_at": survey.due_at.isoformat() if survey.due_at else None,
        "clause": survey.clause,
    }


async def surveys_of(session: AsyncSession, *, number: str) -> list[dict[str, Any]]:
    """Every survey of one order, oldest first (the order's timeline shows them)."""
    query = (
        select(CallbackSurvey).join(WorkOrder, WorkOrder.id == CallbackSurvey.order_id)
        .where(WorkOrder.number == number).order_by(CallbackSurvey.id)
    )
    return [{
        "status": s.status.value, "attempts": s.attempts, "last_result": s.last_result,
        "satisfaction": s.satisfaction.value if s.satisfaction else None,
        "reported": s.reported, "reported_at": s.reported_at.isoformat(),
        "next_attempt_at": s.next_attempt_at.isoformat() if s.next_attempt_at else None,
    } for s in (await session.execute(query)).scalars()]


async def _get(session: AsyncSession, survey_id: int) -> CallbackSurvey:
    survey = await session.get(CallbackSurvey, survey_id)
    if survey is None:
        raise LookupError(f"no callback survey {survey_id}")
    return survey


def _locked(session: AsyncSession, query: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return query.with_for_update(of=CallbackSurvey, skip_locked=True)
    return query



async def decline_callbacks(session: AsyncSession, *, number: str, declined: bool) -> bool:
    """Record whether the citizen refuses callbacks; False if there is no such order."""
    result = await session.execute(update(WorkOrder).where(WorkOrder.number == number)
                                   .values(callback_declined=declined))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def survey_records(session: AsyncSession, *, since: datetime) -> list[SurveyRecord]:
    """The surveys of reports since `since`, as the KPIs count them
    (routing/reports/kpi_survey.py)."""
    query = select(CallbackSurvey).where(CallbackSurvey.reported_at >= since)
    return [
        SurveyRecord(utility=s.utility, agency=s.agency_id, reported_at=s.reported_at,
                     status=s.status, satisfaction=s.satisfaction, reached=s.reached_at is not None)
        for s in (await session.execute(query)).scalars()
    ]
