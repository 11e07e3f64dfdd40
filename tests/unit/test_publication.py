"""What an Open311 read may show of a citizen's request (routing/orders/publication.py)."""

from __future__ import annotations

import pytest

from routing.orders.publication import HIDDEN, coarse_address, coarse_point, redact


@pytest.mark.parametrize(
    "text",
    [
        "请回电13800001234",
        "电话 138 0000 1234 找我",
        "座机0531-88881234",
        "+86 13800001234",
        "联系 0531.8888.1234",
    ],
)
def test_given_a_phone_number_in_the_description_then_it_is_hidden(text: str) -> None:
    shown = redact(text)
    assert HIDDEN in shown
    assert not any(run in shown.replace(" ", "").replace("-", "").replace(".", "")
                   for run in ("1380000", "8888123"))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("我叫张三，路灯不亮", "张三"),
        ("联系人：李四丰", "李四丰"),
        ("姓名 王五", "王五"),
        ("my name is John Smith, light broken", "John"),
    ],
)
def test_given_a_name_introduced_in_the_description_then_it_is_hidden(
    text: str, name: str
) -> None:
    assert name not in redact(text)


def test_given_the_names_the_citizen_gave_then_they_are_hidden_wherever_they_appear() -> None:
    shown = redact("赵敏家门口的井盖丢了，赵敏很着急", names=("赵敏", None, " "))
    assert "赵敏" not in shown and "井盖丢了" in shown


def test_given_a_form_of_address_then_the_surname_is_hidden() -> None:
    assert redact("请张先生和王女士放心") == "请＊先生和＊女士放心"


def test_given_an_email_then_it_is_hidden() -> None:
    assert "a.b@example.cn" not in redact("写信到 a.b@example.cn")


def test_given_plain_numbers_of_a_problem_then_they_are_kept() -> None:
    text = "经十路100号井盖，300毫米管道，2026年12月5日起"
    assert redact(text) == text


@pytest.mark.parametrize(
    ("address", "coarse"),
    [
        ("历下区经十路100号3单元502", "历下区经十路"),
        ("槐荫区经七纬二路12号", "槐荫区经七纬二路"),
        ("市中区英雄山路", "市中区英雄山路"),
        ("解放路22号", "解放路"),
        ("天桥区某小区3号楼", "天桥区"),
        ("3号楼502", None),
        (None, None),
    ],
)
def test_an_address_keeps_its_district_and_road_only(address: str | None,
                                                     coarse: str | None) -> None:
    assert coarse_address(address) == coarse


def test_a_coordinate_keeps_three_decimals() -> None:
    assert coarse_point(36.651234) == 36.651 and coarse_point(None) is None
