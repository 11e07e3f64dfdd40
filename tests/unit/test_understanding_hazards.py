"""Hazards in a transcript (pure): the emergency flag under recognition errors, and no more.

Positives are written the way Whisper mangles them on an 8 kHz line (homophones, near
homophones, dropped characters); negatives are everyday requests whose words sound or look
like danger and must not be flagged. None is a fixture text.
"""

from __future__ import annotations

import pytest

from recordings.hazard_rules import HazardError, build_hazard_rules
from recordings.hazards import near_matches
from recordings.lexicon import build_lexicon, load_lexicon, make_term
from recordings.textnorm import normalize, syllables
from recordings.understanding import reconcile, understand
from routing.enums import OrderType, Utility

LEX = load_lexicon()


@pytest.mark.parametrize(
    ("text", "hazard"),
    [
        ("我家厨房燃气管道漏气了", "gas_leak"),  # as said
        ("然气漏了，快来人", "gas_leak"),  # 然气漏: homophone of 燃气漏
        ("楼道里一股煤气未，不知道谁家的", "gas_leak"),  # 煤气未 ~ 煤气味
        ("厨房里有股燃器味", "gas_leak"),  # 燃器味 ~ 燃气味
        ("家里管子路汽了，味道很冲", "gas_leak"),  # 路汽 ~ 漏气: lu for lou
        ("屋里有股言气味", "gas_leak"),  # 言气味: a Jinan 燃 (r -> y)
        ("天然气灶那边味道很大", "gas_leak"),  # 味道 with gas named
        ("燃气表后面的管子呲呲地响", "gas_leak"),
        ("燃气报警器一直响", "gas_leak"),
        ("楼道里的暖气管道路水了，热水往下流", "heating_pipe_leak"),  # 路水 ~ 漏水
        ("暖气管道漏了，热水喷了一地", "heating_pipe_leak"),
        ("小区门口的自来水管爆了", "water_main_burst"),
        ("马路上的水管破了，水往外喷", "water_main_burst"),
        ("路口有个井盖没了", "open_manhole"),
        ("电线都露出来了", "electric_shock"),
        ("地下通道里有人被困", "people_trapped"),
        ("井盖翻了，一个小孩差点掉进去", "person_in_danger"),
        ("路灯的线耷拉到地上，怕电着人", "person_in_danger"),
        ("河水快漫过堤了", "water_into_homes"),
        ("污水流进一楼住户家里了", "water_into_homes"),
        ("地下车库进水了，越来越深", "water_into_homes"),
    ],
)
def test_danger_is_flagged_with_its_clause(text: str, hazard: str) -> None:
    got = understand(text, LEX)
    assert got.emergency, got.evidence
    assert any(f"->{hazard} [" in h for h in got.hazards), got.hazards
    assert got.as_json()["hazards"] == list(got.hazards)


@pytest.mark.parametrize(
    "text",
    [
        "我想咨询一下燃气费怎么交",
        "请问到哪里交燃气费",  # 问到 sounds like 闻到
        "燃气公司有位师傅态度不好，我要投诉",  # 有位 sounds like 有味
        "煤气炉打不着火了，能来修一下吗",  # 煤气炉 is one syllable from 煤气漏; 着火 inside
        "燃气表不走了，想换一个",
        "天然气开户要带什么材料",
        "我家暖气管路不热",  # 管路 is one syllable from 管漏
        "暖气片漏水了，能来修一下吗",  # a radiator that drips is a repair
        "下水道有股味道，好几天了",  # a smell, but no gas named
        "化粪池满了，污水从井里冒出来",  # overflow is dredging, not a burst
        "水龙头出不来水",
        "水表跑起来特别快，我要投诉",
        "你们泄露了我的个人信息，我要投诉",
        "水管报修的电话是多少",
        "他怒气冲冲地说燃气费太贵",  # 怒 is two sounds from 漏 (n and u): not near
        "请问一下，手机上交了燃气费，燃气表还是显示余额不足，解释一下疑惑",
        "旁边的洗车店一直用自来水冲车，太浪费了",
        "家里水龙头出不来水了",
        "下水道堵了，水下不去",  # 下不去 is not 掉下去
        "河边的护栏断了好几节，麻烦修一下",
    ],
)
def test_everyday_requests_are_not_flagged(text: str) -> None:
    got = understand(text, LEX)
    assert not got.emergency, (got.evidence, got.hazards)
    assert got.emergency_confidence == 0.0
    assert got.hazards == ()


def test_a_near_homophone_flags_with_low_confidence_and_says_so() -> None:
    sure = understand("燃气管道漏气了", LEX)
    guess = understand("我家厨房管子路汽了", LEX)
    assert sure.emergency and guess.emergency
    assert sure.emergency_confidence >= 0.9
    assert guess.emergency_confidence < 0.5
    assert guess.confidence <= guess.emergency_confidence  # the reading is only a guess
    assert guess.hazards == ("路汽~漏气 (near)->gas_leak [G 3.1.4.4, G 3.2.3.5, L 3.2.4(7)]",)


def test_a_guessed_leak_still_overrides_the_keys() -> None:
    said = understand("我家燃器费交过了，可是屋里路汽了", LEX)
    result = reconcile(Utility.GAS, OrderType.CONSULTATION, said)
    assert result.emergency
    assert result.order_type is OrderType.EMERGENCY_REPAIR
    assert "words say emergency" in result.reasons


def _near(word: str, heard: str) -> bool:
    term = make_term(word, "x")
    text = normalize(heard)
    return any(True for _ in near_matches(text, syllables(text), term))


@pytest.mark.parametrize(
    ("word", "heard", "near"),
    [
        ("漏气", "路汽", True),  # ou / u
        ("燃气味", "言气味", True),  # r / y
        ("燃气味", "兰气味", True),  # r / l
        ("漏气", "怒气", False),  # initial and final both off
        ("漏气", "路费", False),  # two syllables off
        ("漏气", "漏气", False),  # the word itself is no near match
    ],
)
def test_near_homophones(word: str, heard: str, near: bool) -> None:
    assert _near(word, heard) is near


def test_every_packaged_rule_cites_a_clause() -> None:
    assert {r.name for r in LEX.hazard_rules} >= {"gas_leak", "water_main_burst"}
    assert all(r.clauses for r in LEX.hazard_rules)
    labels = {t.label for t in LEX.hazards}
    assert labels == {r.name for r in LEX.hazard_rules}


@pytest.mark.parametrize(
    "section",
    [
        {"gas_leak": {"words": ["漏气"]}},  # no clause
        {"gas_leak": {"clauses": ["section four"], "words": ["漏气"]}},
        {"gas_leak": {"clauses": ["G 3.1.4.4"], "words": []}},
        {"gas_leak": {"clauses": ["G 3.1.4.4"], "words": ["漏气"], "near_sound": ["煤气"]}},
        {"x": {"clauses": ["L 3.2.1(2)"], "words": ["a"], "with_utility": {"electricity": ["电"]}}},
        {},
    ],
)
def test_malformed_hazard_rules_are_rejected(section: dict[str, object]) -> None:
    with pytest.raises(HazardError):
        build_hazard_rules(section)
    with pytest.raises(HazardError):
        build_lexicon({"utilities": {}, "order_types": {}, "hazards": section})


def test_danger_makes_the_type_an_emergency_repair() -> None:
    said = understand("我想问一下，厨房里有股燃器味，是不是要关阀门", LEX)
    assert said.order_type is OrderType.EMERGENCY_REPAIR
    assert not said.order_type_is_default
    assert "问一下->consultation" in said.evidence  # what was asked stays visible
    calm = understand("我想问一下，燃气费怎么交", LEX)
    assert calm.order_type is OrderType.CONSULTATION
