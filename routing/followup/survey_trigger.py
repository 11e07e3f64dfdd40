"""A unit's report (handled / not handled) schedules the callback survey that follows it.

Called by the order service inside the report's own transaction: the survey exists exactly
when the report does. The policy's times are filled in later by the survey worker
(`routing.followup.survey_store.plan_new`), so the order service needs no survey policy.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from routing.followup.survey import SurveyStatus
from routing.orders.transitions import Event
from routing.store.models import WorkOrder
from routing.store.survey_tables import CallbackSurvey

TRIGGERS = {Event.REPORT_HANDLED: "handled", Event.REPORT_NOT_HANDLED: "not_handled"}


async def schedule_survey(session: AsyncSession, *, row: WorkOrder, event: Event,
                          at: datetime) -> None:
    """The survey that follows a report, if `event` is one."""
    if event not in TRIGGERS:
        return
    session.add(CallbackSurvey(
        order_id=row.id, utility=row.utility, agency_id=row.agency_id, reported=TRIGGERS[event],
        reported_at=at, status=SurveyStatus.SCHEDULED, planned=False, attempts=0,
    ))
