"""Understanding a transcript (pure): utility, type, emergency, district, address, keys.

Sentences here are written as callers and engines produce them, including the engines'
homophone errors (然气, 公暖) and traditional characters, and are not the fixture texts.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recordings.lexicon import LexiconError, build_lexicon, load_lexicon
from recordings.textnorm import normalize, syllables
from recordings.understanding import reconcile, understand
from routing.enums import OrderType, Utility

LEX = load_lexicon()

U, T = Utility, OrderType


@pytest.mark.parametrize(
    ("text", "utility", "order_type", "emergency"),
    [
        ("厨房里燃气泄漏了，满屋子都是味", U.GAS, T.EMERGENCY_REPAIR, True),
        ("然气管道漏气了，快来人", U.GAS, T.EMERGENCY_REPAIR, True),  # 然气: homophone
        ("我家煤气灶点不着火，能派人来看看吗", U.GAS, T.MAINTENANCE, False),
        ("请问天然气开户要带什么材料", U.GAS, T.CONSULTATION, False),
        ("我家暖氣不熱，我要投訴", U.HEATING, T.COMPLAINT, False),  # traditional
        ("公暖开始以后屋里还是冰凉的，温度不达标", U.HEATING, T.COMPLAINT, False),
        ("暖气片漏水了，能不能安排人来维修", U.HEATING, T.MAINTENANCE, False),
        ("小区停水一整天了，老人没法做饭，求助", U.WATER, T.HELP, False),
        ("水表不走了，想换一个新的", U.WATER, T.MAINTENANCE, False),
        ("街上的供水管爆了，水喷得老高，赶紧来抢修", U.WATER, T.EMERGENCY_REPAIR, True),
        ("想咨询一下水费怎么交", U.WATER, T.CONSULTATION, False),
        ("路面塌陷了一个大坑，车都掉进去了", U.ROAD_BRIDGE, T.EMERGENCY_REPAIR, True),
        ("人行道的地砖坏了好几块", U.ROAD_BRIDGE, T.MAINTENANCE, False),
        ("建议在这个路口修一座过街天桥", U.ROAD_BRIDGE, T.SUGGESTION, False),
        ("河道里全是垃圾，臭得很，一直没人管", U.RIVER, T.COMPLAINT, False),
        ("这条街的路灯坏了，晚上不亮", U.STREETLIGHT, T.MAINTENANCE, False),
        ("陆灯全都黑了", U.STREETLIGHT, T.MAINTENANCE, False),  # 陆灯: homophone of 路灯
        ("下水道堵了，污水返上来了", U.DRAINAGE, T.MAINTENANCE, False),
        ("马路上的井盖没了，很危险", U.DRAINAGE, T.EMERGENCY_REPAIR, True),
        ("下暴雨了，桥洞下积水很深，有人被困", U.FLOOD_CONTROL, T.EMERGENCY_REPAIR, True),
        ("防汛的沙袋能不能送一些过来，帮帮忙", U.FLOOD_CONTROL, T.HELP, False),
        ("我建议大家节约用水，多用节水器具", U.WATER_SAVING, T.SUGGESTION, False),
        ("举报有人用消防栓的水洗车，太浪费了", U.WATER_SAVING, T.COMPLAINT, False),
    ],
)
def test_phrasings(text: str, utility: Utility, order_type: OrderType, emergency: bool) -> None:
    got = understand(text, LEX)
    assert (got.utility, got.order_type, got.emergency) == (utility, order_type, emergency), (
        got.evidence
    )
    assert 0.0 < got.confidence <= 1.0


def test_homophone_match_is_reported_as_pinyin_evidence() -> None:
    got = understand("我家然气表坏了", LEX)
    assert got.utility is Utility.GAS
    assert any("~" in e for e in got.evidence)  # "然气~燃气->gas"


@pytest.mark.parametrize(
    "district",
    [
        "历下区",
        "市中区",
        "槐荫区",
        "天桥区",
        "历城区",
        "长清区",
        "章丘区",
        "济阳区",
        "莱芜区",
        "钢城区",
    ],
)
def test_every_district_by_name(district: str) -> None:
    assert understand(f"我住在{district}，家里停水了", LEX).district == district


@pytest.mark.parametrize(
    ("text", "district"),
    [
        ("怀因区经七路的路灯不亮", "槐荫区"),  # 怀因: homophone of 槐荫
        ("立城区花园路有个井盖没了", "历城区"),
        ("章丘这边停水了", "章丘区"),  # short form in characters
        ("过街天桥的栏杆坏了", None),  # an overpass, not 天桥区
        ("市中心的路灯都不亮", None),  # city centre, not 市中区
        ("暖气不热", None),
    ],
)
def test_district(text: str, district: str | None) -> None:
    assert understand(text, LEX).district == district


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("地址是历下区泉城路一百号，燃气漏气", "历下区泉城路100号"),
        ("市中区经10路和舜耕路路口水管爆了", "市中区经十路和舜耕路路口"),
        ("槐荫区阳光小区五号楼二单元暖气不热", "槐荫区阳光小区5号楼2单元"),
        ("在经十路的公交站旁边有个坑", "经十路的公交站旁边"),
        ("我家暖气不热", None),
    ],
)
def test_address(text: str, address: str | None) -> None:
    assert understand(text, LEX).address == address


def test_text_normalisation() -> None:
    assert normalize("暖氣 不熱，十四度，一百零八号") == "暖气不热,14度,108号"
    assert normalize("一直一下一闪一闪") == "一直一下一闪一闪"  # numerals as words stay
    assert len(syllables("长清区abc")) == len("长清区abc")


def test_nothing_said() -> None:
    got = understand("", LEX)
    assert (got.utility, got.order_type, got.emergency, got.confidence) == (None, None, False, 0)


def test_no_utility_named_means_no_guess() -> None:
    got = understand("喂，你好，听得见吗", LEX)
    assert got.utility is None
    assert got.address is None


def test_keys_and_words_agree() -> None:
    said = understand("燃气漏气了，快来抢修", LEX)
    result = reconcile(Utility.GAS, OrderType.EMERGENCY_REPAIR, said)
    assert not result.disagreement
    assert (result.utility, result.order_type, result.emergency) == (
        Utility.GAS,
        OrderType.EMERGENCY_REPAIR,
        True,
    )


def test_keys_and_words_disagree_on_utility() -> None:
    said = understand("我家暖气不热", LEX)
    result = reconcile(Utility.WATER, OrderType.MAINTENANCE, said)
    assert result.disagreement
    assert result.utility is Utility.WATER  # the keys choose; the words are kept beside
    assert result.spoken_utility is Utility.HEATING
    assert result.keys_utility is Utility.WATER


def test_words_of_danger_raise_emergency_over_the_keys() -> None:
    said = understand("我想问一下，楼道里有很重的煤气味，是不是漏气了", LEX)
    result = reconcile(Utility.GAS, OrderType.CONSULTATION, said)
    assert result.emergency
    assert result.order_type is OrderType.EMERGENCY_REPAIR
    assert result.keys_type is OrderType.CONSULTATION
    assert result.disagreement
    assert "words say emergency" in result.reasons


def test_words_fill_what_the_keys_left_open() -> None:
    result = reconcile(None, None, understand("路灯不亮了", LEX))
    assert (result.utility, result.order_type) == (Utility.STREETLIGHT, OrderType.MAINTENANCE)
    assert not result.disagreement


def test_a_default_type_is_no_disagreement() -> None:
    said = understand("路灯", LEX)  # no request word: the type is only a default
    assert said.order_type_is_default
    assert not reconcile(Utility.STREETLIGHT, OrderType.COMPLAINT, said).disagreement


def test_keys_emergency_stays_when_words_are_calm() -> None:
    result = reconcile(Utility.WATER, OrderType.EMERGENCY_REPAIR, understand("停水了", LEX))
    assert result.emergency


def test_lexicon_rejects_unknown_utility() -> None:
    with pytest.raises(LexiconError):
        build_lexicon({"utilities": {"electricity": {"电": 5}}, "order_types": {}})


_WORDS = [t.text for t in (*LEX.utilities, *LEX.order_types, *LEX.districts, *LEX.places)]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(st.text(max_size=12), st.sampled_from(_WORDS), st.sampled_from("的和与号路区")),
        max_size=12,
    ).map("".join)
)
def test_never_crashes_on_arbitrary_text(text: str) -> None:
    got = understand(text, LEX)
    assert 0.0 <= got.confidence <= 1.0
    assert got.emergency or got.order_type is not OrderType.EMERGENCY_REPAIR
    reconcile(Utility.GAS, None, got)


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet="零〇幺一二两三四五六七八九十百千万亿号度米经纬路区0123456789 ", max_size=20)
)
def test_number_normalisation_never_crashes(text: str) -> None:
    assert isinstance(normalize(text), str)
