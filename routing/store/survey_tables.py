"""The callback-survey table: one row per unit report that the hotline follows up by phone.

Written in the report's own transaction (`routing.followup.survey_store.schedule_survey`), so a
report
is never left without its survey, whatever restarts; the survey worker claims rows whose time
has come and records each try here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from routing.followup.survey import Satisfaction, SurveyStatus
from routing.store.model_base import Base, enum_column


class CallbackSurvey(Base):
    __tablename__ = "callback_surveys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    # Denormalised at the report, so the KPIs count per utility and unit without a join.
    utility: Mapped[str | None] = mapped_column(String(32))
    agency_id: Mapped[str | None] = mapped_column(String(64), index=True)
    reported: Mapped[str] = mapped_column(String(16))  # "handled" | "not_handled"
    reported_at: Mapped[datetime]
    status: Mapped[SurveyStatus] = mapped_column(enum_column(SurveyStatus, "survey_status"))
    next_attempt_at: Mapped[datetime | None]
    # Planned by the survey worker from the policy (None until then, as `next_attempt_at`).
    due_at: Mapped[datetime | None]
    give_up_at: Mapped[datetime | None]
    clause: Mapped[str | None] = mapped_column(String(64))
    planned: Mapped[bool] = mapped_column(default=False)
    attempts: Mapped[int] = mapped_column(default=0)
    last_result: Mapped[str | None] = mapped_column(String(64))
    satisfaction: Mapped[Satisfaction | None] = mapped_column(
        enum_column(Satisfaction, "survey_satisfaction")
    )
    reached_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    # The worker reads only rows whose time has come, in time order.
    __table_args__ = (Index("ix_callback_surveys_status_next", "status", "next_attempt_at"),)
