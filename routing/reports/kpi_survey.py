"""What the callback surveys say (回访, L 1.3(1)), for the monthly figures: pure, no I/O.

- satisfaction rate (满意率): surveys where the citizen answered 1 satisfied or 2 basically
  satisfied ÷ surveys where the citizen gave a satisfaction key (1, 2 or 3). The standards
  name the callback and its record (G 3.6.5, W ch.4: "回访结果应记录在案") but no formula;
  counting "basically satisfied" as satisfied is the center's rule.
- reach rate (回访率 by phone): surveys whose citizen was reached ÷ surveys the phone has
  finished with (answered, put through to an agent, or left to the manual list). Citizens who
  declined callbacks and surveys made moot by an agent's own callback are in neither term;
  W ch.4 holds water complaints to a callback rate of at least 10 %.

A survey belongs to the month (Asia/Shanghai) of the unit's report; per utility, per unit
and per month of the year up to the report's month.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any

from routing.followup.survey import Satisfaction, SurveyStatus
from routing.orders.calendar import SHANGHAI
from routing.reports.kpi import Rate, Window, rate

GOOD = frozenset({Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED})
FINISHED = frozenset({SurveyStatus.ANSWERED, SurveyStatus.AGENT, SurveyStatus.MANUAL})


@dataclass(frozen=True)
class SurveyRecord:
    utility: str | None
    agency: str | None
    reported_at: datetime
    status: SurveyStatus
    satisfaction: Satisfaction | None
    reached: bool


@dataclass(frozen=True)
class SurveyRates:
    satisfaction: Rate
    reach: Rate


@dataclass(frozen=True)
class SurveyReport:
    overall: SurveyRates
    by_utility: Mapping[str, SurveyRates]
    by_agency: Mapping[str, SurveyRates]
    by_month: Mapping[str, SurveyRates]  # "YYYY-MM" of the year, up to the window's month


def survey_rates(records: Iterable[SurveyRecord]) -> SurveyRates:
    rows = list(records)
    rated = [r for r in rows if r.satisfaction is not None]
    finished = [r for r in rows if r.status in FINISHED]
    return SurveyRates(
        satisfaction=rate(numerator=sum(r.satisfaction in GOOD for r in rated),
                          denominator=len(rated)),
        reach=rate(numerator=sum(r.reached for r in finished), denominator=len(finished)),
    )


def survey_report(*, records: Iterable[SurveyRecord], window: Window) -> SurveyReport:
    """The month's rates overall, per utility and unit; and each month of its year."""
    rows = list(records)
    month = [r for r in rows if window.start <= r.reported_at < window.end]
    year = [r for r in rows if _month(r.reported_at)[:4] == _month(window.start)[:4]
            and r.reported_at < window.end]
    return SurveyReport(
        overall=survey_rates(month),
        by_utility=_by(month, lambda r: r.utility or "unclassified"),
        by_agency=_by(month, lambda r: r.agency or "unassigned"),
        by_month=_by(year, lambda r: _month(r.reported_at)),
    )


def _month(at: datetime) -> str:
    return at.astimezone(SHANGHAI).strftime("%Y-%m")


def _by(rows: list[SurveyRecord], key: Callable[[SurveyRecord], str]) -> dict[str, SurveyRates]:
    groups: dict[str, list[SurveyRecord]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return {name: survey_rates(group) for name, group in sorted(groups.items())}


def survey_json(report: SurveyReport) -> dict[str, Any]:
    """JSON-ready, in the shape of `kpi --json`'s other rates."""
    def rates(value: SurveyRates) -> dict[str, Any]:
        return {"satisfaction": _rate(value.satisfaction), "reach": _rate(value.reach)}

    return {
        "overall": rates(report.overall),
        "by_utility": {k: rates(v) for k, v in report.by_utility.items()},
        "by_agency": {k: rates(v) for k, v in report.by_agency.items()},
        "by_month": {k: rates(v) for k, v in report.by_month.items()},
    }


def _rate(value: Rate) -> dict[str, Any]:
    percent = None if value.percent is None else float(value.percent)
    return {"numerator": value.numerator, "denominator": value.denominator, "percent": percent}


def survey_html(section: dict[str, Any] | None, utility_names: Mapping[str, str]) -> str:
    """The survey part of the monthly HTML report (routing/reports/kpi_report.py)."""
    if not section:
        return ""

    def cell(value: dict[str, Any]) -> str:
        percent = "—" if value["percent"] is None else f"{value['percent']:.2f}%"
        return f"<td>{percent} <small>({value['numerator']}/{value['denominator']})</small></td>"

    def table(title: str, groups: dict[str, Any], names: Mapping[str, str]) -> str:
        rows = "".join(
            f"<tr><th>{escape(names.get(key, key))}</th>{cell(v['satisfaction'])}"
            f"{cell(v['reach'])}</tr>" for key, v in groups.items())
        return (f"<h3>{escape(title)}</h3><table><tr><th></th><th>满意率</th><th>回访接通率</th>"
                f"</tr>{rows}</table>")

    return (
        "<h2>回访满意度</h2><p>满意率 =（满意 + 基本满意）÷ 作出评价的回访；"
        "回访接通率 = 接通的回访 ÷ 已结束的电话回访（依据 L 1.3(1)、G 3.6.5、W 第四章）</p>"
        + table("总体", {"全部": section["overall"]}, {})
        + table("按行业", section["by_utility"], utility_names)
        + table("按联动单位", section["by_agency"], {})
        + table("按月", section["by_month"], {})
    )
