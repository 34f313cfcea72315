"""Checks of section 4 (brands: Amazon's seller base, TikTok Shop's categories, listed brand sellers)."""

from __future__ import annotations

import pandas as pd

from helpers.core.formatting import format_observation, format_value
from helpers.outputs.checks.registry import CONSISTENT, INCONSISTENT, NOT_CHECKABLE, Verdict, check, locators
from helpers.views.select import one, points, rows


@check("S4")
def amazon_new_sellers_year_before(obs: pd.DataFrame) -> Verdict | None:
    count = one(points(rows(obs, "new_sellers_count", entity="amazon")), "new_sellers_count")
    change = one(points(rows(obs, "new_sellers_change", entity="amazon")), "new_sellers_change")
    if count is None or change is None or count["period"] != change["period"]:
        return None
    implied = count["value"] / (1 + change["value"] / 100)
    # A change printed as a whole percent stands for anything within half a point of it.
    low = count["value"] / (1 + (change["value"] + 0.5) / 100)
    high = count["value"] / (1 + (change["value"] - 0.5) / 100)
    if low > high:
        low, high = high, low
    year_before = str(int(count["period"]) - 1) if count["period_kind"] == "year" else "the year before"
    return Verdict(
        claim=f"Amazon added fewer new sellers in {count['period']} than the year before (the higher bar)",
        locator=locators(pd.concat([count.to_frame().T, change.to_frame().T])),
        article=f"{format_observation(count)}, {format_value(change['value'], 'percent', 0, signed=True)} year on year",
        recomputed=f"implied {year_before}: about {implied:,.0f} (between {low:,.0f} and {high:,.0f} for a change rounded to a whole percent)",
        verdict=CONSISTENT if implied > count["value"] else INCONSISTENT,
        tolerance="the change read as rounded to a whole percent (±0.5 pp)",
    )


@check("S4")
def amz123_subset_within_whole(obs: pd.DataFrame) -> Verdict | None:
    """A group of sellers inside another (profit fell by more than half, inside profit fell) cannot be
    the larger share: the part must not exceed the largest value the whole's figure allows."""
    shares = rows(obs, "sellers_share")
    pairs = [(w, p) for _, w in shares.iterrows() for _, p in shares.iterrows() if w["id"] != p["id"] and p["segment"].startswith(w["segment"] + " ")]
    if not pairs:
        return None
    whole, part = pairs[0]
    part_value = part["value"] if part["qualifier"] in ("exact", "approx") else part["value_low"]
    whole_max = whole["value"] if whole["qualifier"] in ("exact", "approx") else (whole["value_high"] if pd.notna(whole["value_high"]) else 100.0)
    whole_min = whole["value"] if whole["qualifier"] in ("exact", "approx") else (whole["value_low"] if pd.notna(whole["value_low"]) else 0.0)
    among = (
        f"; so of the sellers whose {whole['segment']}, less than {part_value / whole_min * 100:.0f}% are those whose {part['segment']}"
        if whole_min > 0
        else ""
    )
    return Verdict(
        claim=f"In the seller survey, those whose {part['segment']} are a subset of those whose {whole['segment']}",
        locator=locators(pd.concat([whole.to_frame().T, part.to_frame().T])),
        article=f"{format_observation(part)} within {format_observation(whole)}",
        recomputed=f"{format_value(part_value, 'percent', 0)} against a whole of at most {format_value(whole_max, 'percent', 0)}{among}",
        verdict=CONSISTENT if part_value <= whole_max else INCONSISTENT,
        tolerance="none (a part of a group is no larger than the group); the part is read as a share of all surveyed sellers",
    )


def _growth_floor(row) -> tuple[float, str]:
    """The smallest growth (percent) a category's stated multiple allows, and the reading used."""
    if row["qualifier"] in ("more_than", "at_least"):
        return (row["value_low"] - 1) * 100, f"{format_observation(row)} = more than {format_value((row['value_low'] - 1) * 100, 'percent', 0, signed=True)}"
    if row["qualifier"] == "nearly":
        # 'Nearly N-fold' is read as above (N - 1)-fold: closer to N than to the multiple below.
        floor = row["value_high"] - 1
        return (
            floor - 1
        ) * 100, f"{format_observation(row)} read as more than {floor:.0f}x = more than {format_value((floor - 1) * 100, 'percent', 0, signed=True)}"
    if row["qualifier"] in ("exact", "approx"):
        return (row["value"] - 1) * 100, f"{format_observation(row)} = {format_value((row['value'] - 1) * 100, 'percent', 0, signed=True)}"
    return float("nan"), f"{format_observation(row)}: no floor stated"


@check("S4")
def core_categories_above_stated_floor(obs: pd.DataFrame) -> Verdict | None:
    sea = obs[(obs["entity"] == "tiktok-shop") & (obs["market"] == "SEA")]
    floor = one(sea[sea["qualifier"].isin(["more_than", "at_least"])], "gmv_growth")
    categories = rows(sea, "gmv_multiple")
    categories = categories[categories["period"] == floor["period"]] if floor is not None else categories.iloc[0:0]
    if floor is None or categories.empty:
        return None
    readings = [_growth_floor(r) for _, r in categories.iterrows()]
    if any(pd.isna(g) for g, _ in readings):
        verdict = NOT_CHECKABLE
    else:
        verdict = CONSISTENT if all(g >= floor["value_low"] for g, _ in readings) else INCONSISTENT
    return Verdict(
        claim="Every TikTok Shop Southeast Asia category named grew by more than the floor stated for all core categories",
        locator=locators(pd.concat([floor.to_frame().T, categories])),
        article=f"all core categories {format_observation(floor)}; " + "; ".join(f"{r.segment} {format_observation(r)}" for _, r in categories.iterrows()),
        recomputed="; ".join(f"{r.segment}: {text}" for (_, r), (_, text) in zip(categories.iterrows(), readings)),
        verdict=verdict,
        tolerance="none (bounds); a multiple m is growth of (m - 1) × 100%; the alternative reading of 'more than threefold' (more than +300%) passes too",
    )


@check("S4")
def wook_adjusted_net_margin(obs: pd.DataFrame) -> Verdict | None:
    revenue = one(points(rows(obs, "revenue", entity="wook")), "revenue")
    profit = one(points(rows(obs, "adjusted_net_profit", entity="wook")), "adjusted_net_profit")
    if revenue is None or profit is None or revenue["period"] != profit["period"]:
        return None
    margin = profit["value"] / revenue["value"] * 100
    return Verdict(
        claim=f"WOOK made an adjusted profit on its revenue in {revenue['period']}",
        locator=locators(pd.concat([revenue.to_frame().T, profit.to_frame().T])),
        article=f"revenue {format_observation(revenue)}, adjusted net profit {format_observation(profit)}",
        recomputed=f"adjusted net margin {margin:.1f}% (a ratio, the same in any currency)",
        verdict=CONSISTENT if 0 < profit["value"] < revenue["value"] else INCONSISTENT,
        tolerance="none (arithmetic; both figures exact, same period and currency)",
    )
