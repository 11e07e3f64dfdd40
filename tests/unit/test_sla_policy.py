"""SLA deadlines from routing/orders/sla_policy.yaml, against values worked out by hand from the
clauses.

Every expected instant below was counted by hand (DOMAIN.md "How limits are counted"), in
Asia/Shanghai, with the 2026 calendar: 1–7 Oct National Day off, Sat 10 Oct and Sun 20 Sep
make-up working days, Fri 25 Sep Mid-Autumn off, Sat 14 Feb and Sat 9 May make-up days.
"Cap" = L 3.2.4(1): what is accepted today is dispatched by 23:59:59 today.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from routing.orders.calendar import SHANGHAI, WorkingDayCalendar
from routing.orders.policy import (
    DEFAULT_POLICY_PATH,
    PolicyError,
    compute_deadlines,
    load_policy,
    parse_policy,
)

SILENT = {"road_bridge", "river", "streetlight", "drainage", "flood_control", "water_saving"}
_POLICY = load_policy()  # read once for the module; the table is immutable
_CAL = WorkingDayCalendar()


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0, sec: int = 0) -> datetime:
    """A literal Asia/Shanghai wall-clock time: sh(2026, 10, 9, 23, 59, 59)."""
    return datetime(year, month, day, hour, minute, sec, tzinfo=SHANGHAI)


@dataclass(frozen=True)
class Case:
    utility: str
    order_type: str
    created: datetime
    dispatch: datetime
    receipt: datetime | None = None
    onsite: datetime | None = None
    resolve: datetime | None = None
    complex: bool = False
    case: str = "general"
    source: str = "standard"


EOD_0930, EOD_1009 = sh(2026, 9, 30, 23, 59, 59), sh(2026, 10, 9, 23, 59, 59)
CASES = [
    # L 3.2.4(4) 30 min; W 9.1 2 wd: 1-7 Oct off -> Thu 8 (1), Fri 9 (2)
    Case("water", "complaint", sh(2026, 9, 30, 10), sh(2026, 9, 30, 10, 30),
         sh(2026, 9, 30, 10, 30), resolve=EOD_1009),
    # W 9.1 complex 7 wd: 8, 9, Sat 10 (make-up), 12, 13, 14, 15 Oct
    Case("water", "complaint", sh(2026, 9, 30, 10), sh(2026, 9, 30, 10, 30),
         sh(2026, 9, 30, 10, 30), resolve=sh(2026, 10, 15, 23, 59, 59), complex=True),
    # Fri 23:50: cap; receipt L 3.2.4(4) 00:20; W 9.1: Sat 10 make-up (1), Mon 12 (2)
    Case("water", "complaint", sh(2026, 10, 9, 23, 50), EOD_1009, sh(2026, 10, 10, 0, 20),
         resolve=sh(2026, 10, 12, 23, 59, 59)),
    # Fri 23:50 complaint: cap; H 3.7.5 2 calendar days = +48 h
    Case("heating", "complaint", sh(2026, 1, 9, 23, 50), sh(2026, 1, 9, 23, 59, 59),
         sh(2026, 1, 10, 0, 20), resolve=sh(2026, 1, 11, 23, 50)),
    # H 3.7.5 complex 7 calendar days
    Case("heating", "complaint", sh(2026, 1, 9, 23, 50), sh(2026, 1, 9, 23, 59, 59),
         sh(2026, 1, 10, 0, 20), resolve=sh(2026, 1, 16, 23, 50), complex=True),
    # Fri 23:50: cap; W 9.1 2 wd: Mon 16 (1), Tue 17 (2)
    Case("water", "complaint", sh(2026, 3, 13, 23, 50), sh(2026, 3, 13, 23, 59, 59),
         sh(2026, 3, 14, 0, 20), resolve=sh(2026, 3, 17, 23, 59, 59)),
    # L 3.1.5(7)c / G 4.3.2 4 wd: 16, 17, 18, 19 Mar
    Case("gas", "complaint", sh(2026, 3, 13, 23, 50), sh(2026, 3, 13, 23, 59, 59),
         sh(2026, 3, 14, 0, 20), resolve=sh(2026, 3, 19, 23, 59, 59)),
    # G 4.3.2 4 wd across National Day: Tue 29 (1), Wed 30 (2), Thu 8 (3), Fri 9 (4)
    Case("gas", "complaint", sh(2026, 9, 28, 9), sh(2026, 9, 28, 9, 30), sh(2026, 9, 28, 9, 30),
         resolve=EOD_1009),
    # gas via 12319 has no complex variant (L 3.1.5(7)c): still 4 wd
    Case("gas", "complaint", sh(2026, 9, 28, 9), sh(2026, 9, 28, 9, 30), sh(2026, 9, 28, 9, 30),
         resolve=EOD_1009, complex=True),
    # L 3.2.4(1) same day, no receipt; G 4.3.2 3 wd: Sat 10 make-up (1), 12 (2), 13 (3)
    Case("gas", "suggestion", sh(2026, 10, 9, 15), EOD_1009,
         resolve=sh(2026, 10, 13, 23, 59, 59)),
    # G 4.3.2 3 wd: Fri 25 Mid-Autumn, weekend off -> Mon 28 (1), 29 (2), 30 (3)
    Case("gas", "suggestion", sh(2026, 9, 24, 10), sh(2026, 9, 24, 23, 59, 59),
         resolve=EOD_0930),
    # L 3.2.4(2) immediate on a holiday; G 3.1.4.4 on site 30 min
    Case("gas", "emergency_repair", sh(2026, 10, 3, 2, 17), sh(2026, 10, 3, 2, 17),
         sh(2026, 10, 3, 2, 17), onsite=sh(2026, 10, 3, 2, 47)),
    # G 3.2.3.5 indoor LPG leak: on site 30 min
    Case("gas", "emergency_repair", sh(2026, 5, 1, 12), sh(2026, 5, 1, 12), sh(2026, 5, 1, 12),
         onsite=sh(2026, 5, 1, 12, 30), case="lpg_indoor_leak"),
    # L 3.2.4(3) 30 min; G 3.1.5.2 no gas: on site 1 h (Spring Festival does not matter)
    Case("gas", "maintenance", sh(2026, 2, 16, 20, 45), sh(2026, 2, 16, 21, 15),
         sh(2026, 2, 16, 21, 15), onsite=sh(2026, 2, 16, 21, 45), case="no_gas_low_pressure"),
    # L 3.2.4(3) 23:40 is before the cap; G 3.2.3.4 on site 2 h
    Case("gas", "maintenance", sh(2026, 7, 1, 23, 10), sh(2026, 7, 1, 23, 40),
         sh(2026, 7, 1, 23, 40), onsite=sh(2026, 7, 2, 1, 10), case="lpg_bad_combustion"),
    # maintenance at 23:45: 00:15 would pass midnight, so the cap governs dispatch
    Case("gas", "maintenance", sh(2026, 7, 1, 23, 45), sh(2026, 7, 1, 23, 59, 59),
         sh(2026, 7, 2, 0, 15)),
    # G 3.4.2 appliance install: on site 48 h; L 3.2.4(1) same day
    Case("gas", "help", sh(2026, 7, 1, 9), sh(2026, 7, 1, 23, 59, 59),
         onsite=sh(2026, 7, 3, 9), case="appliance_install"),
    # W 5.2.2 on site 0.5 h; W 5.2.3 burst stopped within 4 h (holiday does not extend)
    Case("water", "emergency_repair", sh(2026, 10, 1, 3), sh(2026, 10, 1, 3), sh(2026, 10, 1, 3),
         onsite=sh(2026, 10, 1, 3, 30), resolve=sh(2026, 10, 1, 7), case="burst"),
    # W 5.2.3 leaks within 24 h, across New Year
    Case("water", "emergency_repair", sh(2026, 12, 31, 22), sh(2026, 12, 31, 22),
         sh(2026, 12, 31, 22), onsite=sh(2026, 12, 31, 22, 30), resolve=sh(2027, 1, 1, 22)),
    # W 5.2.3 300-800 mm: 36 h
    Case("water", "emergency_repair", sh(2026, 6, 1, 8), sh(2026, 6, 1, 8), sh(2026, 6, 1, 8),
         onsite=sh(2026, 6, 1, 8, 30), resolve=sh(2026, 6, 2, 20), case="pipe_300_800"),
    # L 3.2.4(3) 30 min; W 5.1 / 5.2.3 24 h, on a holiday
    Case("water", "maintenance", sh(2026, 10, 2, 14), sh(2026, 10, 2, 14, 30),
         sh(2026, 10, 2, 14, 30), resolve=sh(2026, 10, 3, 14)),
    # W 5.3.3 meter 2 wd: Sat 10 make-up (1), Mon 12 (2)
    Case("water", "maintenance", sh(2026, 10, 9, 11), sh(2026, 10, 9, 11, 30),
         sh(2026, 10, 9, 11, 30), resolve=sh(2026, 10, 12, 23, 59, 59), case="meter_replace"),
    # W 4.4 supply back within 24 h of paying arrears
    Case("water", "maintenance", sh(2026, 2, 17, 10), sh(2026, 2, 17, 10, 30),
         sh(2026, 2, 17, 10, 30), resolve=sh(2026, 2, 18, 10), case="restore_after_arrears"),
    # W ch.4 4.2 sample on site 1 h; W 9.1 2 wd from a Saturday: Mon 10 (1), Tue 11 (2)
    Case("water", "complaint", sh(2026, 8, 8, 20), sh(2026, 8, 8, 20, 30), sh(2026, 8, 8, 20, 30),
         onsite=sh(2026, 8, 8, 21), resolve=sh(2026, 8, 11, 23, 59, 59), case="water_quality"),
    # L 3.2.4(1) consultation on the make-up Saturday
    Case("water", "consultation", sh(2026, 2, 14, 9), sh(2026, 2, 14, 23, 59, 59)),
    # H 3.7.5 2 calendar days: holidays count
    Case("heating", "complaint", sh(2026, 10, 1, 10), sh(2026, 10, 1, 10, 30),
         sh(2026, 10, 1, 10, 30), resolve=sh(2026, 10, 3, 10)),
    # H 3.4.4 major well repair 48 h
    Case("heating", "emergency_repair", sh(2026, 12, 5, 1), sh(2026, 12, 5, 1), sh(2026, 12, 5, 1),
         onsite=sh(2026, 12, 5, 3), resolve=sh(2026, 12, 7, 1), case="manhole_major_repair"),
    # H 3.4.3 general fault 8 h, in the heating season (H 3.2.1)
    Case("heating", "maintenance", sh(2026, 12, 24, 18, 30), sh(2026, 12, 24, 19),
         sh(2026, 12, 24, 19), resolve=sh(2026, 12, 25, 2, 30)),
    # H 3.4.3 does not apply in July (H 3.2.1: outside the season)
    Case("heating", "maintenance", sh(2026, 7, 1, 10), sh(2026, 7, 1, 10, 30),
         sh(2026, 7, 1, 10, 30)),
    # H 3.2.1 season starts 15 Nov 00:00 (inclusive)
    Case("heating", "maintenance", sh(2026, 11, 15), sh(2026, 11, 15, 0, 30),
         sh(2026, 11, 15, 0, 30), resolve=sh(2026, 11, 15, 8)),
    # H 3.2.1 season ends 15 Mar 00:00 (exclusive)
    Case("heating", "maintenance", sh(2026, 3, 15), sh(2026, 3, 15, 0, 30), sh(2026, 3, 15, 0, 30)),
    # last minute of the season: cap on dispatch, 8 h runs past the season's end
    Case("heating", "maintenance", sh(2026, 3, 14, 23, 59), sh(2026, 3, 14, 23, 59, 59),
         sh(2026, 3, 15, 0, 29), resolve=sh(2026, 3, 15, 7, 59)),
    # H 3.5.2 temperature test within 5 days
    Case("heating", "maintenance", sh(2026, 1, 20, 9), sh(2026, 1, 20, 9, 30),
         sh(2026, 1, 20, 9, 30), resolve=sh(2026, 1, 25, 9), case="temperature_test"),
    # center default 3 wd: Sat 10 make-up (1), Mon 12 (2), Tue 13 (3)
    Case("streetlight", "maintenance", sh(2026, 10, 9, 17), sh(2026, 10, 9, 17, 30),
         sh(2026, 10, 9, 17, 30), resolve=sh(2026, 10, 13, 23, 59, 59), source="center_default"),
    # L 3.2.4(2) immediate; center default on site 1 h, resolve 24 h
    Case("drainage", "emergency_repair", sh(2026, 7, 15, 23, 45), sh(2026, 7, 15, 23, 45),
         sh(2026, 7, 15, 23, 45), onsite=sh(2026, 7, 16, 0, 45), resolve=sh(2026, 7, 16, 23, 45),
         source="center_default"),
    # Fri 23:50: cap; center default 2 wd: Sat 9 May make-up (1), Mon 11 (2)
    Case("flood_control", "complaint", sh(2026, 5, 8, 23, 50), sh(2026, 5, 8, 23, 59, 59),
         sh(2026, 5, 9, 0, 20), resolve=sh(2026, 5, 11, 23, 59, 59), source="center_default"),
    # UTC input: 16:30Z 30 Sep = 00:30 1 Oct in Jinan, so day 0 is the holiday; W 9.1 8 (1), 9 (2)
    Case("water", "complaint", datetime(2026, 9, 30, 16, 30, tzinfo=UTC), sh(2026, 10, 1, 1),
         sh(2026, 10, 1, 1), resolve=EOD_1009),
    # L 3.2.4(1) suggestion on a holiday: same day
    Case("river", "suggestion", sh(2026, 10, 1, 10), sh(2026, 10, 1, 23, 59, 59)),
    # past the calendar's data: Mon-Fri fallback, 7 wd = 4, 5, 8, 9, 10, 11, 12 Oct 2040
    Case("road_bridge", "complaint", sh(2040, 10, 3, 9), sh(2040, 10, 3, 9, 30),
         sh(2040, 10, 3, 9, 30), resolve=sh(2040, 10, 12, 23, 59, 59), complex=True,
         source="center_default"),
]


@pytest.mark.parametrize("c", CASES)
def test_deadlines_match_hand_computed(c: Case) -> None:
    got = compute_deadlines(_POLICY, _CAL, utility=c.utility, order_type=c.order_type,
                            created_at=c.created, complex=c.complex, case=c.case)
    assert (got.dispatch_due, got.receipt_due, got.onsite_due, got.resolve_due) == (
        c.dispatch, c.receipt, c.onsite, c.resolve)
    assert got.source == c.source


def test_clauses_say_why() -> None:
    capped = compute_deadlines(_POLICY, _CAL, utility="water", order_type="complaint",
                               created_at=sh(2026, 10, 9, 23, 50))
    assert capped.clauses == ["L 3.2.4(4)", "L 3.1.5(7)a", "W 9.1", "L 3.2.4(1)"]
    heating = compute_deadlines(_POLICY, _CAL, utility="heating", order_type="maintenance",
                                created_at=sh(2026, 7, 1, 10))
    assert "H 3.2.1" in heating.clauses and "season" in heating.notes[0]


def test_json_is_utc_iso8601() -> None:
    got = compute_deadlines(_POLICY, _CAL, utility="gas", order_type="emergency_repair",
                            created_at=sh(2026, 10, 3, 2, 17)).as_json()
    assert got["dispatch_due"] == "2026-10-02T18:17:00+00:00"
    assert got["onsite_due"] == "2026-10-02T18:47:00+00:00" and got["resolve_due"] is None
    assert got["clauses"] == ["L 3.2.4(2)", "G 3.1.4.4"]


def test_table_shape() -> None:
    assert len(_POLICY.rows) == 80
    for (utility, _, _), row in _POLICY.rows.items():
        assert row.clauses and any(c.startswith("L 3.2.4") for c in row.clauses)
        if row.source == "center_default":
            assert utility in SILENT  # never for water, heating or gas


def _raw() -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8")))


def _index(raw: dict[str, Any], utility: str, order_type: str) -> int:
    """Index of the general row (general rows leave `case` out)."""
    rows = [(r["utility"], r["order_type"], r.get("case")) for r in raw["rows"]]
    return rows.index((utility, order_type, None))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"utility": "electricity"}, r"row 1 \(electricity/complaint/general\): utility"),
        ({"order_type": "repair"}, r"row 1 \(water/repair/general\): order_type"),
        ({"resolve": {"fortnights": 2}}, r"row 1 \(water/complaint/general\): resolve"),
        ({"resolve": "minutes"}, r"row 1 .*needs a number"),
        ({"resolve": {"hours": 2, "minutes": 3}}, r"row 1 .*one \{unit: N\} pair"),
        ({"clauses": []}, r"row 1 .*clauses"),
        ({"clauses": ["3.2.4"]}, r"row 1 .*clause ids"),
        ({"dispatch": {"hours": 2}}, r"row 1 .*dispatch cannot be counted in hours"),
        ({"receipt": None}, r"row 1 .*receipt_required"),
        ({"order_type": "maintenance"}, r"row 1 .*only complaints have a complex variant"),
        ({"source": "center_default"}, r"row 1 .*needs a note"),
        ({"deadline": 3}, r"row 1 .*deadline: Extra inputs"),
        ({"season": "monsoon"}, r"row 1 .*unknown season 'monsoon'"),
    ],
)
def test_malformed_row_is_refused_naming_it(change: dict[str, Any], message: str) -> None:
    raw = _raw()
    raw["rows"][0] = {**raw["rows"][0], **change}
    with pytest.raises(PolicyError, match=message):
        parse_policy(raw)


def test_malformed_yaml_text_names_the_row() -> None:
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    bad = text.replace("resolve: {working_days: 4}", "resolve: {working_days: four}", 1)
    raw = yaml.safe_load(bad)
    number = _index(raw, "gas", "complaint") + 1
    with pytest.raises(PolicyError, match=rf"row {number} \(gas/complaint/general\): resolve"):
        parse_policy(raw)


def test_duplicate_and_missing_general_rows_are_refused() -> None:
    raw = _raw()
    raw["rows"].append(raw["rows"][0])
    with pytest.raises(PolicyError, match=r"row 81 \(water/complaint/general\): duplicate"):
        parse_policy(raw)
    raw = _raw()
    del raw["rows"][_index(raw, "gas", "maintenance")]
    with pytest.raises(PolicyError, match="no 'general' row for: gas/maintenance"):
        parse_policy(raw)
    with pytest.raises(PolicyError, match="unknown top-level keys"):
        parse_policy({**_raw(), "limits": {}})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"utility": "electricity"}, "unknown utility 'electricity'; one of: water"),
        ({"order_type": "repair"}, "unknown type 'repair'"),
        ({"case": "meteor"}, r"no case 'meteor' for water/complaint; cases: \['general'"),
        ({"created_at": datetime(2026, 1, 5, 9)}, "no timezone"),  # naive
    ],
)
def test_bad_orders_are_refused(kwargs: dict[str, Any], message: str) -> None:
    order = {"utility": "water", "order_type": "complaint", "created_at": sh(2026, 1, 5, 9)}
    with pytest.raises(ValueError, match=message):  # UnknownOrderError is a ValueError
        compute_deadlines(_POLICY, _CAL, **{**order, **kwargs})


ZONES = st.sampled_from([SHANGHAI, UTC, timezone(timedelta(hours=-5))])


@settings(max_examples=300, deadline=None)  # 2003 and 2027+ exercise the Mon-Fri fallback
@given(st.data(), st.datetimes(datetime(2003, 1, 1), datetime(2042, 12, 31), timezones=ZONES),
       st.booleans())
def test_deadlines_never_precede_acceptance(
    data: st.DataObject, created: datetime, complex_: bool
) -> None:
    utility, order_type, case = data.draw(st.sampled_from(sorted(_POLICY.rows)))
    got = compute_deadlines(_POLICY, _CAL, utility=utility, order_type=order_type,
                            created_at=created, complex=complex_, case=case)
    assert got.dispatch_due >= created
    for due in (got.receipt_due, got.onsite_due):
        assert due is None or due >= created
    assert got.resolve_due is None or got.resolve_due >= got.dispatch_due
