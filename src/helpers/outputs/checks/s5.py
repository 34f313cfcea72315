"""Checks of section 5 (logistics and AI)."""

from __future__ import annotations

from helpers.core.formatting import format_observation
from helpers.outputs.checks.registry import CONSISTENT, INCONSISTENT, Verdict, check, locators, not_checkable
from helpers.views.select import rows


@check("S5")
def aliexpress_lead_time_cut(obs):
    lead = rows(obs, "stock_prep_lead_time", entity="aliexpress")
    before = lead[lead["segment"].str.contains("before")]
    after = lead[lead["segment"].str.contains("after")]
    if before.empty or after.empty:
        return None
    b, a = before.iloc[-1], after.iloc[-1]
    b_lo, b_hi = (b["value_low"], b["value_high"]) if b["qualifier"] == "range" else (b["value"], b["value"])
    a_lo, a_hi = (a["value_low"], a["value_high"]) if a["qualifier"] == "range" else (a["value"], a["value"])
    least, most = b_lo - a_hi, b_hi - a_lo
    least_pct, most_pct = least / b_lo * 100, most / b_hi * 100
    mid_pct = (1 - ((a_lo + a_hi) / 2) / ((b_lo + b_hi) / 2)) * 100
    return Verdict(
        claim="Cainiao's Hong Kong centre shortened AliExpress sellers' stock-preparation lead time",
        locator=locators(lead),
        article=f"from {format_observation(b)} to {format_observation(a)}",
        recomputed=(f"cut by {least:.0f} to {most:.0f} days, {least_pct:.1f}% to {most_pct:.1f}% (midpoint to midpoint {mid_pct:.1f}%)"),
        verdict=CONSISTENT if a_hi < b_lo else INCONSISTENT,
        tolerance="none (ranges): a cut for every reading needs the new range wholly below the old",
    )


@check("S5")
def amazon_logistics_investment_not_checkable(obs):
    return not_checkable(
        "Amazon's cumulative investment in logistics infrastructure",
        rows(obs, "logistics_investment_cumulative", entity="amazon"),
        "not checkable offline: Amazon reports capital spending, not a cumulative logistics total, and no company filing ships with the pack",
    )


@check("S5")
def aidc_revenue_growth_not_checkable(obs):
    return not_checkable(
        "AIDC's quarterly revenue growth",
        rows(obs, "revenue_growth", entity="aidc"),
        "not checkable offline: no figure of Alibaba's own releases is in the data (the stored copies read do not show the segment's lines; data/README.md lists the look-ups), and the quarter is ambiguous (calendar against Alibaba's fiscal quarter, see the row's note)",
    )
