"""Every chart of the pack, one call each. Each draws what the data states and no more:

- exact and approximate figures are solid points (approximate ones labelled 'about');
- bounds are open markers with an arrow pointing where the true value lies;
- ranges are bars from low to high; forecasts are hollow and dashed;
- periods the source does not give are shown as missing, never filled in.

Each call displays the figure, finished with its Source footer, and returns a `Chart` whose text
lists the figures plotted, so the rendered notebook carries the chart's data as checkable text.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers.formatting import format_observation, point_value
from helpers.style import colour_for, finish

UP = ("at_least", "more_than")
DOWN = ("at_most", "less_than", "nearly")


class Chart:
    """What a chart plotted: `data` (one row per mark) and its text, which nbval compares."""

    def __init__(self, title: str, data: pd.DataFrame, figure: plt.Figure | None = None):
        self.title = title
        self.data = data.reset_index(drop=True)
        self.figure = figure

    def __repr__(self) -> str:
        body = self.data.to_string(index=False) if len(self.data) else "(nothing plotted)"
        return f"Chart data: {self.title}\n{body}"


def _show(fig: plt.Figure, show: bool) -> None:
    if show:
        from IPython.display import display

        display(fig)
    plt.close(fig)


def _series_key(obs: pd.DataFrame, by: str | list[str]) -> pd.Series:
    cols = [by] if isinstance(by, str) else list(by)
    return obs[cols].astype(str).agg(" · ".join, axis=1).str.replace(r"( · )+$", "", regex=True)


def _colour_of(row: pd.Series, colour_by: str) -> str:
    return colour_for(row[colour_by])


MARKERS = ("o", "s", "D", "^", "v", "P")


def _draw_mark(ax, x: float, row: pd.Series, colour: str, horizontal: bool, span: float, marker: str = "o") -> None:
    """One figure as the source states it, at position x (the category axis)."""
    q = row["qualifier"]
    forecast = row["status"] == "forecast"
    if q == "range":
        lo, hi = row["value_low"], row["value_high"]
        if horizontal:
            ax.plot([lo, hi], [x, x], color=colour, lw=7, alpha=0.55, solid_capstyle="butt")
        else:
            ax.plot([x, x], [lo, hi], color=colour, lw=9, alpha=0.55, solid_capstyle="butt")
        return
    v = point_value(row)
    hollow = q in UP + DOWN or forecast
    kw = dict(marker=marker, ms=9, mec=colour, mew=2, mfc="white" if hollow else colour, ls="none", zorder=3)
    ax.plot(*((v, x) if horizontal else (x, v)), **kw)
    if q in UP + DOWN:
        direction = 1 if q in UP else -1
        dx, dy = (direction * span, 0) if horizontal else (0, direction * span)
        start = (v, x) if horizontal else (x, v)
        ax.annotate("", xy=(start[0] + dx, start[1] + dy), xytext=start, arrowprops=dict(arrowstyle="-|>", color=colour, lw=1.6), zorder=2)


def _table_of(rows: pd.DataFrame, label: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "mark": label.to_numpy(),
            "period": rows["period"].to_numpy(),
            "figure": [format_observation(r) for _, r in rows.iterrows()],
            "status": rows["status"].to_numpy(),
            "id": rows["id"].to_numpy(),
        }
    )


def _every_period(keys: list[str], kinds: pd.Series, starts: pd.Series) -> list[str]:
    """All years (or all quarters) from the first to the last, so that gaps show."""
    from helpers.watch import next_period

    if not kinds.isin(["year", "quarter"]).all() or kinds.nunique() != 1:
        raise ValueError("every_period needs periods of one kind, all years or all quarters")
    ordered = [keys[0]]
    while ordered[-1] != keys[-1]:
        ordered.append(next_period(ordered[-1]))
    return ordered


def trend(
    obs: pd.DataFrame,
    title: str,
    subtitle: str,
    series: str | list[str] = "entity_label",
    colour_by: str = "entity",
    threshold: float | None = None,
    threshold_label: str | None = None,
    every_period: bool = True,
    show: bool = True,
) -> Chart:
    """Figures over periods, one line per series. Years (or quarters) the data lacks are drawn as
    gaps labelled 'not given', so a missing period never looks like a dip or a trend; lines join
    only neighbouring periods that both have a point."""
    obs = obs.sort_values(["start", "end", "id"], kind="stable")
    keys = obs["period"].drop_duplicates().tolist()
    if every_period and obs["period_kind"].isin(["year", "quarter"]).all() and obs["period_kind"].nunique() == 1:
        keys = _every_period(keys, obs["period_kind"], obs["start"])
    position = {k: i for i, k in enumerate(keys)}
    fig, ax = plt.subplots()
    label = _series_key(obs, series)
    values = pd.concat([obs["value"], obs["value_low"], obs["value_high"]]).dropna()
    span = (values.max() - min(values.min(), 0)) * 0.12 if len(values) else 1.0
    for n, (name, rows) in enumerate(obs.groupby(label, sort=False)):
        colour = _colour_of(rows.iloc[0], colour_by)
        marker = MARKERS[n % len(MARKERS)]
        xs = rows["period"].map(position).to_numpy(dtype=float)
        points = rows["qualifier"].isin(["exact", "approx"]).to_numpy()
        for i in range(len(rows) - 1):
            if points[i] and points[i + 1] and xs[i + 1] - xs[i] == 1:
                dashed = rows["status"].iat[i + 1] == "forecast"
                ax.plot(xs[i : i + 2], [rows["value"].iat[i], rows["value"].iat[i + 1]], color=colour, lw=2, ls="--" if dashed else "-", zorder=2)
        for x, (_, row) in zip(xs, rows.iterrows()):
            _draw_mark(ax, x, row, colour, horizontal=False, span=span, marker=marker)
            text = format_observation(row) + (" (forecast)" if row["status"] == "forecast" else "")
            # Alternate label sides by series so close values stay readable.
            offset = (10, 4) if n % 2 == 0 else (10, -14)
            ax.annotate(text, (x, point_value(row)), xytext=offset, textcoords="offset points", fontsize=9, color=colour)
        ax.plot([], [], color=colour, lw=2, marker=marker, label=name)
    for key, x in position.items():
        if key not in set(obs["period"]):
            ax.axvspan(x - 0.4, x + 0.4, color="#f4f4f4", zorder=0)
            ax.text(x, 0.04, "not given\nby the source", transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=8, color="#777777")
    if threshold is not None:
        ax.axhline(threshold, color="#b00000", lw=1, ls=":", zorder=1)
        if threshold_label:
            ax.annotate(threshold_label, (0, threshold), xycoords=("axes fraction", "data"), xytext=(4, 3), textcoords="offset points", ha="left", va="bottom", fontsize=8, color="#b00000")
    ax.set_xticks(range(len(keys)), keys)
    ax.set_xlim(-0.5, len(keys) - 0.5)
    ax.set_ylim(bottom=min(0, values.min() if len(values) else 0), top=(values.max() + span * 1.6) if len(values) else None)
    ax.set_xlabel("")
    ax.set_ylabel("")
    if label.nunique() > 1:
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=min(4, label.nunique()), frameon=False, fontsize=9, borderaxespad=0.2)
    finish(fig, title, subtitle, obs)
    if label.nunique() > 1:
        fig.subplots_adjust(top=0.78)
    _show(fig, show)
    return Chart(title, _table_of(obs, label), fig)


def strip(
    obs: pd.DataFrame,
    title: str,
    subtitle: str,
    label: str | list[str] = "entity_label",
    colour_by: str = "entity",
    reference: float | None = None,
    reference_label: str | None = None,
    show: bool = True,
) -> Chart:
    """One row per figure on a shared value axis: points, bounds with arrows, ranges as bars.

    All rows must share one unit; a chart never puts a multiple beside a percent change."""
    units = obs["unit"].unique()
    if len(units) != 1:
        raise ValueError(f"strip() draws one unit at a time; these rows mix {', '.join(sorted(units))}")
    names = _series_key(obs, label)
    height = max(2.4, 0.5 * len(obs) + 1.6)
    fig, ax = plt.subplots(figsize=(8.0, height))
    values = pd.concat([obs["value"], obs["value_low"], obs["value_high"]]).dropna()
    top = float(values.max()) if len(values) else 1.0
    span = (top - min(float(values.min()), 0)) * 0.08 if len(values) else 1.0
    ys = np.arange(len(obs))[::-1]
    for y, (_, row) in zip(ys, obs.iterrows()):
        colour = _colour_of(row, colour_by)
        _draw_mark(ax, y, row, colour, horizontal=True, span=span)
        right = row["value_high"] if row["qualifier"] == "range" else point_value(row)
        if row["qualifier"] in UP:
            right = right + span
        text = format_observation(row) + (" (forecast)" if row["status"] == "forecast" else "")
        ax.annotate(text, (right, y), xytext=(8, 0), textcoords="offset points", va="center", fontsize=9, color=colour)
    if reference is not None:
        ax.axvline(reference, color="#b00000", lw=1, ls=":")
        if reference_label:
            ax.text(reference, len(obs) - 0.4, reference_label, ha="left", va="bottom", fontsize=8, color="#b00000")
    ax.set_yticks(ys, names)
    ax.set_ylim(-0.7, len(obs) - 0.3)
    ax.set_xlim(min(0, float(values.min()) * 1.15 if len(values) else 0), top + span * 4.5)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(obs["metric_label"].iat[0] if obs["metric_label"].nunique() == 1 else obs["unit"].iat[0])
    finish(fig, title, subtitle, obs)
    fig.subplots_adjust(left=0.3, top=1 - 0.75 / height, bottom=0.55 / height + 0.05)
    _show(fig, show)
    return Chart(title, _table_of(obs, names), fig)


def timeline(events: pd.DataFrame, title: str, subtitle: str, show: bool = True) -> Chart:
    """Dated events on a time axis, a row per entity; undated events are listed under the chart."""
    dated = events[events["start"].notna()].sort_values(["start", "id"], kind="stable")
    undated = events[events["start"].isna()]
    entities = list(dict.fromkeys(dated["entity_label"]))
    fig, ax = plt.subplots(figsize=(9.0, max(3.0, 0.55 * len(entities) + 2.0)))
    row_of = {e: len(entities) - 1 - i for i, e in enumerate(entities)}
    for _, ev in dated.iterrows():
        y = row_of[ev["entity_label"]]
        colour = colour_for(ev["entity"])
        if ev["end"] > ev["start"] + pd.Timedelta(days=1):
            ax.plot([ev["start"], ev["end"]], [y, y], color=colour, lw=6, alpha=0.5, solid_capstyle="butt")
        ax.plot([ev["start"]], [y], marker="o", color=colour, ms=7)
    ax.set_yticks(list(row_of.values()), list(row_of.keys()))
    ax.set_ylim(-0.7, len(entities) - 0.3)
    ax.grid(axis="y", visible=False)
    note = None
    if len(undated):
        note = f"Not placed (the source gives no date): {len(undated)} events, listed in the table below."
    finish(fig, title, subtitle, events, note=note)
    fig.subplots_adjust(left=0.26)
    _show(fig, show)
    data = pd.DataFrame(
        {"date": events["date"].replace("", "undated").to_numpy(), "entity": events["entity_label"].to_numpy(), "event": events["description"].to_numpy(), "id": events["id"].to_numpy()}
    )
    return Chart(title, data, fig)
