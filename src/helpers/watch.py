"""What to watch next quarter: each series' latest period in the data and the next one to add."""

from __future__ import annotations

import re

import pandas as pd

from helpers.display import Text, table
from helpers.formatting import format_observation

SERIES = ["entity_label", "market", "segment", "metric_label"]


def next_period(period: str) -> str:
    """The period that follows in the same grammar: 2025 -> 2026, 2025Q4 -> 2026Q1, 2025-12 -> 2026-01.

    A single day (a yearly campaign such as 12 December) and an interval recur a year later.
    """
    if "/" in period:
        return "/".join(next_period_year(p) for p in period.split("/"))
    if re.fullmatch(r"\d{4}", period):
        return str(int(period) + 1)
    if m := re.fullmatch(r"(\d{4})Q([1-4])", period):
        year, q = int(m[1]), int(m[2])
        return f"{year + q // 4}Q{q % 4 + 1}"
    if m := re.fullmatch(r"(\d{4})-(\d{2})", period):
        year, month = int(m[1]), int(m[2])
        return f"{year + month // 12}-{month % 12 + 1:02d}"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", period):
        return next_period_year(period)
    raise ValueError(f"{period!r} is not a period")


def next_period_year(period: str) -> str:
    """The same period one year later: 2025Q1 -> 2026Q1, 2025-12-12 -> 2026-12-12."""
    return str(int(period[:4]) + 1) + period[4:]


def watch_list(obs: pd.DataFrame) -> pd.DataFrame:
    """One row per series (entity, market, segment, metric): latest period, its figure, next period."""
    latest = obs.sort_values(["end", "start", "id"], kind="stable").groupby(SERIES, sort=False, dropna=False).tail(1)
    out = pd.DataFrame(
        {
            "entity": latest["entity_label"],
            "market": latest["market"],
            "segment": latest["segment"],
            "metric": latest["metric_label"],
            "latest period": latest["period"],
            "latest figure": [format_observation(r) for _, r in latest.iterrows()],
            "next period to add": latest["period"].map(next_period),
        }
    )
    return out.sort_values(["entity", "metric", "segment"], kind="stable").reset_index(drop=True)


def watch_table(obs: pd.DataFrame, caption: str = "Series of this section and the next period to add") -> Text:
    return table(watch_list(obs), caption=caption)
