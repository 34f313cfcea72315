"""Checks of section 1 (growth, inflation, tariffs, ad costs)."""

from __future__ import annotations

from helpers.checks import CONSISTENT, INCONSISTENT, NOT_CHECKABLE, Verdict, bound_holds, check, compare
from helpers.formatting import format_observation, format_value
from helpers.select import one, points, rows


def _pct_change(old: float, new: float) -> float:
    return (new / old - 1) * 100


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
        recomputed="earlier years: " + (", ".join(f"{r.period} {format_value(r.value, 'percent', 1)}" for r in before.itertuples()) or "none given")
        + "; later years: " + (", ".join(f"{r.period} {format_value(r.value, 'percent', 1)}" for r in after.itertuples()) or "none given"),
        verdict=CONSISTENT if ok else INCONSISTENT,
        tolerance="none (ordering)",
    )


@check("S1")
def inflation_topped_threshold(obs):
    peaks = rows(obs, "inflation_yoy_peak")
    monthly = points(rows(obs, "inflation_yoy"))
    if peaks.empty or monthly.empty:
        return None
    floor = peaks["value_low"].max()
    verdicts = [bound_holds(m, "more_than", floor, None) for m in monthly["value"]]
    return Verdict(
        claim="Inflation in the US and the euro area topped the stated floor at its peak",
        locator=";".join(sorted(set(peaks["locator"]) | set(monthly["locator"]))),
        article=f"more than {format_value(floor, 'percent', 0)}",
        recomputed=", ".join(f"{r.market} {r.period}: {format_value(r.value, 'percent', 1)}" for r in monthly.itertuples()),
        verdict=CONSISTENT if all(v == CONSISTENT for v in verdicts) else INCONSISTENT,
        tolerance="none (bound)",
    )


@check("S1")
def tariff_peak_above_typical_range(obs):
    typical = one(obs, "tariff_rate")
    peak = one(obs, "tariff_rate_max")
    if typical is None or peak is None:
        return None
    return Verdict(
        claim="The highest tariff quoted lies above the typical range for the main categories",
        locator=peak["locator"],
        article=f"{format_observation(typical)} typical; up to {format_observation(peak)}",
        recomputed=f"{format_observation(peak)} against a range top of {format_value(typical['value_high'], 'percent', 0)}",
        verdict=bound_holds(peak["value"], "more_than", typical["value_high"], None),
        tolerance="none (bound)",
    )


@check("S1")
def amazon_cpc_rise(obs):
    cpc = points(rows(obs, "ad_cpc", entity="amazon", segment="average"))
    if len(cpc) < 2:
        return None
    old, new = cpc.iloc[0], cpc.iloc[-1]
    change = _pct_change(old["value"], new["value"])
    return Verdict(
        claim=f"Amazon's average US cost per click rose from {old['period']} to {new['period']}",
        locator=new["locator"],
        article=f"{format_observation(old)} to {format_observation(new)}",
        recomputed=f"{format_value(change, 'percent', 1, signed=True)}",
        verdict=CONSISTENT if change > 0 else INCONSISTENT,
        tolerance="direction only; the later figure is approximate",
    )


@check("S1")
def instagram_cpm_expected_rise(obs):
    cpm = rows(obs, "ad_cpm", entity="instagram")
    if len(cpm) < 2:
        return None
    old, new = cpm.iloc[0], cpm.iloc[-1]
    change = _pct_change(old["value"], new["value"])
    return Verdict(
        claim="Instagram's US CPM was expected to rise further",
        locator=new["locator"],
        article=f"{format_observation(old)} ({old['period']}) to {format_observation(new)} ({new['period']}, {new['status']})",
        recomputed=f"{format_value(change, 'percent', 1, signed=True)}",
        verdict=CONSISTENT if change > 0 else INCONSISTENT,
        tolerance="direction only",
    )


@check("S1")
def instagram_dearer_than_facebook(obs):
    ig = one(obs, "ad_cpm", which="first", entity="instagram")
    fb = one(obs, "ad_cpm", which="first", entity="facebook")
    if ig is None or fb is None:
        return None
    if ig["period"] != fb["period"]:
        return Verdict("Instagram's CPM was above Facebook's in the same quarter", ig["locator"], format_observation(ig), "the two figures are for different periods", NOT_CHECKABLE, "same period needed")
    gap = ig["value"] - fb["value"]
    return Verdict(
        claim=f"Instagram's US CPM was above Facebook's in {ig['period']}",
        locator=ig["locator"],
        article=f"{format_observation(ig)} against {format_observation(fb)}",
        recomputed=f"gap {format_value(gap, 'usd', 2, signed=True)}",
        verdict=compare(1.0, float(gap > 0), 0),
        tolerance="none (ordering)",
    )
