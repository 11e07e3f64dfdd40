"""Outage announcements: which apply, what the caller hears, which incident an order joins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ivr import commands as cmd
from ivr import events as ev
from ivr.flow import FlowEngine
from ivr.loader import load_flow, load_prompt_ids
from routing.agencies.directory import load_directory
from routing.enums import Utility
from routing.floor import announcements as rules
from routing.floor.announcements import AnnouncementError, Notice, Outage, OutageKind

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)  # 09:00 in Jinan


def outage(oid: int = 1, utility: Utility = Utility.WATER, districts: tuple[str, ...] = (),
           start: datetime = T0, hours: int = 8, **extra: object) -> Outage:
    return Outage(id=oid, incident_id=f"INC-{oid}", utility=utility, kind=OutageKind.PLANNED,
                  districts=districts, starts_at=start, ends_at=start + timedelta(hours=hours),
                  **extra)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def engine() -> FlowEngine:
    prompts = load_prompt_ids(ROOT / "ivr" / "prompts.yaml")
    return FlowEngine(load_flow(ROOT / "ivr" / "flows" / "hotline.yaml", prompts))


def test_an_announcement_applies_only_inside_its_window_and_until_closed() -> None:
    water = outage()
    assert not water.active(T0 - timedelta(seconds=1))
    assert water.active(T0) and water.active(T0 + timedelta(hours=7, minutes=59))
    assert not water.active(T0 + timedelta(hours=8))
    closed = outage(closed_at=T0 + timedelta(hours=1))
    assert not closed.active(T0 + timedelta(hours=2))


def test_a_call_joins_the_incident_of_its_utility_and_district() -> None:
    outages = [outage(1, Utility.WATER, ("lixia",)), outage(2, Utility.GAS)]
    at = T0 + timedelta(hours=1)
    assert rules.incident_for(outages, Utility.WATER, "lixia", at) is outages[0]
    assert rules.incident_for(outages, Utility.WATER, None, at) is outages[0]  # not said yet
    assert rules.incident_for(outages, Utility.WATER, "tianqiao", at) is None
    assert rules.incident_for(outages, Utility.GAS, "tianqiao", at) is outages[1]  # citywide
    assert rules.incident_for(outages, Utility.HEATING, None, at) is None
    assert rules.incident_for(outages, None, None, at) is None


def test_newest_outages_are_heard_first_and_at_most_max_notices() -> None:
    outages = [outage(i, start=T0 + timedelta(minutes=i)) for i in range(1, 5)]
    heard = rules.notices(outages, T0 + timedelta(hours=1))
    assert [n.incident_id for n in heard] == ["INC-4", "INC-3"][: rules.MAX_NOTICES]


def test_recovery_time_is_read_in_jinan_time() -> None:
    notice = rules.notice_of(outage(recovery_at=T0 + timedelta(hours=5, minutes=5)))
    assert notice.recovery == (14, 5)


@pytest.mark.parametrize(
    ("start", "end", "recovery", "field"),
    [
        (T0, T0, None, "ends_at"),
        (T0, T0 - timedelta(hours=1), None, "ends_at"),
        (T0, T0 + timedelta(days=8), None, "ends_at"),
        (T0, T0 + timedelta(hours=2), T0 + timedelta(hours=3), "recovery_at"),
        (T0.replace(tzinfo=None), T0.replace(tzinfo=None) + timedelta(hours=1), None,
         "starts_at"),
        (T0.replace(year=1), T0, None, "starts_at"),
        (T0, T0.replace(year=9999), None, "ends_at"),
    ],
)
def test_bad_windows_are_refused_naming_the_field(
    start: datetime, end: datetime, recovery: datetime | None, field: str
) -> None:
    with pytest.raises(AnnouncementError) as refused:
        rules.check_window(start, end, recovery)
    assert refused.value.field == field


def test_districts_come_from_the_agency_directory() -> None:
    known = load_directory().districts
    assert rules.check_districts(["lixia", "历下区", "天桥"], known) == ("lixia", "tianqiao")
    with pytest.raises(AnnouncementError, match="unknown district 'atlantis'"):
        rules.check_districts(["atlantis"], known)


def test_text_is_trimmed_and_bounded() -> None:
    assert rules.check_text("  停水公告 ") == "停水公告"
    for bad in ("   ", "x" * (rules.MAX_TEXT + 1)):
        with pytest.raises(AnnouncementError):
            rules.check_text(bad)


def test_incident_id_names_the_jinan_day() -> None:
    late = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)  # already 28 Nov in Jinan
    assert rules.incident_id_for(late, 7) == "INC20261128-0007"


def test_caller_hears_the_notice_after_the_welcome_and_before_the_menu(
    engine: FlowEngine,
) -> None:
    notice = Notice("INC-9", Utility.WATER, OutageKind.UNPLANNED, (18, 5))
    state, commands = engine.start("c1", (notice,))
    play = commands[1]
    assert isinstance(play, cmd.Play)
    assert play.prompts == (
        "welcome", "notice_intro", "notice_utility_water", "notice_unplanned",
        "notice_recovery", "digit_1", "digit_8", "notice_hour", "digit_0", "digit_5",
        "notice_minute", "notice_end", "main_menu",
    )
    assert state.path == ("notice:INC-9", "main_menu")
    state, _ = engine.handle(state, ev.DigitPressed("1"))
    assert state.path == ("notice:INC-9", "main_menu:1", "type_menu")


def test_without_announcements_the_greeting_is_unchanged(engine: FlowEngine) -> None:
    state, commands = engine.start("c1", ())
    assert isinstance(commands[1], cmd.Play)
    assert commands[1].prompts == ("welcome", "main_menu")
    assert state.path == ("main_menu",)


def test_a_planned_outage_without_recovery_time_skips_the_time(engine: FlowEngine) -> None:
    notice = Notice("INC-1", Utility.GAS, OutageKind.PLANNED, None)
    _state, commands = engine.start("c1", (notice,))
    assert isinstance(commands[1], cmd.Play)
    assert commands[1].prompts == ("welcome", "notice_intro", "notice_utility_gas",
                                   "notice_planned", "notice_end", "main_menu")


def test_every_notice_prompt_has_a_recording() -> None:
    ids = load_prompt_ids(ROOT / "ivr" / "prompts.yaml")
    notice_ids = [i for i in ids if i.startswith("notice_")]
    assert len(notice_ids) == 16
    assert all((ROOT / "recordings" / "prompts" / f"{i}.wav").stat().st_size > 1000
               for i in notice_ids)
