"""The kpi command's JSON and the leadership's HTML report, from hand-made records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hotline12319.commands.kpi import report_json
from routing.enums import OrderType, Utility
from routing.reports.kpi import OrderRecord, kpi_report, load_config
from routing.reports.kpi_report import render_html

NOV = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)


def record(n: int, utility: Utility, done_after_h: float | None, due_h: float) -> OrderRecord:
    return OrderRecord(
        order_id=f"o{n}", utility=utility, agency=f"industry-{utility.value}",
        order_type=OrderType.COMPLAINT, dispatched_at=NOV,
        completed_at=None if done_after_h is None else NOV + timedelta(hours=done_after_h),
        resolve_due=NOV + timedelta(hours=due_h), pending=False,
    )


def test_rates_in_json_and_html_agree_with_a_hand_count() -> None:
    records = [
        record(1, Utility.GAS, 10, 48),  # closed on time
        record(2, Utility.GAS, 60, 48),  # closed late
        record(3, Utility.GAS, None, 48),  # still open
        record(4, Utility.WATER, 5, 48),
    ]
    document = report_json(kpi_report(records=records, year=2026, month=11,
                                      config=load_config()))
    gas = document["by_utility"]["gas"]
    assert gas["monthly_closure"] == {"numerator": 2, "denominator": 3, "percent": 66.67}
    assert gas["on_time"] == {"numerator": 1, "denominator": 3, "percent": 33.33}
    assert document["overall"]["monthly_closure"]["percent"] == 75.0
    missed = {(t["utility"], t["metric"]) for t in document["targets"] if t["met"] is False}
    assert ("gas", "on_time") in missed and ("water", "on_time") not in missed
    html = render_html(document)
    assert "12319热线月度考核报告" in html and "66.67%" in html and "未达标" in html
    assert "<script" not in html


def test_the_html_speaks_chinese_names_a_readable_period_and_what_it_counts() -> None:
    records = [record(1, Utility.GAS, None, 48), record(2, Utility.WATER, 5, 48)]
    document = report_json(kpi_report(records=records, year=2026, month=11,
                                      config=load_config()))
    html = render_html(document, {"industry-gas": "市燃气行业联动单位（示例）"})
    assert "2026年11月01日至2026年11月30日派单的工单" in html  # not a Python dict
    assert "{" not in html.split("统计区间：", 1)[1].split("</p>", 1)[0]
    assert "市燃气行业联动单位（示例）" in html and ">投诉<" in html and ">complaint<" not in html
    assert "未派单的工单" in html  # says that only dispatched orders are counted
    # Gas closed nothing: its 0 % bar is still drawn, on a visible track.
    assert 'width="2.0"' in html and 'fill="#f0f0f0"' in html
