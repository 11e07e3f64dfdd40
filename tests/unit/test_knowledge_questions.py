"""Seeded answers found by questions phrased unlike their titles (issue 17, acceptance 1).

These 24 questions are the ranker's TUNING set: they were first run blind (20 of 24 first,
before any change to the ranker) and the ranker was then shaped on them (21 of 24 first,
all 24 in the top three). The blind figure is `python -m tools.knowledge_benchmark` on
tests/fixtures/knowledge/heldout.yaml, which this test never reads.
"""

from __future__ import annotations

from datetime import date

from routing.knowledge_base.knowledge import Index, Searchable, load_seed, search

QUESTIONS = [
    ('什么时候开始供暖', 'heating-season', '11月15日'),
    ('暖气调试是哪几天', 'heating-season', '11月8日'),
    ('家里温度只有十四度，想让供热公司来测一下', 'heating-room-temperature-test', '5天'),
    ('温度一直上不去，采暖费能退一部分吗', 'heating-refund', '50%'),
    ('今年冬天房子没人住，暖气能不能停了', 'heating-stop-service', '9月30日'),
    ('买的二手房，暖气户名怎么改成我的', 'heating-transfer', '更名过户'),
    ('小区暖气管子坏了多长时间能修好', 'heating-repair-limits', '8小时'),
    ('厨房里一股煤气味儿', 'gas-leak-what-to-do', '角阀'),
    ('灶台打不着火，是不是停气了', 'gas-no-gas', '1小时'),
    ('刚收的房子，天然气怎么开通', 'gas-open-service', '15个工作日'),
    ('装修想把燃气管道挪个位置', 'gas-move-facility', '3个工作日'),
    ('新买的热水器什么时候上门装', 'gas-appliance-install', '48小时'),
    ('家里的燃气表用了八年了还能用吗', 'gas-meter-life', '6年'),
    ('煤气罐换了以后火不正常', 'lpg-service', '2小时'),
    ('停水之前你们会提前通知吗', 'water-planned-outage', '48小时'),
    ('我们楼突然没水了什么时候来水', 'water-unplanned-outage', '通知'),
    ('天冷水表冻裂了', 'water-meter-broken', '两个工作日'),
    ('路边消防栓的盖子没了', 'water-cover-missing', '12小时'),
    ('房子过户以后水表也要过户吗', 'water-transfer', '过户'),
    ('两个月没交水费会不会给我停水', 'water-arrears', '60日'),
    ('水费突然很高，我怀疑表不准', 'water-meter-test-fee', '检测费'),
    ('我投诉的事情多少天给答复', 'complaint-limits', '2个工作日'),
    ('报修以后多长时间派给维修单位', 'hotline-dispatch-limits', '半小时'),
    ('你们12319都管什么事', 'hotline-scope', '供水'),
]


def test_seeded_questions_in_other_words_find_their_answers() -> None:
    seed = load_seed()
    by_id = dict(enumerate(seed.entries))
    index = Index.of(Searchable(id=i, utility=e.utility, title=e.title, answer=e.answer,
                                tags=tuple(e.tags)) for i, e in by_id.items())
    first = in_top3 = 0
    for question, slug, words in QUESTIONS:
        found = [by_id[e.id] for e, _ in search(question, index, utility=None,
                                                today=date(2026, 12, 5), limit=3)]
        first += bool(found) and found[0].slug == slug
        in_top3 += slug in [e.slug for e in found]
        if found and found[0].slug == slug:
            assert words in found[0].answer and found[0].clauses
    assert first >= 20, f"only {first} of {len(QUESTIONS)} first"
    assert in_top3 == len(QUESTIONS)
