"""The caller's number is read back out of a fallback message's name."""

from ari_app.fallback import caller_of


def test_caller_number_from_the_dialplan_name() -> None:
    assert caller_of("fallback-1795764659-13900000042-hotline-1795764650.0") == "13900000042"


def test_withheld_or_odd_names_give_no_number() -> None:
    assert caller_of("fallback-1795764659-anonymous-hotline-1.0") is None
    assert caller_of("fallback-1795764659--hotline-1.0") is None
    assert caller_of("fallback-odd") is None
