"""The companies' own quarterly series: which rows a chart draws, chosen by a rule over the data.

A series is one entity, market, segment and metric. It is quarterly when its rows have periods of
kind 'quarter'. What the rules below pick moves with the data: a new quarter, a new company or a
new metric appears in the charts without a notebook being edited, and a series of another unit is
put in a panel of its own rather than beside a growth rate.
"""

from __future__ import annotations

import pandas as pd

from helpers.core.periods import next_period

SERIES = ["entity", "market", "segment", "metric"]
# A growth metric is year-over-year growth as the source states it, foreign exchange included:
# its id ends in '_growth'. Constant-currency variants are metrics of their own ('..._fx_neutral').
GROWTH_SUFFIX = "_growth"
# When a company states several growth rates, its headline is the first of these it has: the
# article's own measure, then the platform's volume, then its sales, then its revenue.
HEADLINE_GROWTH = ("ecom_business_growth", "gmv_growth", "net_sales_growth", "revenue_growth")


def is_growth(obs: pd.DataFrame) -> pd.Series:
    """Rows stating year-over-year growth in percent (as reported)."""
    return obs["metric"].str.endswith(GROWTH_SUFFIX) & (obs["unit"] == "percent")


def quarterly(obs: pd.DataFrame) -> pd.DataFrame:
    """Rows of quarterly periods, oldest first."""
    return obs[obs["period_kind"] == "quarter"].sort_values(["start", "entity", "metric", "segment", "id"], kind="stable")


def _preference(metric: pd.Series) -> pd.Series:
    order = {m: i for i, m in enumerate(HEADLINE_GROWTH)}
    return metric.map(order).fillna(len(order))


def headline_growth(obs: pd.DataFrame) -> pd.DataFrame:
    """Each company's headline quarterly growth series (whole company, no segment): of the growth
    metrics it states by quarter, the one with the most quarters, ties broken by HEADLINE_GROWTH."""
    rows = quarterly(obs)
    rows = rows[is_growth(rows) & (rows["segment"] == "")]
    if rows.empty:
        return rows
    counts = rows.groupby(["entity", "metric"]).size().rename("quarters").reset_index()
    counts = counts.assign(order=_preference(counts["metric"])).sort_values(["entity", "quarters", "order"], ascending=[True, False, True], kind="stable")
    chosen = dict(counts.groupby("entity").head(1)[["entity", "metric"]].itertuples(index=False))
    return rows[rows["metric"] == rows["entity"].map(chosen)]


def latest_growth(obs: pd.DataFrame) -> pd.DataFrame:
    """Each entity's latest stated growth rate for the whole company, whatever its period: among
    rates of the same latest period, the first of HEADLINE_GROWTH. One row per entity."""
    rows = obs[is_growth(obs) & (obs["segment"] == "")]
    rows = rows.assign(_order=_preference(rows["metric"])).sort_values(["end", "_order", "id"], ascending=[False, True, True], kind="stable")
    return rows.groupby("entity", sort=False).head(1).drop(columns="_order").sort_values(["entity"], kind="stable")


def quarter_span(rows: pd.DataFrame) -> list[str]:
    """Every quarter from the earliest to the latest quarter among the rows."""
    if rows.empty:
        return []
    ordered = rows.sort_values("start", kind="stable")["period"]
    quarters = [ordered.iloc[0]]
    while quarters[-1] != ordered.iloc[-1]:
        quarters.append(next_period(quarters[-1]))
    return quarters


def gaps(obs: pd.DataFrame) -> pd.DataFrame:
    """Quarters a company's series lacks in the data, within the span of that company's quarterly
    rows (its earliest quarter to its latest): one row per series, so a reader sees what the
    releases read did not give. 'Not in the data' is not 'not published': data/README.md lists
    the look-ups tried for each gap."""
    rows = quarterly(obs)
    out = []
    for entity, company in rows.groupby("entity_label", sort=True):
        span = quarter_span(company)
        for (segment, metric), group in company.groupby(["segment", "metric_label"], sort=True):
            have = set(group["period"])
            missing = [q for q in span if q not in have]
            out.append(
                {
                    "entity": entity,
                    "segment": segment,
                    "metric": metric,
                    "quarters": len(have),
                    "from": span[0],
                    "to": span[-1],
                    "not in the data": ", ".join(missing) or "none",
                }
            )
    return pd.DataFrame(out, columns=["entity", "segment", "metric", "quarters", "from", "to", "not in the data"])
