"""What the hotline publishes about itself (L 3.2.4(5)): its scope, the units and what each
answers for, and the time limits it commits to, each with its clauses. Pure: built from the
SLA table and the agency directory the rest of the system runs on, so the public page can
never promise what the deadlines do not enforce.
"""

from __future__ import annotations

from typing import Any

from routing.agencies.directory import AgencyDirectory
from routing.enums import UTILITY_NAMES_ZH, OrderType
from routing.orders.calendar import Unit
from routing.orders.policy import GENERAL, Limit, Row, SlaPolicy, Source

ORDER_TYPE_NAMES_ZH = {
    OrderType.COMPLAINT: "投诉", OrderType.EMERGENCY_REPAIR: "抢险抢修",
    OrderType.MAINTENANCE: "设施维护", OrderType.HELP: "求助",
    OrderType.CONSULTATION: "咨询", OrderType.SUGGESTION: "建议",
}
_UNIT_ZH = {Unit.MINUTES: "分钟", Unit.HOURS: "小时", Unit.CALENDAR_DAYS: "日",
            Unit.WORKING_DAYS: "个工作日"}
SCOPE_CLAUSES = ["L 3.2.1", "L 3.2.2(1)", "L 3.2.2(4)", "L 3.2.4(5)"]


def limit_zh(limit: Limit | None) -> str | None:
    """A limit as a citizen reads it: 立即 / 当日 / 30分钟内 / 2个工作日内."""
    if limit is None:
        return None
    if limit.unit is Unit.IMMEDIATE:
        return "立即"
    if limit.unit is Unit.SAME_DAY:
        return "当日"
    return f"{limit.value}{_UNIT_ZH[limit.unit]}内"


def commitment(row: Row) -> dict[str, Any]:
    return {
        "utility": row.utility.value, "utility_name": UTILITY_NAMES_ZH[row.utility.value],
        "order_type": row.order_type.value,
        "order_type_name": ORDER_TYPE_NAMES_ZH.get(row.order_type, row.order_type.value),
        "case": row.case, "dispatch": limit_zh(row.dispatch),
        "receipt_confirmed": row.receipt_required, "onsite": limit_zh(row.onsite),
        "resolve": limit_zh(row.resolve), "resolve_complex": limit_zh(row.complex),
        "season": row.season, "clauses": list(row.clauses), "note": row.note,
        # Limits the standards do not give are the center's own, and say so.
        "center_default": row.source is Source.CENTER_DEFAULT,
    }


def commitments(policy: SlaPolicy) -> list[dict[str, Any]]:
    """Every row, general rows first within a utility and type, in the hotline's order."""
    order = {u: i for i, u in enumerate(UTILITY_NAMES_ZH)}
    types = {t: i for i, t in enumerate(OrderType)}
    rows = sorted(policy.rows.values(), key=lambda r: (
        order[r.utility.value], types[r.order_type], r.case != GENERAL, r.case))
    return [commitment(r) for r in rows]


def units(directory: AgencyDirectory) -> list[dict[str, Any]]:
    """The linked units and what they answer for; their duty phones stay internal."""
    return [{
        "id": a.id, "name": a.name, "kind": a.kind.value,
        "utilities": [UTILITY_NAMES_ZH[u.value] for u in a.utilities],
        "district": directory.districts.get(a.district) if a.district else None,
    } for a in directory.agencies.values()]


def scope() -> dict[str, Any]:
    return {
        "hours": "24小时", "utilities": list(UTILITY_NAMES_ZH.values()),
        "order_types": list(ORDER_TYPE_NAMES_ZH.values()),
        "out_of_scope": "超出受理范围的诉求，我们耐心解释并告知其他受理渠道",
        "clauses": SCOPE_CLAUSES,
    }
