"""Numbers as readers see them: units, scales, and bounds stated as bounds ("more than 40")."""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from helpers.core.figure import CEILINGS, FLOORS, POINTS, QUALIFIER_WORDS
from helpers.core.figure import stated_number as point_value  # noqa: F401  (charts place marks at it)

CURRENCY_SYMBOL = {"usd": "$", "cny": "¥"}
# Figures computed in code rather than stated by a source: shown at their metric's decimals.
COMPUTED_STATUSES = ("implied", "computed")
SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))


def _number(x: float, decimals: int) -> str:
    return f"{x:,.{decimals}f}"


def format_value(value: float | None, unit: str, decimals: int = 1, signed: bool = False) -> str:
    """One number in its unit: 17.1%, $9.17, ¥880 million, 165,000, 2.7x, 3 days. Missing shows as 'not given'."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "not given"
    decimals = int(decimals)
    sign = "+" if signed and value > 0 else ""
    if unit in CURRENCY_SYMBOL:
        symbol = CURRENCY_SYMBOL[unit]
        minus = "-" if value < 0 else ""
        for size, word in SCALES:
            if abs(value) >= size:
                return f"{sign}{minus}{symbol}{_number(abs(value) / size, decimals)} {word}"
        return f"{sign}{minus}{symbol}{_number(abs(value), decimals)}"
    if unit == "percent":
        return f"{sign}{_number(value, decimals)}%"
    if unit == "percentage_points":
        return f"{sign}{_number(value, decimals)} pp"
    if unit == "multiple":
        return f"{_number(value, decimals)}x"
    if unit == "days" and value in (365, 366):
        return "a year"  # a year stated in words is stored as its days: say it as a year again
    if unit in ("days", "hours"):
        word = unit[:-1] if value == 1 else unit
        return f"{_number(value, decimals)} {word}"
    if unit == "rank":
        return f"#{_number(value, 0)}"
    return f"{sign}{_number(value, decimals)}"


def format_bound_range(low: float, high: float, unit: str, decimals: int) -> str:
    """A range with its unit once where it reads naturally: 15–30%, 3–5 days, 15–30 pp, $2–$3."""
    lo, hi = format_value(low, unit, decimals), format_value(high, unit, decimals)
    if unit == "percent":
        return f"{lo[:-1]}–{hi}"
    if unit in ("days", "hours"):
        return f"{lo.split(' ')[0]}–{hi}"
    if unit == "multiple":
        return f"{lo[:-1]}–{hi}"
    if unit == "percentage_points":
        return f"{lo.removesuffix(' pp')}–{hi}"
    return f"{lo}–{hi}"


def _round_decimals(x: float, decimals: int) -> int:
    """Bounds are usually round numbers ('below 10%'): show them without '.0'."""
    return 0 if float(x).is_integer() else int(decimals)


def format_observation(row: pd.Series | dict) -> str:
    """A figure as the source states it: '8.8%', 'less than 10%', '15–30%', 'more than 40', 'top 10'."""
    unit, decimals, qualifier = row["unit"], row["decimals"], row["qualifier"]
    if qualifier == "range":
        places = max(_round_decimals(row["value_low"], decimals), _round_decimals(row["value_high"], decimals))
        return format_bound_range(row["value_low"], row["value_high"], unit, places)
    if qualifier in POINTS:
        number = row["value"]
    elif qualifier in FLOORS:
        number = row["value_low"]
    elif qualifier in CEILINGS:
        number = row["value_high"]
    else:
        raise ValueError(f"unknown qualifier {qualifier!r}")
    if unit == "rank" and qualifier == "at_most":
        return f"top {format_value(number, 'count', 0)}"
    if qualifier != "exact":
        # Bounds and approximate figures are round ('below 10%', 'around 30%'): no '.0' added.
        decimals = _round_decimals(number, decimals)
    elif row.get("status") not in COMPUTED_STATUSES:
        decimals = stated_decimals(number, unit, decimals)
    return QUALIFIER_WORDS[qualifier] + format_value(number, unit, decimals)


# The columns format_observation and point_value read.
FIGURE_COLUMNS = ("unit", "decimals", "qualifier", "status", "value", "value_low", "value_high")


def figure_records(rows: pd.DataFrame) -> list[dict]:
    """Each row's figure columns as a dict, in order: all that format_observation and point_value
    read, and far quicker to make than a row Series (iterrows) or a record of every column."""
    return rows[[c for c in FIGURE_COLUMNS if c in rows.columns]].to_dict("records")


def format_observations(rows: pd.DataFrame) -> list[str]:
    """format_observation of each row, in order."""
    return [format_observation(r) for r in figure_records(rows)]


def _scaled(value: float, unit: str) -> float:
    """The number as format_value prints it: money in millions, billions or trillions."""
    if unit in CURRENCY_SYMBOL:
        for size, _ in SCALES:
            if abs(value) >= size:
                return abs(value) / size
    return abs(value)


def stated_decimals(value: float, unit: str, decimals: int) -> int:
    """The decimals to show a stated figure with: the metric's, or more where the source printed
    more (Amazon's AWS grew 17.5% in a quarter whose other rates are whole percents), so a stated
    figure is never rounded away. Money shown at a coarser scale than printed (RMB52,280.7 million
    as billions) gains at most one decimal; percentages and multiples at most two."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return int(decimals)
    digits = f"{_scaled(float(value), unit):.6f}".rstrip("0").split(".")[1]
    cap = int(decimals) + 1 if unit in CURRENCY_SYMBOL else 2
    return max(int(decimals), min(len(digits), cap))


# --- periods, counts and names in words ----------------------------------------------------------

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")
ORDINAL_QUARTERS = ("first", "second", "third", "fourth")
QUARTER_SPANS = {2: "first half", 3: "first three quarters"}  # Q1 to Q2, Q1 to Q3 of one year


def _point_words(text: str, with_year: bool = True) -> str:
    year, rest = text[:4], text[4:]
    if not rest:
        return year
    if rest.startswith("Q"):
        return f"the {ORDINAL_QUARTERS[int(rest[1]) - 1]} quarter" + (f" of {year}" if with_year else "")
    parts = rest[1:].split("-")
    month = MONTHS[int(parts[0]) - 1]
    if len(parts) == 1:
        return f"{month} {year}" if with_year else month
    return f"{int(parts[1])} {month}" + (f" {year}" if with_year else "")


def period_words(period: str) -> str:
    """A period as a reader says it: '2025', 'the third quarter of 2025', 'June 2022',
    '12 December 2025', '2021 to 2025', 'the first three quarters of 2025', '31 March to 13 April
    2025', 'June 2025 to 4 February 2026'. A period the grammar does not know is returned as it is."""
    period = str(period)
    first, sep, last = period.partition("/")
    if not sep:
        return _point_words(first)
    same_year = first[:4] == last[:4]
    if same_year and first[4:5] == last[4:5] == "Q":
        a, b = int(first[5]), int(last[5])
        if a == 1 and b in QUARTER_SPANS:
            return f"the {QUARTER_SPANS[b]} of {first[:4]}"
        if a == 1 and b == 4:
            return first[:4]
        return f"the {ORDINAL_QUARTERS[a - 1]} to the {ORDINAL_QUARTERS[b - 1]} quarter of {first[:4]}"
    if same_year and len(first) > 4 and len(last) > 4 and not first[4:5] == "Q":
        return f"{_point_words(first, with_year=False)} to {_point_words(last)}"
    return f"{_point_words(first)} to {_point_words(last)}"


def during(period: str) -> str:
    """The period with the preposition a sentence needs: 'in 2025', 'on 12 December 2025', 'from
    2021 to 2025', 'in the first three quarters of 2025'."""
    words = period_words(period)
    if "/" in str(period):
        return f"in {words}" if words.startswith("the ") or " to " not in words else f"from {words}"
    if str(period).count("-") == 2:
        return f"on {words}"
    return f"in {words}"


def count_words(n: float, noun: str) -> str:
    """'no new markets' for zero, '1 market' never '1 markets', '6 pickup cities' otherwise."""
    if n == 0:
        return f"no {noun}"
    return f"{n:,.0f} {noun}"


def possessive(name: str) -> str:
    """'Amazon's', 'PDD Holdings'' (a name ending in s takes the apostrophe alone)."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def significant(value: float, digits: int) -> float:
    """The value rounded to `digits` significant figures: a computed figure is no more precise than
    the least precise figure it comes from (165,000 and 44% give about 290,000, not 294,643)."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, -int(math.floor(math.log10(abs(value)))) + digits - 1)


def significant_digits(value: float) -> int:
    """How many significant figures a stated number carries: 165000 -> 3, 44 -> 2, 8.8 -> 2."""
    text = f"{abs(float(value)):.10g}"
    digits = text.replace(".", "").lstrip("0")
    if "." not in text:
        digits = digits.rstrip("0")
    return max(1, len(digits))


def span_words(first: str, last: str) -> str:
    """The span from one period to another in words: '2020/2021' to '2025' reads '2020 to 2025'."""
    start, end = str(first).split("/")[0], str(last).split("/")[-1]
    return period_words(start) if start == end else period_words(f"{start}/{end}")


def list_words(items: Iterable[str]) -> str:
    """'A', 'A and B', 'A, B and C': each item once, in the order first met."""
    unique = list(dict.fromkeys(str(item) for item in items))
    if len(unique) <= 1:
        return unique[0] if unique else ""
    return ", ".join(unique[:-1]) + " and " + unique[-1]
