from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers.formatting import format_observation, format_value
from helpers.periods import parse_periods, period_bounds
from helpers.watch import next_period


def obs(qualifier, value=math.nan, low=math.nan, high=math.nan, unit="percent", decimals=1):
    return {"qualifier": qualifier, "value": value, "value_low": low, "value_high": high, "unit": unit, "decimals": decimals}


@pytest.mark.parametrize(
    ("row", "text"),
    [
        (obs("exact", 8.8), "8.8%"),
        (obs("less_than", high=10), "less than 10%"),
        (obs("range", low=15, high=30, decimals=0), "15–30%"),
        (obs("more_than", low=40, unit="count", decimals=0), "more than 40"),
        (obs("approx", 1.12, unit="usd", decimals=2), "about $1.12"),
        (obs("nearly", high=5, unit="multiple"), "nearly 5x"),
        (obs("at_most", high=10, unit="rank", decimals=0), "top 10"),
        (obs("exact", 880000000, unit="cny", decimals=0), "¥880 million"),
        (obs("more_than", low=100000000000, unit="usd", decimals=0), "more than $100 billion"),
        (obs("range", low=3, high=5, unit="days", decimals=0), "3–5 days"),
    ],
)
def test_figures_read_as_stated(row, text):
    assert format_observation(row) == text


def test_missing_is_shown_as_missing():
    assert format_value(math.nan, "percent") == "not given"


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [("2025", "2025-01-01", "2025-12-31"), ("2025Q4", "2025-10-01", "2025-12-31"), ("2024-02", "2024-02-01", "2024-02-29"), ("2025-03-31/2025-04-13", "2025-03-31", "2025-04-13"), ("2025Q1/2025Q3", "2025-01-01", "2025-09-30")],
)
def test_period_bounds(period, start, end):
    assert period_bounds(period) == (pd.Timestamp(start), pd.Timestamp(end))
    parsed = parse_periods(pd.Series([period, period], index=[7, 3]))
    assert parsed.index.tolist() == [7, 3] and parsed["start"].dtype == "datetime64[us]"
    assert parsed.loc[3, "start"] == pd.Timestamp(start) and parsed.loc[3, "end"] == pd.Timestamp(end)


def test_period_kinds():
    kinds = parse_periods(pd.Series(["2025", "2025Q4", "2024-02", "2024-02-29", "2025Q1/2025Q3", "2025Q5"]))["period_kind"]
    assert kinds.tolist() == ["year", "quarter", "month", "day", "interval", "invalid"]


@pytest.mark.parametrize(
    "bad",
    ["2025Q5", "2025-13", "2025-00", "2025-01-00", "2025-02-30", "2026/2025", "25Q1", "", "2025Q1/", "2021/2022/2023", " 2025", "2025\n", "２０２５"],
)
def test_invalid_periods(bad):
    assert parse_periods(pd.Series([bad])).iloc[0]["period_kind"] == "invalid"
    with pytest.raises(ValueError, match="is not a period"):
        period_bounds(bad)


@pytest.mark.parametrize(("period", "following"), [("2025", "2026"), ("2025Q4", "2026Q1"), ("2025Q2", "2025Q3"), ("2025-12", "2026-01"), ("2025-12-12", "2026-12-12")])
def test_next_period(period, following):
    assert next_period(period) == following
