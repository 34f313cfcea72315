"""What to watch next quarter: each series' latest period in the data and the next one to add."""

from __future__ import annotations

import pandas as pd

from helpers.core.formatting import format_observations
from helpers.core.periods import next_period
from helpers.outputs.display import Text, table

SERIES = ["entity_label", "market", "segment", "metric_label"]


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
            "latest figure": format_observations(latest),
            "next period to add": latest["period"].map(next_period),
        }
    )
    return out.sort_values(["entity", "metric", "segment"], kind="stable").reset_index(drop=True)


def watch_table(obs: pd.DataFrame, caption: str = "Series of this section and the next period to add") -> Text:
    return table(watch_list(obs), caption=caption)
