"""Checks of section 2 (mature giants against fast challengers: 'ice and fire')."""

from __future__ import annotations

import pandas as pd

from helpers.checks import CONSISTENT, INCONSISTENT, NOT_CHECKABLE, Verdict, bound_holds, check, locators, not_checkable, stated
from helpers.formatting import format_observation, format_value
from helpers.select import one, points, rows

# 'Around 30%' is read as within this many percentage points of the figure.
APPROX_PP = 5.0


def _growth(obs, entity: str):
    return rows(obs, "ecom_business_growth", entity=entity)


@check("S2")
def amazon_growth_fell_from_peak(obs):
    amazon = _growth(obs, "amazon")
    peak = one(amazon[amazon["qualifier"].isin(["more_than", "at_least"])], "ecom_business_growth")
    latest = one(points(amazon), "ecom_business_growth")
    if peak is None or latest is None:
        return None
    floor = peak["value_low"]
    return Verdict(
        claim=f"Amazon's e-commerce growth fell from its pandemic peak ({peak['period']}) to the latest rate ({latest['period']})",
        locator=locators(amazon),
        article=f"{format_observation(peak)} to {format_observation(latest)}",
        recomputed=(
            f"a fall of more than {format_value(floor - latest['value'], 'percentage_points', 1)}; "
            f"the latest rate is less than {latest['value'] / floor:.2f} times the peak rate"
        ),
        verdict=bound_holds(latest["value"], "less_than", None, floor),
        tolerance="none (bound)",
    )


@check("S2")
def shopee_grew_faster_than_amazon(obs):
    shopee = one(points(_growth(obs, "shopee")), "ecom_business_growth")
    amazon = one(points(_growth(obs, "amazon")), "ecom_business_growth")
    if shopee is None or amazon is None:
        return None
    slack = APPROX_PP if shopee["qualifier"] == "approx" else 0.0
    gap = shopee["value"] - amazon["value"]
    return Verdict(
        claim=f"'Fire and ice': Shopee grew faster than Amazon in {shopee['period']}",
        locator=locators(pd.concat([shopee.to_frame().T, amazon.to_frame().T])),
        article=f"Shopee {format_observation(shopee)}, Amazon {format_observation(amazon)}",
        recomputed=(
            f"gap {format_value(gap, 'percentage_points', 1, signed=True)}, Shopee's rate {shopee['value'] / amazon['value']:.1f} times Amazon's; "
            "the two measures are not named alike (Shopee's is not said to be GMV or revenue)"
        ),
        verdict=CONSISTENT if shopee["value"] - slack > amazon["value"] else INCONSISTENT,
        tolerance=f"'around' read as ±{APPROX_PP:.0f} pp: the ordering must hold at the low end",
    )


@check("S2")
def challengers_outgrew_amazon(obs):
    """The rows keep only the double-digit floor of the estimates for Temu and TikTok Shop; the
    claim can be confirmed from them only if that floor is above Amazon's rate."""
    challengers = obs[(obs["metric"] == "ecom_business_growth") & obs["entity"].isin(["temu", "tiktok-shop"])]
    amazon = one(points(_growth(obs, "amazon")), "ecom_business_growth")
    if challengers.empty or amazon is None:
        return None
    floors = challengers["value_low"].fillna(challengers["value"])
    if (floors > amazon["value"]).all():
        verdict, why = CONSISTENT, "every stated floor is above Amazon's rate"
    else:
        verdict = NOT_CHECKABLE
        why = (
            f"not checkable from the rows: the stored floor ({format_value(floors.min(), 'percent', 0)}) is not above Amazon's "
            f"{format_observation(amazon)}; the article's 'very high double-digit or triple-digit' is an unnamed estimate"
        )
    return Verdict(
        claim="Temu and TikTok Shop grew faster than Amazon",
        locator=locators(pd.concat([challengers, amazon.to_frame().T])),
        article=stated(challengers) + f"; Amazon {format_observation(amazon)}",
        recomputed=why,
        verdict=verdict,
        tolerance="none (bound)",
    )


@check("S2")
def platform_growth_not_checkable(obs):
    return not_checkable(
        "The platforms' growth rates themselves",
        points(obs[obs["metric"] == "ecom_business_growth"]),
        "not checkable offline: company results (Amazon, Sea Ltd) do not ship with the pack, and the article names neither the measure nor the quarters",
    )
