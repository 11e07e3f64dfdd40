"""What the wallboard reads: the day's calls with their queue moments, and the order panels.

The figures (routing/floor/wallboard.py) are recounted after every change, in the event loop the
calls share; so these reads take columns, not whole rows (a call's flow state is JSON), and
`DayCalls` re-reads only what can still change instead of the whole day each time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from routing.enums import CallOutcome, Utility
from routing.floor.wallboard import CallRecord, Tally, WallboardPolicy, local_midnight, month_start
from routing.floor.wallboard_orders import RUNNING, OrderDue
from routing.floor.wallboard_sums import SettledSums
from routing.store.models import AuditEvent, CallSession, WorkOrder

# The audit actions of a call's queue moments (written by ari_app/queue_moments.py; staffing reads
# them too): a caller entering the agents' line, an agent answering, and the utility of an
# ended call that left in the menus, with no order to say it.
QUEUE_ENTERED, AGENT_ANSWERED, CLASSIFIED = "queue_entered", "agent_answered", "call_classified"
MOMENTS = (QUEUE_ENTERED, AGENT_ANSWERED, CLASSIFIED)

# A call that ended more than this before the last read no longer changes: it is kept from
# earlier reads. The margin covers a call's end committed a little after its end time.
SETTLED_AFTER = timedelta(seconds=60)
# Now and then the day is read whole, which also takes in a rare late change (an order made
# from a message left after the call) and lets go of calls before the counted span. On a busy
# day a whole read is ~10,000 rows on the calls' event loop, so not often.
WHOLE_DAY_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class Moment:
    at: datetime
    detail: dict[str, Any]


CallRow = Row[str, datetime, datetime | None, CallOutcome, Utility | None]
Seen = dict[tuple[str, str], Moment]


async def call_records(session: AsyncSession, since: datetime) -> list[CallRecord]:
    """Every call started since `since`, read whole (the on-demand GET)."""
    return await DayCalls().records(session, since, now=since)


@dataclass
class DayCalls:
    """The counted span's call records, kept between recounts (one per wallboard feed).

    With a `policy`, calls that can no longer change leave the records for each window's
    sums (`sums`); `records` then returns the calls still changing, which a recount walks."""

    policy: WallboardPolicy | None = None
    rows: dict[str, CallRow] = field(default_factory=dict)
    seen: Seen = field(default_factory=dict)
    made: dict[str, CallRecord] = field(default_factory=dict)
    sums: SettledSums | None = None
    summed: set[str] = field(default_factory=set)  # in `sums`; never made again
    read_at: datetime | None = None
    whole_read_at: datetime | None = None

    def bases(self) -> dict[str, Tally]:
        """Each window's sums of the calls `records` no longer returns, by window name."""
        return self.sums.sums if self.sums is not None else {}

    async def records(self, session: AsyncSession, since: datetime, now: datetime
                      ) -> list[CallRecord]:
        changed_since: datetime | None = None
        midnight = local_midnight(now)
        if self.read_at is not None and self.whole_read_at is not None and (
                now - self.whole_read_at < WHOLE_DAY_EVERY and now >= self.read_at
                and (self.sums is None or self.sums.day_start == midnight)):
            changed_since = self.read_at - SETTLED_AFTER
        else:  # also after midnight, or a clock set back: the sums slide forward only
            self.rows, self.seen, self.made, self.whole_read_at = {}, {}, {}, now
            self.summed = set()
            self.sums = (SettledSums(self.policy, midnight, now) if self.policy is not None
                         else None)
        touched = await self._read_rows(session, since, changed_since)
        touched |= await self._read_moments(session, changed_since or since)
        for channel_id in touched & self.rows.keys():
            self.made[channel_id] = _call_record(self.rows[channel_id], self.seen)
        self.read_at = now
        if self.sums is not None:
            self._sum_settled(now, self.sums)
        return [r for r in self.made.values() if r.started_at >= since]

    def _sum_settled(self, now: datetime, sums: SettledSums) -> None:
        sums.slide(now)
        # Twice the margin: a call ended before this is not re-read by the next recounts.
        ended_before = now - 2 * SETTLED_AFTER
        for channel_id, record in list(self.made.items()):
            if record.ended_at is not None and record.ended_at < ended_before:
                sums.add(record)
                self.summed.add(channel_id)
                del self.made[channel_id], self.rows[channel_id]

    async def _read_rows(self, session: AsyncSession, since: datetime,
                         changed_since: datetime | None) -> set[str]:
        query = (
            select(CallSession.channel_id, CallSession.started_at, CallSession.ended_at,
                   CallSession.outcome, WorkOrder.utility)
            .outerjoin(WorkOrder, WorkOrder.call_session_id == CallSession.id)
            .where(CallSession.started_at >= since)
        )
        if changed_since is not None:
            query = query.where(or_(CallSession.ended_at.is_(None),
                                    CallSession.ended_at >= changed_since,
                                    CallSession.started_at >= changed_since))
        touched: set[str] = set()
        for call in (await session.execute(query)).all():
            if call.channel_id in self.summed:
                continue  # re-read after a long pause between recounts: counted already
            # A call with several orders comes once per order: keep one with a utility.
            if call.channel_id not in touched or call.utility is not None:
                self.rows[call.channel_id] = call
            touched.add(call.channel_id)
        return touched

    async def _read_moments(self, session: AsyncSession, since: datetime) -> set[str]:
        moments = await session.execute(
            select(AuditEvent.entity_id, AuditEvent.action, AuditEvent.at, AuditEvent.detail)
            .where(AuditEvent.entity == "call", AuditEvent.at >= since,
                   AuditEvent.action.in_(MOMENTS))
        )
        touched: set[str] = set()
        for call_id, action, at, detail in moments:
            self.seen.setdefault((call_id, action), Moment(at, detail or {}))
            touched.add(call_id)
        return touched


def _call_record(call: CallRow, seen: Seen) -> CallRecord:
    entered = seen.get((call.channel_id, QUEUE_ENTERED))
    answered = seen.get((call.channel_id, AGENT_ANSWERED))
    utility = call.utility.value if call.utility is not None else next(
        (e.detail.get("utility") for e in (entered, seen.get((call.channel_id, CLASSIFIED)))
         if e is not None and e.detail.get("utility")), None)
    return CallRecord(
        call_id=call.channel_id, started_at=call.started_at, utility=utility,
        queued_at=entered.at if entered else None,
        agent_answered_at=answered.at if answered else None, ended_at=call.ended_at,
        callback=call.outcome == CallOutcome.CALLBACK,
    )


# The columns the order panels read: rows, not whole orders (no identity map, no JSON).
ORDER_DUE_COLUMNS = (
    WorkOrder.number, WorkOrder.status, WorkOrder.agency_id, WorkOrder.emergency,
    WorkOrder.utility, WorkOrder.dispatch_due, WorkOrder.receipt_due, WorkOrder.resolve_due,
    WorkOrder.dispatched_at, WorkOrder.received_at, WorkOrder.completed_at,
    WorkOrder.satisfaction, WorkOrder.onsite_due, WorkOrder.arrived_at,
)


def _order_due(o: Any) -> OrderDue:
    return OrderDue(
        number=o.number, status=o.status.value, agency=o.agency_id, emergency=o.emergency,
        utility=o.utility.value if o.utility else None, dispatch_due=o.dispatch_due,
        receipt_due=o.receipt_due, resolve_due=o.resolve_due, dispatched_at=o.dispatched_at,
        received_at=o.received_at, completed_at=o.completed_at,
        satisfaction=o.satisfaction.value if o.satisfaction else None,
        onsite_due=o.onsite_due, arrived_at=o.arrived_at,
    )


def _running(now: datetime) -> ColumnElement[bool]:
    """SQL for "past a running deadline", from the same table as the pure next_deadline."""
    return or_(*(
        and_(WorkOrder.status.in_(states), getattr(WorkOrder, column) < now)
        for column, states in RUNNING.items()
    ))


async def order_rows(session: AsyncSession, now: datetime, top: int
                     ) -> tuple[list[OrderDue], list[OrderDue], dict[str, int]]:
    """What the order panels need, each read bounded however many orders are open: the
    `top` soonest of each running deadline (their union holds the panel's top), this month's
    dispatched orders, and the count of overdue open orders per agency."""
    candidates: dict[str, OrderDue] = {}
    for column, states in RUNNING.items():
        due = getattr(WorkOrder, column)
        found = await session.execute(select(*ORDER_DUE_COLUMNS).where(
            WorkOrder.status.in_(states), due.is_not(None)).order_by(due).limit(top))
        candidates.update((o.number, _order_due(o)) for o in found)
    month = await session.execute(
        select(*ORDER_DUE_COLUMNS).where(WorkOrder.dispatched_at >= month_start(now)))
    late = await session.execute(
        select(WorkOrder.agency_id, func.count()).where(
            WorkOrder.agency_id.is_not(None), _running(now)).group_by(WorkOrder.agency_id))
    overdue = {agency: n for agency, n in late.tuples() if agency is not None}
    return list(candidates.values()), [_order_due(o) for o in month], overdue
