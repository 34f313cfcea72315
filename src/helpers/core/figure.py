"""What a figure states, defined once: which value columns a qualifier fills, the interval a row
allows, its words, whether a number satisfies it, the direction of a change between two rows, and
how the places rows cite are merged.

Every other module asks this one. A chart that draws a floor as an open marker, a title that says
"rose", a check that judges "rose" and the validator that wants `value_low` filled all read the same
definitions, so they cannot disagree.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from pandas import NA as _NA

VALUE_COLUMNS = ("value", "value_low", "value_high")
# Which value columns each qualifier fills; every other value column stays empty.
QUALIFIER_FILLS: dict[str, tuple[str, ...]] = {
    "exact": ("value",),
    "approx": ("value",),
    "at_least": ("value_low",),
    "more_than": ("value_low",),
    "at_most": ("value_high",),
    "less_than": ("value_high",),
    "nearly": ("value_high",),
    "range": ("value_low", "value_high"),
}
POINTS = ("exact", "approx")  # the source states a number
FLOORS = ("at_least", "more_than")  # the true value lies at or above value_low
CEILINGS = ("at_most", "less_than", "nearly")  # the true value lies at or below value_high
BOUNDS = FLOORS + CEILINGS
# The words a qualifier puts before its number ("more than 40"); a range reads "15–30%".
QUALIFIER_WORDS = {
    "exact": "",
    "approx": "about ",
    "at_least": "at least ",
    "more_than": "more than ",
    "at_most": "at most ",
    "less_than": "less than ",
    "nearly": "nearly ",
}
UP, DOWN, SAME = "up", "down", "same"

Row = Mapping  # an observation row: a pandas Series or a dict with the columns above


def _number(x) -> float:
    return math.nan if x is None or x is _NA or (isinstance(x, float) and math.isnan(x)) else float(x)


def stated_number(row: Row) -> float:
    """The number a row states: its value, or the bound it is stated against (a range's low end)."""
    for column in VALUE_COLUMNS:
        x = _number(row.get(column) if hasattr(row, "get") else row[column])
        if not math.isnan(x):
            return x
    return math.nan


class Interval(NamedTuple):
    """Where the true value may lie: low and high ends, each excluded or not."""

    low: float
    low_open: bool
    high: float
    high_open: bool

    def contains(self, x: float) -> bool:
        above = x > self.low or (x == self.low and not self.low_open)
        below = x < self.high or (x == self.high and not self.high_open)
        return above and below

    def above(self, other: Interval) -> bool:
        """Whether every value this interval allows is above every value `other` allows."""
        return self.low > other.high or (self.low == other.high and (self.low_open or other.high_open))


def interval(row: Row) -> Interval:
    """The interval a row allows: a point, a bound's half-line, a range."""
    q = row["qualifier"]
    if q in POINTS:
        v = _number(row["value"])
        return Interval(v, False, v, False)
    if q in FLOORS:
        return Interval(_number(row["value_low"]), q == "more_than", math.inf, True)
    if q in CEILINGS:
        return Interval(-math.inf, True, _number(row["value_high"]), q == "less_than")
    if q == "range":
        return Interval(_number(row["value_low"]), False, _number(row["value_high"]), False)
    raise ValueError(f"no interval for qualifier {q!r}")


def lowest(row: Row) -> float:
    """The smallest value a row allows (-inf for a ceiling)."""
    return interval(row).low


def highest(row: Row) -> float:
    """The largest value a row allows (inf for a floor)."""
    return interval(row).high


def holds(value: float, qualifier: str, low: float | None = None, high: float | None = None) -> bool | None:
    """Whether a number satisfies a figure stated as `qualifier` with these bounds; None when the
    number is missing. 'Nearly 5' is read as at most 5."""
    if value is None or math.isnan(value):
        return None
    if qualifier not in BOUNDS + ("range",):
        raise ValueError(f"{qualifier!r} is not a bound qualifier")
    row = {"qualifier": qualifier, "value": math.nan, "value_low": low, "value_high": high}
    return interval(row).contains(value)


def direction(before: Row, after: Row) -> str | None:
    """UP or DOWN when the two figures as stated decide it (their intervals cannot overlap), SAME
    for two equal points, else None: 'more than 40' to 'more than 80' has no direction."""
    a, b = interval(before), interval(after)
    if b.above(a):
        return UP
    if a.above(b):
        return DOWN
    if a.low == a.high == b.low == b.high:
        return SAME
    return None


def sign(change: Row) -> str | None:
    """The direction of a stated change (a growth rate, a percentage change) against zero."""
    return direction({"qualifier": "exact", "value": 0.0}, change)


def merge_locators(locators: Iterable[str]) -> str:
    """The places some rows cite, each once, in order: 'P10;P12', or 'Highlights;Table 2'."""
    return ";".join(sorted({part for loc in locators for part in str(loc).split(";") if part and part != "nan"}))
