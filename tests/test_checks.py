"""Each verdict path of the claim checks, and the section checks on the real data."""

from __future__ import annotations

import math

import pytest

from helpers import checks
from helpers.checks import CONSISTENT, INCONSISTENT, NOT_CHECKABLE, bound_holds, compare


def test_compare_paths():
    assert compare(9.1, 9.06, 0.05) == CONSISTENT
    assert compare(9.1, 8.9, 0.05) == INCONSISTENT
    assert compare(9.1, math.nan, 0.05) == NOT_CHECKABLE
    assert compare(100, 104, 0.05, relative=True) == CONSISTENT
    assert compare(100, 106, 0.05, relative=True) == INCONSISTENT


@pytest.mark.parametrize(
    ("value", "qualifier", "low", "high", "verdict"),
    [
        (41, "more_than", 40, None, CONSISTENT),
        (40, "more_than", 40, None, INCONSISTENT),
        (40, "at_least", 40, None, CONSISTENT),
        (9.9, "less_than", None, 10, CONSISTENT),
        (10, "less_than", None, 10, INCONSISTENT),
        (20, "range", 15, 30, CONSISTENT),
        (31, "range", 15, 30, INCONSISTENT),
        (math.nan, "range", 15, 30, NOT_CHECKABLE),
    ],
)
def test_bound_holds(value, qualifier, low, high, verdict):
    assert bound_holds(value, qualifier, low, high) == verdict


def test_section_1_checks_run_on_the_real_data():
    result = checks.run_checks("S1")
    assert len(result) >= 5
    assert set(result["verdict"]) <= {CONSISTENT, INCONSISTENT, NOT_CHECKABLE}


def test_a_changed_figure_flips_a_verdict(data_copy):
    from tests.conftest import set_cell

    # Make the later CPC lower than the earlier one: the 'rose' claim must turn inconsistent.
    set_cell(data_copy / "observations.csv", "s1-amazon-cpc-us-2025", "value", "0.5")
    result = checks.run_checks("S1").set_index("claim")
    row = result[result.index.str.contains("cost per click rose")]
    assert row["verdict"].tolist() == [INCONSISTENT]
