"""`user add` / `user role` refuse a unit the directory does not have (issue 19)."""

from __future__ import annotations

import pytest

from hotline12319.commands.users import check_agency
from hotline12319.errors import CommandError
from routing.agencies.directory import load_directory


def test_given_a_unit_of_the_directory_then_it_is_accepted() -> None:
    check_agency("industry-water", load_directory())
    check_agency(None, load_directory())  # a center user names no unit


def test_given_a_utility_name_instead_of_a_unit_then_refused_with_the_units_listed() -> None:
    with pytest.raises(CommandError, match=r"--agency heating: no such unit; one of .*"
                       r"industry-heating"):
        check_agency("heating", load_directory())
