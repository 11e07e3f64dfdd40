"""The pure decision of what a read of orders leaves in the audit trail (routing/admin/audit.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from routing.admin.audit import (
    AGENCY_FIELDS,
    ANONYMOUS,
    CENTER_FIELDS,
    ENTITY,
    MAX_AUDITED,
    Read,
    Reader,
    disclosure,
    is_read,
    reads_to_audit,
)

AT = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
WATER = Reader(user_id="water", role="agency", ip="10.0.0.7")


def test_one_order_read_leaves_one_row_naming_reader_order_and_fields() -> None:
    shown = disclosure(Read.AGENCY_ORDER, ["2611270001"], AGENCY_FIELDS)
    [row] = reads_to_audit(shown, WATER, at=AT)
    assert (row.actor, row.role, row.ip, row.at) == ("water", "agency", "10.0.0.7", AT)
    assert (row.entity, row.entity_id, row.action) == (ENTITY, "2611270001", "agency_read_order")
    assert row.detail == {"fields": list(AGENCY_FIELDS), "listed": 1}


def test_a_list_leaves_one_row_per_distinct_order_in_answer_order() -> None:
    shown = disclosure(Read.ORDER_LIST, ["3", "1", "3", "2"], CENTER_FIELDS)
    rows = reads_to_audit(shown, WATER, at=AT)
    assert [r.entity_id for r in rows] == ["3", "1", "2"]
    assert {r.detail["listed"] for r in rows} == {3}
    assert "recording" in rows[0].detail["fields"]


def test_an_empty_answer_disclosed_nothing_and_leaves_nothing() -> None:
    assert reads_to_audit(disclosure(Read.ORDER_LIST, [], CENTER_FIELDS), WATER, at=AT) == []


def test_calls_without_an_order_are_not_order_reads() -> None:
    shown = disclosure(Read.CALL_LIST, [None, "7", None], CENTER_FIELDS)
    assert shown.numbers == ("7",)


def test_a_list_beyond_the_cap_is_recorded_up_to_it_and_says_how_many_more() -> None:
    numbers = [str(n) for n in range(MAX_AUDITED + 25)]
    rows = reads_to_audit(disclosure(Read.CALL_LIST, numbers, CENTER_FIELDS), WATER, at=AT)
    assert len(rows) == MAX_AUDITED
    assert rows[-1].entity_id == str(MAX_AUDITED - 1)
    assert rows[0].detail["not_recorded"] == 25


def test_a_read_without_login_is_recorded_as_anonymous() -> None:
    nobody = Reader(user_id=None, role=None, ip="127.0.0.1")
    [row] = reads_to_audit(disclosure(Read.ORDER, ["9"], CENTER_FIELDS), nobody, at=AT)
    assert (row.actor, row.role) == (ANONYMOUS, None)


def test_reads_and_changes_are_told_apart() -> None:
    assert all(is_read(r.value) for r in Read)
    assert not is_read("created") and not is_read("dispatch")
