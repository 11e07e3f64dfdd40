"""How consultations were answered in a month (issue 17): pure counting, no I/O."""

from __future__ import annotations

from datetime import UTC, datetime

from routing.reports.kpi import Window
from routing.reports.kpi_consultations import AnsweredBy, ConsultationRecord, consultation_report

WINDOW = Window(start=datetime(2026, 11, 30, 16, tzinfo=UTC),  # 1 Dec 00:00 Beijing
                end=datetime(2026, 12, 31, 16, tzinfo=UTC), cutoff=datetime(2027, 1, 5, tzinfo=UTC))


def _at(day: int) -> datetime:
    return datetime(2026, 12, day, 3, tzinfo=UTC)


def test_on_the_spot_share_counts_agents_and_the_ivr_against_replies_later() -> None:
    records = [ConsultationRecord("heating", _at(2), AnsweredBy.AGENT),
               ConsultationRecord("heating", _at(3), AnsweredBy.IVR),
               ConsultationRecord("heating", _at(4), AnsweredBy.LATER),
               ConsultationRecord(None, _at(5), AnsweredBy.IVR),
               ConsultationRecord("heating", datetime(2026, 11, 30, 15, tzinfo=UTC),
                                  AnsweredBy.LATER)]  # 30 Nov 23:00 Beijing: last month
    report = consultation_report(records=records, window=WINDOW)
    heating = report["by_utility"]["heating"]
    assert (heating["answered_by_agent"], heating["answered_by_ivr"],
            heating["recorded_for_reply"]) == (1, 1, 1)
    assert heating["on_the_spot"]["percent"] == 66.67
    assert report["by_utility"]["general"]["answered_by_ivr"] == 1
    assert report["overall"]["on_the_spot"]["numerator"] == 3


def test_a_month_without_consultations_has_no_share() -> None:
    report = consultation_report(records=[], window=WINDOW)
    assert report["overall"]["on_the_spot"]["percent"] is None
    assert report["by_utility"] == {}
