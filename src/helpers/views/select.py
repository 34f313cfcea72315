"""Picking rows out of a section's observations by what they are, never by a typed period.

`one` and `rows` return None or an empty frame when the data has nothing. `need`, `need_rows` and
`nonempty` are for rows a cell cannot do without: when the data as viewed (an earlier `AS_OF`)
does not hold them yet, they raise `NotInData`, which names what is missing. `make quarter` lets
such a cell stop with that one-line note and runs the rest; with every row in data/ (AS_OF None)
it is an error like any other, because then the rows must be there.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from helpers.core.figure import POINTS


class NotInData(LookupError):
    """Rows a cell needs are not in the data as viewed (as of an earlier period)."""

    def _render_traceback_(self) -> list[str]:
        # IPython shows this instead of a traceback: a missing row is a fact about the data, not a bug.
        return [f"Not in the data as viewed: {self}. This part shows once data/ holds it (or at a later AS_OF)."]


def _describe(metric: str, where: dict[str, str]) -> str:
    return f"no figure of {metric}" + (" for " + ", ".join(f"{k} {v}" for k, v in where.items()) if where else "")


def rows(obs: pd.DataFrame, metric: str, **where: str) -> pd.DataFrame:
    """The rows of one metric (and entity=, market=, segment=, qualifier=, status=), oldest first."""
    # Compared on the plain arrays: a hundredth of the time of a Series comparison per column.
    mask = obs["metric"].to_numpy() == metric
    for column, wanted in where.items():
        mask = mask & (obs[column].to_numpy() == wanted)
    return _oldest_first(obs, mask)


def _oldest_first(obs: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """obs[mask].sort_values(["start", "end", "id"], kind="stable") (a missing date last), taken
    in one step: the few rows a selection picks sort faster as Python keys than through pandas'
    sort, and the frame is taken once instead of masked, then reordered."""
    picked = np.flatnonzero(mask)
    if len(picked) > 1:
        keys = []
        for column in ("start", "end"):
            dates = obs[column].to_numpy()[picked]
            missing = pd.isna(dates)
            keys += [missing, np.where(missing, 0, dates.astype("datetime64[us]").view("i8"))]
        ids = obs["id"].to_numpy()[picked]
        # A missing id (never in validated data) sorts last, as sort_values puts it.
        id_keys = [(not isinstance(i, str), i if isinstance(i, str) else "") for i in ids]
        rank = sorted(range(len(picked)), key=lambda r: (keys[0][r], keys[1][r], keys[2][r], keys[3][r], id_keys[r]))
        picked = picked[rank]
    return obs.take(picked)


def one(obs: pd.DataFrame, metric: str, which: str = "latest", **where: str) -> pd.Series | None:
    """The earliest or latest row of a selection, or None when the data has none (as of the period)."""
    found = rows(obs, metric, **where)
    if found.empty:
        return None
    return found.iloc[-1] if which == "latest" else found.iloc[0]


def need(obs: pd.DataFrame, metric: str, which: str = "latest", **where: str) -> pd.Series:
    """Like `one`, for a row the cell cannot do without: NotInData when there is none."""
    found = one(obs, metric, which, **where)
    if found is None:
        raise NotInData(_describe(metric, where))
    return found


def need_rows(obs: pd.DataFrame, metric: str, **where: str) -> pd.DataFrame:
    """Like `rows`, for rows the cell cannot do without: NotInData when there are none."""
    return nonempty(rows(obs, metric, **where), _describe(metric, where))


def nonempty(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    """`frame` itself, or NotInData naming `what` was looked for when it has no rows."""
    if frame.empty:
        raise NotInData(what)
    return frame


def matching(obs: pd.DataFrame, selector: Mapping[str, tuple[str, ...]]) -> pd.DataFrame:
    """The rows a claim's selector picks (each key's column holds one of its values), oldest first.
    The selector's `which` is left to the caller: a direction reads the first and last row, an
    order the latest, a bound every row."""
    mask = np.ones(len(obs), dtype=bool)
    for column, wanted in selector.items():
        if column != "which":
            allowed = frozenset(wanted)
            values = obs[column].to_numpy()
            mask = mask & np.fromiter((v in allowed for v in values), dtype=bool, count=len(values))
    return _oldest_first(obs, mask)


def pick(rows: pd.DataFrame, which: str) -> pd.DataFrame:
    """The first row, the latest row, or all of some rows (oldest first)."""
    if which == "first":
        return rows.iloc[:1]
    if which == "latest":
        return rows.iloc[-1:]
    if which == "all":
        return rows
    raise ValueError(f"which={which!r}: expected first, latest or all")


def points(obs: pd.DataFrame) -> pd.DataFrame:
    """Rows that state a point (exact or approximate), not a bound or a range."""
    return obs[obs["qualifier"].isin(POINTS)]
