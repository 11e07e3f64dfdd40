"""A citizen calling again about an order (L 3.2.1(1)), decided and written in one transaction.

The original order is read under a row lock, `supervision.convert_repeat_call` decides, and the
linked complaint (when the unit missed its committed standard) and the audit row are written
together: a failure anywhere leaves neither a complaint without its audit row nor a verdict
taken on an order another writer had changed meanwhile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from routing.enums import OrderType
from routing.orders.order_intake import NewOrder, Source
from routing.orders.order_service import OrderEngine, ServiceError, load_row
from routing.orders.order_store import deadlines_for, to_order
from routing.orders.repository import audit, insert_order
from routing.orders.supervision import RepeatCall, convert_repeat_call
from routing.store.models import WorkOrder


class OrderUnclassified(ServiceError):
    error_id = "order-unclassified"


class NoDeadlines(ServiceError):
    error_id = "no-deadlines"


@dataclass(frozen=True)
class RepeatOutcome:
    verdict: RepeatCall
    complaint: WorkOrder | None  # the linked complaint, when one was made


async def record_repeat_call(engine: OrderEngine, *, number: str, actor: str, now: datetime
                             ) -> RepeatOutcome:
    """Note the repeat call on order `number`, or open the complaint it calls for."""
    async with engine.sessions.begin() as session:
        row = await load_row(session, number=number, lock=True)
        if row.utility is None:
            raise OrderUnclassified("classify the order before handling a repeat call about it")
        deadlines = deadlines_for(row)  # the SLA table's limits for the original order
        if deadlines is None:
            raise NoDeadlines("the order has no SLA row")
        verdict = convert_repeat_call(original=to_order(row), now=now, deadlines=deadlines)
        complaint = None
        if verdict.complaint is not None:
            complaint = await insert_order(session, new=_complaint(row, verdict), actor=actor,
                                           now=now, detail={"repeat_call_of": row.number})
        await audit(session, actor=actor, entity="work_order", entity_id=row.number,
                    action="repeat_call",
                    detail={"action": verdict.action.value, "reason": verdict.reason,
                            "complaint": complaint.number if complaint else None})
    return RepeatOutcome(verdict, complaint)


def _complaint(original: WorkOrder, verdict: RepeatCall) -> NewOrder:
    return NewOrder(
        source=Source.AGENT, utility=original.utility, order_type=OrderType.COMPLAINT,
        caller_number=original.caller_number,
        description=f"重复来电（原工单 {original.number}）：{verdict.reason}",
        district=original.district, address=original.address, parent_order_id=original.id,
    )
