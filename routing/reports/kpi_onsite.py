"""On-site timeliness (到场及时率): of the orders dispatched in the month whose SLA row has an
on-site limit, how many had their crew on site within it. Pure.

The limits are the industry standards' promises (G 3.1.4.4 and W 5.2.2: a leak or burst
crew on site within 30 minutes; G 3.1.5.2: no gas, 1 hour; H 3.4.4: a missing heating
manhole cover, 2 hours); the hotline standard asks no target for them, so the figure is
reported beside the closure rates of L 3.1.5 without one. The arrival counts as reported by
the unit (portal, or the duty line's key 2) before the statistics day, like completions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from routing.reports.kpi import OrderRecord, Rate, Window, arrived_in_time, rate


@dataclass(frozen=True)
class OnsiteReport:
    overall: Rate
    by_utility: Mapping[str, Rate]
    by_agency: Mapping[str, Rate]


def _owed(records: Iterable[OrderRecord], window: Window) -> list[OrderRecord]:
    """Dispatched in the window with an on-site limit."""
    return [r for r in records if r.onsite_due is not None and r.dispatched_at is not None
            and window.start <= r.dispatched_at < window.end]


def onsite_timeliness(*, records: Iterable[OrderRecord], window: Window) -> Rate:
    """On site within the limit ÷ orders owing an on-site arrival."""
    owed = _owed(records, window)
    return rate(numerator=sum(arrived_in_time(r, window.cutoff) for r in owed),
                denominator=len(owed))


def _by(records: list[OrderRecord], key: Callable[[OrderRecord], str], window: Window
        ) -> dict[str, Rate]:
    groups: dict[str, list[OrderRecord]] = {}
    for record in records:
        groups.setdefault(key(record), []).append(record)
    return {name: onsite_timeliness(records=rows, window=window)
            for name, rows in sorted(groups.items())}


def onsite_report(*, records: Iterable[OrderRecord], window: Window) -> OnsiteReport:
    """The figure overall, per utility and per unit (only groups that owed an arrival)."""
    owed = _owed(records, window)
    return OnsiteReport(
        overall=onsite_timeliness(records=owed, window=window),
        by_utility=_by(owed, lambda r: r.utility or "unclassified", window),
        by_agency=_by(owed, lambda r: r.agency or "unassigned", window),
    )
