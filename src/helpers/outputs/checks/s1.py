"""Checks of section 1 (growth, inflation, tariffs, ad costs)."""

from __future__ import annotations

import pandas as pd

from helpers.core.figure import highest, lowest
from helpers.core.formatting import format_observation, format_value, period_words
from helpers.outputs import reference
from helpers.outputs.checks.registry import (
    CONSISTENT,
    INCONSISTENT,
    NOT_CHECKABLE,
    Verdict,
    bound_holds,
    check,
    compare,
    locators,
)
from helpers.views.select import one, points, rows


@check("S1")
def growth_fell_below_threshold(obs: pd.DataFrame) -> Verdict | None:
    """The first year stated below the threshold must come after every year that may still have
    been at or above it, and before years that stay below it: on the intervals each row allows, so
    a floor of 10% for an earlier year counts, and a ceiling at or under the threshold before the
    first year below contradicts 'for the first time'."""
    growth = rows(obs, "ecom_sales_growth", entity="global-ecommerce")
    below = growth[growth["qualifier"] == "less_than"]
    if below.empty:
        return None
    first_below = below.iloc[0]
    threshold = first_below["value_high"]
    before = growth[growth["start"] < first_below["start"]]
    after = growth[growth["start"] > first_below["start"]]
    # Earlier years must allow a value at or above the threshold; later ones must be below it.
    clash_before = [r for _, r in before.iterrows() if highest(r) < threshold or (r["qualifier"] == "less_than" and highest(r) <= threshold)]
    clash_after = [r for _, r in after.iterrows() if lowest(r) >= threshold]
    described = lambda rows_: ", ".join(f"{r['period']} {format_observation(r)}" for _, r in rows_.iterrows()) or "none given"
    return Verdict(
        claim="Global growth first fell below the threshold in the year stated, and stayed below it in the later years given",
        locator=first_below["locator"],
        article=f"below {format_value(threshold, 'percent', 0)} from {first_below['period']}",
        recomputed=f"earlier years: {described(before)}; later years: {described(after)}",
        verdict=INCONSISTENT if clash_before or clash_after else CONSISTENT,
        tolerance="none (ordering, on the interval each figure allows)",
    )


# --- independent cross-checks against the BLS CPI-U series shipped with the `cpi` package --------


def _us_inflation(obs, metric: str):
    return rows(obs, metric, entity="consumer-prices", market="USA")


def _bls_months(period_row):
    """The BLS CPI-U year-over-year rates of the months a row's period covers."""
    series = reference.cpi_yoy()
    return series[(series["date"] >= period_row["start"]) & (series["date"] <= period_row["end"])]


def _bls_source() -> str:
    return reference.cpi_citation()


@check("S1")
def us_monthly_inflation_matches_bls(obs: pd.DataFrame) -> Verdict | None:
    """The article's US monthly rates against CPI-U year over year, computed by date."""
    monthly = points(_us_inflation(obs, "inflation_yoy"))
    monthly = monthly[monthly["period_kind"] == "month"]
    if monthly.empty:
        return None
    results, shown = [], []
    for _, row in monthly.iterrows():
        bls = _bls_months(row)
        value = bls["yoy"].iat[0] if len(bls) else float("nan")
        # The article prints one decimal, as BLS does: compare at the article's precision.
        results.append(compare(row["value"], round(value, int(row["decimals"])), 0.05))
        if len(bls) and bls["yoy"].notna().iat[0]:
            b = bls.iloc[0]
            shown.append(f"{row['period']}: {value:.2f}% (index {b['index']:.3f} against {b['index_year_earlier']:.3f} a year earlier)")
        else:
            shown.append(f"{row['period']}: not published by BLS in the shipped series")
    verdict = NOT_CHECKABLE if NOT_CHECKABLE in results else (CONSISTENT if all(r == CONSISTENT for r in results) else INCONSISTENT)
    return Verdict(
        claim="US consumer price inflation in the month the article names, against the official CPI-U",
        locator=locators(monthly),
        article=", ".join(f"{format_observation(r)} ({r['period']})" for _, r in monthly.iterrows()),
        recomputed=f"{_bls_source()}: " + "; ".join(shown),
        verdict=verdict,
        tolerance="±0.05 pp after rounding the BLS rate to the article's decimals",
    )


@check("S1")
def us_peak_topped_floor_in_bls(obs: pd.DataFrame) -> Verdict | None:
    peak = one(_us_inflation(obs, "inflation_yoy_peak"), "inflation_yoy_peak")
    if peak is None:
        return None
    bls = _bls_months(peak).dropna(subset=["yoy"])
    if bls.empty:
        return Verdict(
            "US inflation topped the stated floor in the period, in the official CPI-U",
            peak["locator"],
            format_observation(peak),
            "no CPI-U month of the period in the shipped series",
            NOT_CHECKABLE,
            "none (bound)",
        )
    top = bls.loc[bls["yoy"].idxmax()]
    return Verdict(
        claim=f"US inflation topped the stated floor during {peak['period']}, in the official CPI-U",
        locator=peak["locator"],
        article=f"{format_observation(peak)} at the peak",
        recomputed=f"{_bls_source()}: highest {top['yoy']:.2f}% in {top['period']} ({len(bls)} months of the period published)",
        verdict=bound_holds(top["yoy"], peak["qualifier"], peak["value_low"], peak["value_high"]),
        tolerance="none (bound)",
    )


@check("S1")
def us_inflation_fell_back_into_band(obs: pd.DataFrame) -> Verdict | None:
    """Rule: inflation 'fell back into the band' by the period when the CPI-U rate of the period's
    last published month is inside the band and some earlier month was above it (rates rounded to
    one decimal as BLS publishes them; the band's ends count as inside). The months since which the
    rate has stayed inside are reported, not required."""
    band = one(_us_inflation(obs, "inflation_yoy"), "inflation_yoy", qualifier="range")
    if band is None:
        return None
    series = reference.cpi_yoy().dropna(subset=["yoy"])
    months = series[(series["date"] >= band["start"]) & (series["date"] <= band["end"])]
    claim = f"US inflation had fallen back into the stated band by {period_words(band['period'])}, in the official CPI-U"
    if months.empty:
        return Verdict(
            claim,
            band["locator"],
            format_observation(band),
            "no CPI-U month of the period in the shipped series",
            NOT_CHECKABLE,
            "rule in the recomputed column",
        )
    last = months.iloc[-1]
    # 'Fell back' is measured from the peak the article names (or, with none, the band's last 3 years).
    peak = one(_us_inflation(obs, "inflation_yoy_peak"), "inflation_yoy_peak", which="first")
    since_peak = peak["start"] if peak is not None else band["start"] - pd.DateOffset(years=3)
    upto = series[(series["date"] >= since_peak) & (series["date"] <= last["date"])].assign(rate=lambda d: d["yoy"].round(1))
    inside = upto["rate"].between(band["value_low"], band["value_high"])
    above = upto[upto["rate"] > band["value_high"]]
    outside_before = upto.index[~inside.to_numpy()]
    since = upto.loc[upto.index > outside_before[-1]].iloc[0] if len(outside_before) and inside.iloc[-1] else None
    ok = bool(inside.iloc[-1]) and len(above) > 0
    top = above.loc[above["rate"].idxmax()] if len(above) else None
    detail = (
        f"{_bls_source()}: {format_value(last['yoy'], 'percent', 1)} in {period_words(last['period'])}, {'inside' if inside.iloc[-1] else 'outside'} the band"
    )
    if top is not None:
        detail += f"; above it earlier, highest {format_value(top['rate'], 'percent', 1)} in {period_words(top['period'])}"
    if since is not None:
        detail += f"; inside since {period_words(since['period'])}"
    return Verdict(
        claim=claim,
        locator=band["locator"],
        article=format_observation(band),
        recomputed=detail,
        verdict=CONSISTENT if ok else INCONSISTENT,
        tolerance="rule: the period's last published month inside the band, an earlier month above it; rates rounded to one decimal",
    )
