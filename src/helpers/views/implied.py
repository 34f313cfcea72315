"""Values the article implies but does not state, built as display rows and never stored.

A notebook computes an implied value in visible code from stated rows (165,000 new sellers
being a fall of 44% implies about 294,643 the year before) and wraps it with `implied_row` so
that charts and tables can show it beside the stated figures: status 'implied' (drawn hollow,
labelled '(implied)'), qualifier 'approx' unless a bound is implied, and the source and
paragraphs of the rows it was computed from.
"""

from __future__ import annotations

import math

import pandas as pd

from helpers.core.figure import QUALIFIER_FILLS, merge_locators
from helpers.core.formatting import format_observation, significant, significant_digits
from helpers.core.periods import parse_periods

# A value implied by others is one number: a point or a one-sided bound, never a range.
FILLS = {q: cols[0] for q, cols in QUALIFIER_FILLS.items() if len(cols) == 1}


def year_earlier(period: str) -> str:
    """The same period one year before: 2025 -> 2024, 2025Q3 -> 2024Q3, 2021/2025 -> 2020/2024."""
    return "/".join(str(int(p[:4]) - 1) + p[4:] for p in period.split("/"))


def level_a_year_earlier(level: pd.Series, change: pd.Series, what: str) -> pd.DataFrame:
    """The level of the year before that a stated level and its change on that year imply:
    level / (1 + change / 100), as an implied row; `what` names the level ('new sellers')."""
    # No more precise than the less precise of the two stated figures (165,000 and 44% give 290,000).
    earlier = significant(level["value"] / (1 + change["value"] / 100), min(significant_digits(level["value"]), significant_digits(change["value"])))
    how = f"{format_observation(level)} {what} were a change of {format_observation(change)} on the year before"
    return implied_row([level, change], earlier, period=year_earlier(level["period"]), how=how)


def implied_row(
    basis: list[pd.Series],
    value: float,
    how: str,
    period: str | None = None,
    qualifier: str = "approx",
    metric_label: str | None = None,
    unit: str | None = None,
    decimals: int | None = None,
) -> pd.DataFrame:
    """One display row for a value computed from the stated rows in `basis` (the first gives the
    entity, market, metric and, unless overridden, period and unit). `how` says the arithmetic in
    words; it becomes the row's note."""
    if not basis:
        raise ValueError("implied_row() needs the stated rows the value was computed from")
    if qualifier not in FILLS:
        raise ValueError(f"implied_row() cannot imply a {qualifier!r} figure; use one of {', '.join(FILLS)}")
    if value is None or math.isnan(value):
        raise ValueError("implied_row() got no value: a missing figure stays missing, it is not implied")
    row = basis[0].copy()
    row["value"] = row["value_low"] = row["value_high"] = math.nan
    row[FILLS[qualifier]] = float(value)
    row["qualifier"] = qualifier
    row["status"] = "implied"
    row["period"] = period or row["period"]
    for column, given in (("metric_label", metric_label), ("unit", unit), ("decimals", decimals)):
        if given is not None:
            row[column] = given
    row["id"] = "implied from " + " + ".join(b["id"] for b in basis)
    row["locator"] = merge_locators(b["locator"] for b in basis)
    row["citation"] = "; ".join(dict.fromkeys(b["citation"] for b in basis))
    row["note"] = how
    out = pd.DataFrame([row]).reset_index(drop=True)
    bounds = parse_periods(out["period"])
    out[["start", "end", "period_kind"]] = bounds[["start", "end", "period_kind"]]
    return out
