"""The trained utility / order-type classifier: rebuilt the same, read like the fitted model."""

from __future__ import annotations

import gzip

import pytest

from recordings.classifier import (
    MODEL_FILE,
    TextClassifier,
    char_grams,
    load_classifier,
    pinyin_grams,
    read,
)
from recordings.lexicon import load_lexicon
from recordings.understanding import reconcile, understand
from routing.enums import OrderType, Utility
from tools import train_understanding

MODEL = load_classifier()
LEX = load_lexicon()


def test_the_shipped_model_is_what_the_recipe_builds() -> None:
    data, digest = train_understanding.build()
    with gzip.open(MODEL_FILE, "rb") as shipped:
        assert shipped.read() == data
    assert MODEL is not None and MODEL.sha256 == digest


def test_prediction_without_sklearn_matches_the_fitted_pipeline() -> None:
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    recipe = train_understanding.load_recipe()
    rows = train_understanding.corpus(recipe, seed=7, size=300)
    texts = [r[0] for r in rows]
    blocks = [
        TfidfVectorizer(analyzer=a, sublinear_tf=True, min_df=2) for a in (char_grams, pinyin_grams)
    ]
    matrix = hstack([b.fit_transform(texts) for b in blocks]).tocsr()
    exported = train_understanding.fit(rows)
    fitted = LogisticRegression(C=8.0, max_iter=3000, class_weight="balanced")
    fitted.fit(matrix, [r[1] for r in rows])
    ours = TextClassifier(exported)
    sample = ["我家燃气管道漏气了", "暖气不热，我要投诉", "路灯不亮", texts[5]]
    probabilities = fitted.predict_proba(hstack([b.transform(sample) for b in blocks]))
    for text, row in zip(sample, probabilities, strict=True):
        utility, _ = ours.predict(text)
        best = fitted.classes_[row.argmax()]
        assert utility.label == best
        assert utility.confidence == pytest.approx(row.max(), abs=0.01)


@pytest.mark.parametrize(
    ("heard", "utility"),
    [
        ("我家然气管子坏了", Utility.GAS),  # 然 for 燃
        ("屋里公暖一点都不热", Utility.HEATING),  # 公 for 供
        ("消防山一直在漏水", Utility.WATER),  # 山 for 栓
        ("排水钩被泥沙堵住了", Utility.DRAINAGE),  # 钩 for 沟
        ("路灯杆子倒了", Utility.STREETLIGHT),
    ],
)
def test_homophones_the_lexicon_does_not_list_still_name_the_utility(
    heard: str, utility: Utility
) -> None:
    assert MODEL is not None
    assert understand(heard, LEX, model=MODEL).utility is utility


def test_words_the_model_does_not_know_are_a_doubt_not_a_guess() -> None:
    assert MODEL is not None
    said = understand("喂，你好，听得见吗", LEX, model=MODEL)
    assert said.doubts and all("unsure" in d or "no words" in d for d in said.doubts)
    assert read(MODEL, "").utility.label is None


def test_an_unsure_reading_without_keys_goes_to_an_agent_with_the_reason() -> None:
    assert MODEL is not None
    said = understand("嗯，那个，就是说，有点事", LEX, model=MODEL)
    verdict = reconcile(None, None, said)
    assert verdict.disagreement
    assert any("unsure" in r or "no words" in r for r in verdict.reasons)


def test_a_sure_reading_with_keys_that_agree_is_not_sent_to_review() -> None:
    assert MODEL is not None
    said = understand("我家暖气片不热了，麻烦派人来修一下", LEX, model=MODEL)
    verdict = reconcile(Utility.HEATING, OrderType.MAINTENANCE, said)
    assert not said.doubts
    assert not verdict.disagreement


def test_a_fair_chance_of_danger_raises_the_flag_with_its_probability() -> None:
    assert MODEL is not None
    said = understand("楼道里全是天然气味，不敢开灯", LEX, model=MODEL)
    assert said.emergency and said.order_type is OrderType.EMERGENCY_REPAIR
    assert 0 < said.emergency_confidence <= 1
