"""How many open orders are past the limit of the stage they are in, for monitoring.

The stages and what "still owed" means are the sweeper's and the automatic dispatcher's own
(the partial-index predicates in routing/store/models.py), so a late order counted here is one
they are chasing: not dispatched by `dispatch_due`, not signed for by `receipt_due`, no crew
reported on site by `onsite_due`, not reported handled by `resolve_due`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from routing.store.models import (
    DISPATCH_WATCH,
    ONSITE_CHASE,
    RECEIPT_CHASE,
    RESOLVE_CHASE,
    WorkOrder,
)

STAGES: dict[str, tuple[str, InstrumentedAttribute[datetime | None]]] = {
    "dispatch": (DISPATCH_WATCH, WorkOrder.dispatch_due),
    "receipt": (RECEIPT_CHASE, WorkOrder.receipt_due),
    "onsite": (ONSITE_CHASE, WorkOrder.onsite_due),
    "resolve": (RESOLVE_CHASE, WorkOrder.resolve_due),
}


async def late_by_stage(session: AsyncSession, now: datetime) -> dict[str, int]:
    """Stage -> open orders past that stage's limit at `now`."""
    late = {}
    for stage, (owed, due) in STAGES.items():
        query = select(func.count()).select_from(WorkOrder).where(text(owed), due < now)
        late[stage] = int((await session.execute(query)).scalar_one())
    return late
