"""The outlook's scorecard: the article's three pressures and its battlegrounds, each with a
headline figure picked from the data, never typed.

How a headline is chosen. Each theme in THEMES names the series that measures it: a section,
a metric and the columns that single out one series (entity, segment, market). The headline is
that series' latest row as of the notebook's period (`select.one`, ordered by period start, end
and id); `alongside` names a second series (or the same one with which="first") that gives the
headline its scale. Add a quarter's rows to data/ and the scorecard moves with them; a series
with no row as of the period shows as not given.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from helpers.core.figure import merge_locators
from helpers.core.formatting import format_observation
from helpers.outputs.display import Text, table
from helpers.views.select import one
from helpers.views.wording import figure_sentence


@dataclass(frozen=True)
class Series:
    section: str
    metric: str
    where: dict[str, str] = field(default_factory=dict)
    which: str = "latest"


@dataclass(frozen=True)
class Theme:
    name: str
    kind: str  # pressure, contrast or battleground, as the article frames it
    headline: Series
    alongside: Series | None = None


THEMES = (
    # S1: the article's three pressures (P04, P13).
    Theme(
        "Slowing growth",
        "pressure",
        Series("S1", "ecom_sales_growth", {"entity": "global-ecommerce"}),
        Series("S1", "ecom_sales_growth", {"entity": "global-ecommerce"}, "first"),
    ),
    Theme(
        "Inflation and tariffs",
        "pressure",
        Series("S1", "tariff_rate", {"entity": "us-tariffs-on-china"}),
        Series("S1", "inflation_yoy", {"market": "USA"}, "first"),
    ),
    Theme(
        "Dearer advertising",
        "pressure",
        Series("S1", "ad_cpc", {"entity": "amazon", "segment": "average"}),
        Series("S1", "ad_cpc", {"entity": "amazon", "segment": "average"}, "first"),
    ),
    # S2: the two worlds the battlegrounds are fought in.
    Theme(
        "Two worlds: giants slow, challengers grow",
        "contrast",
        Series("S2", "ecom_business_growth", {"entity": "amazon"}),
        Series("S2", "ecom_business_growth", {"entity": "shopee"}),
    ),
    # S3-S5: the four battlegrounds of the outlook (P56).
    Theme("Regional focus", "battleground", Series("S3", "new_markets_opened", {"entity": "temu"}), Series("S3", "markets_present_count", {"entity": "temu"})),
    Theme(
        "Brands",
        "battleground",
        Series("S4", "new_sellers_change", {"entity": "amazon"}),
        Series("S4", "gmv_growth", {"entity": "tiktok-shop", "segment": "each core cross-border category"}),
    ),
    Theme(
        "Logistics",
        "battleground",
        Series("S5", "logistics_investment_cumulative", {"entity": "amazon"}),
        Series("S5", "stock_prep_lead_time", {"entity": "aliexpress", "segment": "stock-prep lead time after the Hong Kong centre"}),
    ),
    Theme("AI", "battleground", Series("S5", "revenue_growth", {"entity": "aidc"})),
)


def pick(obs: pd.DataFrame, series: Series | None) -> pd.Series | None:
    """The row a series points at in these observations, or None when there is none as of the period."""
    if series is None:
        return None
    # The section is one more column to match, not a copy of its rows to search again.
    return one(obs, series.metric, which=series.which, section=series.section, **series.where)


def _measure(row: pd.Series) -> str:
    segment = f" ({row['segment']})" if row["segment"] else ""
    return f"{row['entity_label']}, {row['metric_label']}{segment}, {row['market_name']}"


def scorecard(obs: pd.DataFrame) -> pd.DataFrame:
    """One row per theme: the headline figure as stated, what it measures and its period, and the
    figure alongside it; a series with no row as of the period reads 'not given'."""
    missing = "not given as of this period"
    out = []
    for theme in THEMES:
        head, other = pick(obs, theme.headline), pick(obs, theme.alongside)
        picked = [r for r in (head, other) if r is not None]
        if other is not None:
            alongside = f"{format_observation(other)} in {other['period']}: {_measure(other)}"
        else:
            alongside = missing if theme.alongside else ""
        out.append(
            {
                "theme": theme.name,
                "kind": theme.kind,
                "section": theme.headline.section,
                "headline": format_observation(head) if head is not None else missing,
                "period": head["period"] if head is not None else "",
                "measure": _measure(head) if head is not None else "",
                "alongside": alongside,
                "at": merge_locators(r["locator"] for r in picked),
            }
        )
    return pd.DataFrame(out)


def picked_rows(obs: pd.DataFrame) -> pd.DataFrame:
    """The observation rows the scorecard shows, in theme order, each once."""
    found = [r for theme in THEMES for r in (pick(obs, theme.headline), pick(obs, theme.alongside)) if r is not None]
    return pd.DataFrame(found).drop_duplicates("id").reset_index(drop=True) if found else obs.iloc[0:0]


def scorecard_table(obs: pd.DataFrame, caption: str = "The pressures and battlegrounds, each with its headline figure from the data") -> Text:
    return table(scorecard(obs), caption=caption)


KIND_WORDS = {"pressure": "a pressure", "contrast": "the contrast", "battleground": "a battleground"}


def sentences(obs: pd.DataFrame) -> list[str]:
    """Each theme's headline as a sentence: 'Slowing growth, a pressure: global retail e-commerce
    grew 8.8% in 2025.' A theme with no row as of the period says so."""
    out = []
    for theme in THEMES:
        head = pick(obs, theme.headline)
        lead = f"{theme.name}, {KIND_WORDS.get(theme.kind, theme.kind)} (section {theme.headline.section[1:]})"
        out.append(f"{lead}: {figure_sentence(head)}." if head is not None else f"{lead}: no figure as of this period.")
    return out
