"""Picking rows out of a section's observations by what they are, never by a typed period."""

from __future__ import annotations

import pandas as pd


def rows(obs: pd.DataFrame, metric: str, **where: str) -> pd.DataFrame:
    """The rows of one metric (and entity=, market=, segment=, qualifier=, status=), oldest first."""
    mask = obs["metric"] == metric
    for column, wanted in where.items():
        mask &= obs[column] == wanted
    return obs[mask].sort_values(["start", "end", "id"], kind="stable")


def one(obs: pd.DataFrame, metric: str, which: str = "latest", **where: str) -> pd.Series | None:
    """The earliest or latest row of a selection, or None when the data has none (as of the period)."""
    found = rows(obs, metric, **where)
    if found.empty:
        return None
    return found.iloc[-1] if which == "latest" else found.iloc[0]


def points(obs: pd.DataFrame) -> pd.DataFrame:
    """Rows that state a point (exact or approximate), not a bound or a range."""
    return obs[obs["qualifier"].isin(["exact", "approx"])]
