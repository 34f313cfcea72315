"""Checks of section 2 (mature giants against fast challengers: 'ice and fire')."""

from __future__ import annotations

import pandas as pd

from helpers import data
from helpers.core.formatting import format_observation, stated_decimals
from helpers.outputs.checks.registry import CONSISTENT, INCONSISTENT, NOT_CHECKABLE, Verdict, check, locators
from helpers.views import implied, series
from helpers.views.select import one, points, rows

# 'Around 30%' is read as within this many percentage points of the figure.
APPROX_PP = 5.0
# 'Toward the single digits': growth below this.
SINGLE_DIGITS = 10.0
# 'Extremely high double-digit': this growth or more.
VERY_HIGH_GROWTH = 50.0


def _growth(obs, entity: str):
    return rows(obs, "ecom_business_growth", entity=entity)


# --- the article against the companies' own releases --------------------------------------------


def _from_article(obs: pd.DataFrame) -> pd.DataFrame:
    package = data.load_package()
    return obs[obs["source_id"].isin(data.article_sources(package.sources, package.article))]


def _released_before_article(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows from publications out by the article's date: what its 'current' could refer to."""
    return rows[(rows["source_published"] != "") & (rows["source_published"] <= data.article_date())]


def _level_interval(now: pd.Series, before: pd.Series) -> tuple[float, float]:
    """The growth (percent) two levels printed to one decimal of their scale allow: each level
    may lie half a printed unit either side (Amazon prints $158.9 billion, so ±$0.05 billion)."""
    half = 10 ** -int(max(1, stated_decimals(now["value"], now["unit"], now["decimals"]))) / 2 * (1e9 if abs(now["value"]) >= 1e9 else 1e6)
    low = ((now["value"] - half) / (before["value"] + half) - 1) * 100
    high = ((now["value"] + half) / (before["value"] - half) - 1) * 100
    return low, high


@check("S2")
def amazon_current_rate_in_its_releases(obs: pd.DataFrame) -> Verdict | None:
    """The article's 'current' Amazon rate against every rate Amazon's latest release before the
    article states or implies: each segment's stated growth, and the growth its net sales and the
    year-earlier net sales give (an interval, as both levels are rounded)."""
    article = one(points(_growth(_from_article(obs), "amazon")), "ecom_business_growth")
    company = _released_before_article(series.quarterly(obs[obs["entity"] == "amazon"]))
    if article is None:
        return None
    stated = company[company["metric"] == "net_sales_growth"]
    if stated.empty:
        return Verdict(
            "Amazon's 'current' growth rate is one its own results state",
            article["locator"],
            format_observation(article),
            "no Amazon release out before the article is in the data",
            NOT_CHECKABLE,
            "none",
        )
    latest = stated["start"].max()
    stated = stated[stated["start"] == latest]
    levels = company[company["metric"] == "net_sales"].set_index(["segment", "period"])
    readings, matched = [], []
    for _, r in stated.iterrows():
        earlier = (r["segment"], implied.year_earlier(r["period"]))
        name = r["segment"] or "whole company"
        if (r["segment"], r["period"]) in levels.index and earlier in levels.index:
            low, high = _level_interval(levels.loc[(r["segment"], r["period"])], levels.loc[earlier])
            text = f"{name} {format_observation(r)} stated, {low:.1f}% to {high:.1f}% from its net sales"
        else:
            low, high = r["value"] - 0.5, r["value"] + 0.5  # a whole percent stands for half a point either side
            text = f"{name} {format_observation(r)} stated (no levels to narrow it)"
        readings.append(text)
        if low - 0.05 <= article["value"] <= high + 0.05:
            matched.append(name)
    period = stated["period"].iat[0]
    return Verdict(
        claim=f"Amazon's 'current' e-commerce growth is a rate its latest release before the article states ({period})",
        locator=article["locator"],
        article=format_observation(article),
        recomputed="; ".join(readings) + (f". Matches: {', '.join(matched)}" if matched else f". None allows {format_observation(article)}"),
        verdict=CONSISTENT if matched else INCONSISTENT,
        tolerance="a stated whole percent read as ±0.5 pp, narrowed by the rounded levels; the article's one decimal as ±0.05 pp",
    )


@check("S2")
def shopee_around_thirty_in_its_releases(obs: pd.DataFrame) -> Verdict | None:
    article = one(points(_growth(_from_article(obs), "shopee")), "ecom_business_growth")
    own = _released_before_article(series.quarterly(rows(obs, "gmv_growth", entity="shopee", segment="")))
    if article is None:
        return None
    if own.empty:
        return Verdict(
            "Shopee grew around the stated rate, in Sea's own GMV growth",
            article["locator"],
            format_observation(article),
            "no Sea release out before the article is in the data",
            NOT_CHECKABLE,
            "none",
        )
    in_year = own[own["start"].dt.year == article["start"].year]
    used = in_year if len(in_year) else own.tail(1)
    off = [r for _, r in used.iterrows() if abs(r["value"] - article["value"]) > APPROX_PP]
    return Verdict(
        claim=f"Shopee grew around the stated rate, in Sea's own GMV growth of the quarters of {article['period']} released by the article",
        locator=article["locator"],
        article=format_observation(article),
        recomputed="; ".join(f"{r.period}: {format_observation(r)}" for _, r in used.iterrows())
        + ("" if len(in_year) else f" (no quarter of {article['period']}; the latest)"),
        verdict=INCONSISTENT if off else CONSISTENT,
        tolerance=f"'around' read as ±{APPROX_PP:.0f} pp",
    )


@check("S2")
def ebay_toward_single_digits(obs: pd.DataFrame) -> Verdict | None:
    own = _released_before_article(series.quarterly(rows(obs, "gmv_growth", entity="ebay", segment="")))
    said = obs[(obs["entity"] == "ebay") | ((obs["entity"] == "amazon") & (obs["metric"] == "ecom_business_growth"))]
    if own.empty or said.empty:
        return None
    recent = own.tail(4)
    high = recent[recent["value"] >= SINGLE_DIGITS]
    return Verdict(
        claim="eBay, a mature giant, grows at single-digit rates (its own GMV growth, the four latest quarters released by the article)",
        locator="P15",
        article="growth 'toward the single digits'",
        recomputed="; ".join(f"{r.period}: {format_observation(r)}" for _, r in recent.iterrows()),
        verdict=INCONSISTENT if len(high) else CONSISTENT,
        tolerance=f"single digits read as below {SINGLE_DIGITS:.0f}%",
    )


@check("S2")
def challengers_growth_against_pdd(obs: pd.DataFrame) -> Verdict | None:
    """Temu's parent reports the group only: its growth is a proxy, and the verdict says so."""
    own = _released_before_article(series.quarterly(rows(obs, "revenue_growth", entity="pdd-holdings", segment="")))
    temu = obs[(obs["entity"] == "temu") & (obs["metric"] == "ecom_business_growth")]
    if own.empty or temu.empty:
        return None
    recent = own.tail(4)
    low = recent[recent["value"] < VERY_HIGH_GROWTH]
    return Verdict(
        claim="Temu still grew at very high double-digit or triple-digit rates, against PDD Holdings' own revenue growth (the group, Temu and Pinduoduo together)",
        locator=locators(temu),
        article="'extremely high double-digit or even triple-digit' (third-party estimates)",
        recomputed="PDD Holdings revenue growth, the four latest quarters released by the article: "
        + "; ".join(f"{r.period}: {format_observation(r)}" for _, r in recent.iterrows()),
        verdict=INCONSISTENT if len(low) else CONSISTENT,
        tolerance=f"'very high double-digit' read as {VERY_HIGH_GROWTH:.0f}% or more in every quarter; PDD does not report Temu apart, so the group is a proxy only",
    )
