"""Staffing's reads from the database, and the two reports built from them (adapter).

No table of its own: the moments a caller entered the agents' line and an agent answered are
the `call` audit rows the queue adapter writes (ari_app/queue_moments.py), the agents' state
history is the `agent` / `state_changed` audit rows of routing/agents/agent_repository.py, the end
of
a call is its call session, and planned outages are the announcements registry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from routing.agents.acd import AgentState
from routing.agents.staffing_forecast import DayPlan, history_days, plan_day
from routing.agents.staffing_peaks import StaffingPolicy, day_peaks, local_day_bounds
from routing.agents.staffing_plan import (
    ObservedCall,
    ObservedDay,
    StateChange,
    handle_seconds,
    observed_day,
)
from routing.floor.announcements import Outage, OutageKind
from routing.floor.wallboard_repository import AGENT_ANSWERED, QUEUE_ENTERED
from routing.orders.calendar import WorkingDayCalendar, local_date
from routing.store.models import AuditEvent, CallSession
from routing.store.peaks_tables import Announcement

STATE_CHANGED = "state_changed"
# How long after the day a call answered in it may still be handled (its wrap-up end).
HANDLE_HORIZON = timedelta(hours=6)
_CHUNK = 500  # ids per IN (...): SQLite's bound-parameter limit is far above, never reached
Timelines = dict[str, list[StateChange]]


def aware(moment: datetime) -> datetime:
    """SQLite gives times back naive; they were stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _utc(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """Bounds as UTC: SQLite compares the stored UTC text, dropping any other offset."""
    return start.astimezone(UTC), end.astimezone(UTC)


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    return (items[i:i + _CHUNK] for i in range(0, len(items), _CHUNK))


def _change(event: AuditEvent) -> StateChange | None:
    try:
        return StateChange(aware(event.at), AgentState(str(event.detail.get("to"))))
    except ValueError:
        return None  # a row from before the states had these names: not a state


class StaffingRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def observed_calls(self, start: datetime, end: datetime, now: datetime
                             ) -> list[ObservedCall]:
        """The calls that entered the agents' line in [start, end), with handle times."""
        start, end = _utc(start, end)
        async with self._sessions() as session:
            entered = await _first_moments(session, QUEUE_ENTERED, start, end)
            ids = list(entered)
            answered = await _moments_of(session, AGENT_ANSWERED, ids)
            ended = await _call_ends(session, ids)
            agents = sorted({str(e.detail.get("agent_id")) for e in answered.values()})
            changes = await _agent_changes(session, agents, start, end + HANDLE_HORIZON)
        calls = []
        for call_id, arrived in entered.items():
            picked = answered.get(call_id)
            handle = None if picked is None else handle_seconds(
                aware(picked.at), changes.get(str(picked.detail.get("agent_id")), []),
                ended.get(call_id), now)
            calls.append(ObservedCall(arrived, handle))
        return calls

    async def timelines(self, start: datetime, end: datetime) -> Timelines:
        """Every agent's state at `start` (their last change before it) and their changes
        in [start, end), sorted."""
        start, end = _utc(start, end)
        async with self._sessions() as session:
            last = (select(AuditEvent.entity_id, func.max(AuditEvent.at).label("at"))
                    .where(AuditEvent.entity == "agent", AuditEvent.action == STATE_CHANGED,
                           AuditEvent.at < start)
                    .group_by(AuditEvent.entity_id).subquery())
            before = (await session.execute(select(AuditEvent).join(last, and_(
                AuditEvent.entity_id == last.c.entity_id, AuditEvent.at == last.c.at)).where(
                AuditEvent.entity == "agent", AuditEvent.action == STATE_CHANGED))).scalars()
            found = _timelines(before)
            during = await _agent_changes(session, None, start, end)
        for agent, changes in during.items():
            found.setdefault(agent, []).extend(changes)
        return found

    async def first_call_day(self) -> date | None:
        """The Shanghai day of the first call that entered the agents' line."""
        async with self._sessions() as session:
            first = await session.scalar(select(func.min(AuditEvent.at)).where(
                AuditEvent.entity == "call", AuditEvent.action == QUEUE_ENTERED))
        return None if first is None else local_date(aware(first))

    async def planned_outages(self, start: datetime, end: datetime) -> list[Outage]:
        start, end = _utc(start, end)
        async with self._sessions() as session:
            rows = (await session.execute(select(Announcement).where(
                Announcement.kind == OutageKind.PLANNED, Announcement.starts_at >= start,
                Announcement.starts_at < end).order_by(Announcement.id))).scalars()
            return [Outage(id=r.id, incident_id=r.incident_id, utility=r.utility, kind=r.kind,
                           districts=tuple(r.districts), starts_at=aware(r.starts_at),
                           ends_at=aware(r.ends_at),
                           recovery_at=aware(r.recovery_at) if r.recovery_at else None,
                           closed_at=aware(r.closed_at) if r.closed_at else None)
                    for r in rows]


async def _first_moments(session: AsyncSession, action: str, start: datetime, end: datetime
                         ) -> dict[str, datetime]:
    rows = await session.execute(
        select(AuditEvent.entity_id, func.min(AuditEvent.at)).where(
            AuditEvent.entity == "call", AuditEvent.action == action,
            AuditEvent.at >= start, AuditEvent.at < end).group_by(AuditEvent.entity_id))
    return {call_id: aware(at) for call_id, at in sorted(rows.tuples(), key=lambda r: r[1])}


async def _moments_of(session: AsyncSession, action: str, call_ids: Sequence[str]
                      ) -> dict[str, AuditEvent]:
    """The first `action` row of each call."""
    found: dict[str, AuditEvent] = {}
    for chunk in _chunks(call_ids):
        rows = (await session.execute(select(AuditEvent).where(
            AuditEvent.entity == "call", AuditEvent.action == action,
            AuditEvent.entity_id.in_(chunk)).order_by(AuditEvent.at, AuditEvent.id))).scalars()
        for row in rows:
            found.setdefault(row.entity_id, row)
    return found


async def _call_ends(session: AsyncSession, call_ids: Sequence[str]) -> dict[str, datetime]:
    ends: dict[str, datetime] = {}
    for chunk in _chunks(call_ids):
        rows = await session.execute(select(CallSession.channel_id, CallSession.ended_at).where(
            CallSession.channel_id.in_(chunk), CallSession.ended_at.is_not(None)))
        ends.update((channel, aware(at)) for channel, at in rows.tuples() if at is not None)
    return ends


async def _agent_changes(session: AsyncSession, agents: Sequence[str] | None,
                         start: datetime, end: datetime) -> Timelines:
    """The state changes in [start, end) of these agents (None: of all), sorted."""
    query = select(AuditEvent).where(
        AuditEvent.entity == "agent", AuditEvent.action == STATE_CHANGED,
        AuditEvent.at >= start, AuditEvent.at < end).order_by(AuditEvent.at, AuditEvent.id)
    if agents is None:
        return _timelines((await session.execute(query)).scalars())
    found: Timelines = {}
    for chunk in _chunks(agents):
        rows = (await session.execute(query.where(AuditEvent.entity_id.in_(chunk)))).scalars()
        found.update(_timelines(rows))
    return found


def _timelines(events: Iterable[AuditEvent]) -> Timelines:
    found: Timelines = defaultdict(list)
    for event in events:
        change = _change(event)
        if change is not None:
            found[event.entity_id].append(change)
    return dict(found)


# -- the reports ---------------------------------------------------------------------------


async def observed_report(repo: StaffingRepository, day: date, now: datetime,
                          policy: StaffingPolicy) -> ObservedDay:
    """The day's intervals as observed up to `now`."""
    start, end = local_day_bounds(day)
    calls = await repo.observed_calls(start, end, now)
    timelines = await repo.timelines(start, end)
    return observed_day(calls, timelines, day, min(now, end), policy.erlang)


async def plan_report(repo: StaffingRepository, day: date, now: datetime,
                      policy: StaffingPolicy, calendar: WorkingDayCalendar) -> DayPlan:
    """The plan of `day` from the same kind of days before it and its foreseeable peaks."""
    days = history_days(day, calendar.is_working_day, await repo.first_call_day(), policy)
    history = {d: await repo.observed_calls(*local_day_bounds(d), now) for d in days}
    start, end = local_day_bounds(day)
    peaks = day_peaks(day, await repo.planned_outages(start, end), policy)
    return plan_day(day, working_day=calendar.is_working_day(day), history=history,
                    peaks=peaks, policy=policy)
