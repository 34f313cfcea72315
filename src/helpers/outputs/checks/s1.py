"""Checks of section 1 (growth, inflation, tariffs, ad costs)."""

from __future__ import annotations

from helpers.core.formatting import format_observation, format_value
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
def growth_fell_below_threshold(obs):
    """The first year stated below the threshold must come after every year stated above it."""
    growth = rows(obs, "ecom_sales_growth", entity="global-ecommerce")
    below = growth[growth["qualifier"] == "less_than"]
    if below.empty:
        return None
    first_below = below.iloc[0]
    threshold = first_below["value_high"]
    before = points(growth[growth["start"] < first_below["start"]])
    after = points(growth[growth["start"] > first_below["start"]])
    ok = (before["value"] >= threshold).all() and (after["value"] < threshold).all()
    return Verdict(
        claim="Global growth first fell below the threshold in the year stated, and stayed below it in the later years given",
        locator=first_below["locator"],
        article=f"below {format_value(threshold, 'percent', 0)} from {first_below['period']}",
        recomputed="earlier years: "
        + (", ".join(f"{r.period} {format_value(r.value, 'percent', 1)}" for r in before.itertuples()) or "none given")
        + "; later years: "
        + (", ".join(f"{r.period} {format_value(r.value, 'percent', 1)}" for r in after.itertuples()) or "none given"),
        verdict=CONSISTENT if ok else INCONSISTENT,
        tolerance="none (ordering)",
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
def us_monthly_inflation_matches_bls(obs):
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
def us_peak_topped_floor_in_bls(obs):
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
def us_inflation_fell_back_into_band(obs):
    """Rule: the rate 'fell back into the band' over the period when, from the first month of the
    period inside the band, every later month of the period stays inside it (rates rounded to one
    decimal as BLS publishes them; the band's ends count as inside)."""
    band = one(_us_inflation(obs, "inflation_yoy"), "inflation_yoy", qualifier="range")
    if band is None:
        return None
    months = _bls_months(band)
    published = months.dropna(subset=["yoy"])
    if published.empty:
        return Verdict(
            "US inflation fell back into the stated band, in the official CPI-U",
            band["locator"],
            format_observation(band),
            "no CPI-U month of the period in the shipped series",
            NOT_CHECKABLE,
            "rule in the recomputed column",
        )
    rounded = published["yoy"].round(1)
    inside = rounded.between(band["value_low"], band["value_high"])
    first_inside = inside.idxmax() if inside.any() else None
    stays = first_inside is not None and inside.loc[first_inside:].all()
    outside = published[~inside]
    missing = months[months["yoy"].isna()]["period"].tolist()
    detail = (
        f"{_bls_source()}: {int(inside.sum())} of {len(published)} published months in the band "
        f"({inside.mean() * 100:.0f}%), range {rounded.min():.1f}% to {rounded.max():.1f}%"
    )
    if first_inside is not None:
        detail += (
            f"; inside from {published.loc[first_inside, 'period']} on"
            if stays
            else f"; first inside in {published.loc[first_inside, 'period']} but left it again"
        )
    if len(outside):
        detail += "; outside: " + ", ".join(f"{r.period} {r.yoy:.1f}%" for r in outside.assign(yoy=outside["yoy"].round(1)).itertuples())
    if missing:
        detail += "; not published: " + ", ".join(missing)
    return Verdict(
        claim=f"US inflation fell back into the stated band over {band['period']} and stayed there, in the official CPI-U",
        locator=band["locator"],
        article=format_observation(band),
        recomputed=detail,
        verdict=CONSISTENT if stays else INCONSISTENT,
        tolerance="rule: every month from the first one inside the band to the period's end inside it; rates rounded to one decimal",
    )
