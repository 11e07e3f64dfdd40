"""The queue of duty-line calls for emergency orders whose receipt is late (L 3.2.4(2)).

The sweeper writes `voice_escalation` notifications; the ARI side polls
`due_voice_escalations`, rings each agency's duty line, reads the order, and records the
outcome with `mark_voice_escalation` (DTMF 1 = receipt: it then applies the `receive`
event through `routing.orders.order_service.apply_event` with role agency). Both run in the
caller's transaction: claim, call, mark, commit — with `SKIP LOCKED` two ARI workers never
ring for the same notice. A notice whose order was signed for meanwhile is marked `moot`
instead of being returned (re-check before acting).

A notice's `contact` (routing/dispatch/dispatch_policy.yaml, the receipt chase) says whom to ring:
the
unit's duty line, its backup contact, or the center's duty supervisor. Every outcome is also
written to the order's audit trail (`receipt_chase_call`), its timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from routing.agencies.directory import Agency, AgencyDirectory, Duty
from routing.orders.repository import audit
from routing.orders.transitions import State
from routing.store.models import WorkOrder
from routing.store.order_tables import Notification

KIND = "voice_escalation"


@dataclass(frozen=True)
class VoiceEscalation:
    """One duty call to make: whom to ring and what to read to them."""

    notification_id: int
    order_number: str
    agency_id: str
    duty_sip: str | None
    duty_phone: str | None
    utility: str | None
    order_type: str
    address: str | None
    due_at: datetime
    contact: str = "duty"  # duty | backup | supervisor
    sip: str | None = None  # the endpoint rung for this contact


async def due_voice_escalations(
    session: AsyncSession, *, now: datetime, directory: AgencyDirectory, limit: int = 10,
    supervisor: Duty | None = None,
) -> list[VoiceEscalation]:
    """The duty calls to make now (locked for this transaction on PostgreSQL)."""
    query = (
        select(Notification, WorkOrder).join(WorkOrder, WorkOrder.id == Notification.order_id)
        .where(Notification.kind == KIND, Notification.consumed_at.is_(None),
               Notification.due_at <= now)
        .order_by(Notification.due_at).limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=Notification, skip_locked=True)
    calls = []
    for notice, order in (await session.execute(query)).tuples():
        if order.status is not State.DISPATCHED:  # signed for meanwhile: nothing to ring
            notice.consumed_at, notice.result = now, "moot"
            continue
        agency = directory.agencies.get(order.agency_id or "")
        contact = str(notice.detail.get("contact", "duty"))
        calls.append(VoiceEscalation(
            notification_id=notice.id, order_number=order.number,
            agency_id=order.agency_id or "", duty_sip=agency.duty.sip if agency else None,
            duty_phone=agency.duty.phone if agency else None,
            utility=order.utility, order_type=order.order_type, address=order.address,
            due_at=notice.due_at, contact=contact, sip=_sip(contact, agency, supervisor),
        ))
    return calls


def _sip(contact: str, agency: Agency | None, supervisor: Duty | None) -> str | None:
    person = {"duty": agency.duty if agency else None, "backup": agency.backup if agency else None,
              "supervisor": supervisor}.get(contact)
    return person.sip if person else None


async def mark_voice_escalation(
    session: AsyncSession, *, notification_id: int, result: str, at: datetime
) -> None:
    """Record how the duty call went (e.g. `receipt_dtmf1`, `no_answer`, `refused`)."""
    notice = await session.get(Notification, notification_id)
    if notice is None or notice.kind != KIND:
        raise LookupError(f"no voice escalation {notification_id}")
    notice.consumed_at, notice.result = at, result[:64]
    if result == "calling":
        return
    order = await session.get(WorkOrder, notice.order_id)
    if order is not None:
        await audit(session, actor="duty-line", entity="work_order", entity_id=order.number,
                    action="receipt_chase_call",
                    detail={"contact": notice.detail.get("contact", "duty"),
                            "step": notice.detail.get("step"), "agency": notice.agency_id,
                            "result": result[:64], "due_at": notice.due_at.isoformat()})
