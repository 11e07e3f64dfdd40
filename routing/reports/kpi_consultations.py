"""How consultations were answered in a month (L 3.2.3(1): on the spot; L 3.2.3(6): the
center's own statistics): pure, no I/O.

A consultation is answered on the spot by an agent (a closed consultation order with the
knowledge entry read out) or by the IVR (a call that heard an answer, no order), or recorded
for a reply later (a consultation order without an on-the-spot answer). The on-the-spot
share is (agent + IVR) ÷ all three. A consultation counts in the month (Asia/Shanghai) it was
taken; per utility, "general" where neither the order nor the answer names one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from routing.reports.kpi import Rate, Window, rate

GENERAL = "general"


class AnsweredBy(StrEnum):
    AGENT = "agent"  # on the spot, from the knowledge base
    IVR = "ivr"  # on the spot, read by the IVR
    LATER = "later"  # recorded for a reply


@dataclass(frozen=True)
class ConsultationRecord:
    utility: str | None
    at: datetime
    answered_by: AnsweredBy


@dataclass(frozen=True)
class ConsultationCounts:
    agent: int
    ivr: int
    later: int

    @property
    def on_the_spot(self) -> Rate:
        return rate(numerator=self.agent + self.ivr,
                    denominator=self.agent + self.ivr + self.later)


def counts(records: Iterable[ConsultationRecord]) -> ConsultationCounts:
    seen = Counter(r.answered_by for r in records)
    return ConsultationCounts(seen[AnsweredBy.AGENT], seen[AnsweredBy.IVR],
                              seen[AnsweredBy.LATER])


def consultation_report(*, records: Iterable[ConsultationRecord], window: Window
                        ) -> dict[str, Any]:
    """The month's consultations overall and per utility, as `kpi --json` prints them."""
    month = [r for r in records if window.start <= r.at < window.end]
    utilities = sorted({r.utility or GENERAL for r in month})
    return {
        "overall": _json(counts(month)),
        "by_utility": {u: _json(counts(r for r in month if (r.utility or GENERAL) == u))
                       for u in utilities},
    }


def _json(value: ConsultationCounts) -> dict[str, Any]:
    share = value.on_the_spot
    return {"answered_by_agent": value.agent, "answered_by_ivr": value.ivr,
            "recorded_for_reply": value.later,
            "on_the_spot": {"numerator": share.numerator, "denominator": share.denominator,
                            "percent": None if share.percent is None else float(share.percent)}}
