"""Staffing agrees with pyworkforce's published example (issue 5, acceptance 4)."""

import pytest

from routing.agents.staffing import staffing_need


def test_published_example_100_calls_per_30_min() -> None:
    # 100 calls per 30 minutes, AHT 3 min, ASA 20 s, shrinkage 0.3 -> 14 raw, 20 positions.
    need = staffing_need(calls_per_hour=200, aht_seconds=180, answer_seconds=20)
    assert (need.agents_on_phones, need.agents_rostered) == (14, 20)
    assert need.service_level >= 0.8


def test_more_calls_never_need_fewer_agents() -> None:
    needs = [staffing_need(calls_per_hour=c, aht_seconds=240).agents_on_phones
             for c in (30, 60, 120, 240, 480)]
    assert needs == sorted(needs)


@pytest.mark.parametrize("bad", [{"calls_per_hour": 0}, {"aht_seconds": -1},
                                 {"service_level": 1.5}, {"shrinkage": 1.0}])
def test_impossible_inputs_are_refused(bad: dict[str, float]) -> None:
    args = {"calls_per_hour": 100.0, "aht_seconds": 180.0, **bad}
    with pytest.raises(ValueError):
        staffing_need(**args)
