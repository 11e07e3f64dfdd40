"""The monthly KPI report for the center's leadership: one HTML page, charts as inline SVG.

Pure: JSON of `kpi_cli.report_json` in, an HTML string out (no scripts, no external files,
so it can be mailed or printed as it is).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from routing.enums import UTILITY_NAMES_ZH
from routing.orders.commitments import ORDER_TYPE_NAMES_ZH
from routing.reports.kpi_survey import survey_html

UTILITY_NAMES = {**UTILITY_NAMES_ZH, "unclassified": "未分类"}
TYPE_NAMES = {t.value: name for t, name in ORDER_TYPE_NAMES_ZH.items()}
SHANGHAI = ZoneInfo("Asia/Shanghai")
SCOPE = ("统计口径：统计区间内派发给联动单位的工单（L 3.1.5）；未派单的工单（如当场解答的咨询、"
         "尚待派单的工单）不计入。")
METRICS = {
    "monthly_closure": "月度处结率",
    "cumulative_closure": "累计处结率",
    "on_time": "按时处结率",
}
COLOURS = {"monthly_closure": "#2f6fb0", "cumulative_closure": "#5aa469", "on_time": "#d08a2e"}


def _bars(by_utility: dict[str, Any]) -> str:
    """Grouped bars: three rates per utility, 0-100 %."""
    width, row, bar = 640, 54, 14
    height = row * max(len(by_utility), 1) + 30
    parts = [f'<svg width="{width}" height="{height}" role="img" aria-label="处结率">']
    for index, (utility, rates) in enumerate(by_utility.items()):
        top = 10 + index * row
        label = escape(UTILITY_NAMES.get(utility, utility))
        parts.append(f'<text x="0" y="{top + 26}" font-size="13">{label}</text>')
        for offset, metric in enumerate(METRICS):
            percent = rates[metric]["percent"]
            length = 0 if percent is None else max(percent * 4.5, 2.0)  # 0 % still shows
            y = top + offset * (bar + 2)
            parts.append(
                f'<rect x="90" y="{y}" width="450" height="{bar}" fill="#f0f0f0"/>'
                f'<rect x="90" y="{y}" width="{length:.1f}" height="{bar}" '
                f'fill="{COLOURS[metric]}"/>'
            )
            text = "—" if percent is None else f"{percent:.2f}%"
            parts.append(f'<text x="{95 + length:.1f}" y="{y + 11}" font-size="11">{text}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _legend() -> str:
    return " ".join(
        f'<span style="color:{COLOURS[m]}">■ {name}</span>' for m, name in METRICS.items()
    )


def _rate_cell(rate: dict[str, Any]) -> str:
    percent = "—" if rate["percent"] is None else f"{rate['percent']:.2f}%"
    return f"<td>{percent} <small>({rate['numerator']}/{rate['denominator']})</small></td>"


def _table(title: str, groups: dict[str, Any], names: dict[str, str]) -> str:
    head = "".join(f"<th>{name}</th>" for name in METRICS.values())
    rows = "".join(
        f"<tr><th>{escape(names.get(key, key))}</th>"
        + "".join(_rate_cell(rates[m]) for m in METRICS)
        + "</tr>"
        for key, rates in groups.items()
    )
    return f"<h2>{escape(title)}</h2><table><tr><th></th>{head}</tr>{rows}</table>"


def _types(order_types: list[str] | None) -> str:
    return "、".join(TYPE_NAMES.get(o, o) for o in order_types or []) or "全部"


def _targets(targets: list[dict[str, Any]]) -> str:
    rows = []
    for t in targets:
        verdict = {True: "达标", False: "未达标", None: "无派单"}[t["met"]]
        actual = t["actual"]["percent"]
        rows.append(
            f'<tr class="{"miss" if t["met"] is False else ""}">'
            f"<td>{escape(UTILITY_NAMES.get(t['utility'], t['utility']))}</td>"
            f"<td>{escape(METRICS.get(t['metric'], t['metric']))}</td>"
            f"<td>{escape(_types(t['order_types']))}</td>"
            f"<td>{t['target_percent']:.0f}%</td>"
            f"<td>{'—' if actual is None else f'{actual:.2f}%'}</td>"
            f"<td>{verdict}</td><td>{escape('; '.join(t['clauses']))}</td></tr>"
        )
    head = (
        "<tr><th>行业</th><th>指标</th><th>工单类型</th><th>目标</th><th>实际</th>"
        "<th>结论</th><th>依据</th></tr>"
    )
    return f"<h2>考核目标</h2><table>{head}{''.join(rows)}</table>"


def period(window: Mapping[str, str]) -> str:
    """The window in Beijing dates: dispatched from start to the day before end, counted
    as completed up to the cut-off."""
    start, end, cutoff = (datetime.fromisoformat(window[k]).astimezone(SHANGHAI)
                          for k in ("start", "end", "cutoff"))
    last = end - timedelta(days=1)
    return (f"{start:%Y年%m月%d日}至{last:%Y年%m月%d日}派单的工单，"
            f"办结截至{cutoff:%Y年%m月%d日 %H:%M}（北京时间）")


def render_html(document: dict[str, Any], agency_names: Mapping[str, str] | None = None) -> str:
    """The report; `agency_names` gives the units' Chinese names (the directory's)."""
    window = document["window"]
    style = (
        "body{font-family:sans-serif;margin:2em;max-width:60em}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
        "padding:4px 8px;text-align:left}tr.miss td{background:#fde8e8}"
    )
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>12319热线月度考核报告</title><style>{style}</style></head><body>"
        f"<h1>12319热线月度考核报告</h1>"
        f"<p>统计区间：{escape(period(window))}（依据 L 3.1.5）</p><p>{escape(SCOPE)}</p>"
        f"<h2>各行业处结率</h2><p>{_legend()}</p>{_bars(document['by_utility'])}"
        + _table("总体", {"全部工单": document["overall"]}, {})
        + _table("按行业", document["by_utility"], UTILITY_NAMES)
        + _table("按联动单位", document["by_agency"], dict(agency_names or {}))
        + _table("按工单类型", document["by_type"], TYPE_NAMES)
        + _targets(document["targets"])
        + survey_html(document.get("callback_survey"), UTILITY_NAMES)
        + "</body></html>"
    )
