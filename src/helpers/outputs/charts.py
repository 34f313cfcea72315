"""Every chart of the pack, one call each. Each draws what the data states and no more:

- exact and approximate figures are solid points (approximate ones labelled 'about');
- bounds are open markers with an arrow pointing where the true value lies;
- ranges are bars from low to high; forecasts are hollow and dashed;
- periods the source does not give are shown as missing, never filled in.

Each call displays the figure, finished with its Source footer, and returns a `Chart` whose text
lists the figures plotted, so the rendered notebook carries the chart's data as checkable text.
"""

from __future__ import annotations

import functools
import io
import textwrap

import matplotlib as mpl
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import PIL.Image
import seaborn as sns
from IPython.display import Image, display
from matplotlib.ticker import Formatter, StrMethodFormatter
from matplotlib.transforms import Bbox

from helpers.core.figure import CEILINGS, FLOORS
from helpers.core.formatting import count_words, figure_records, format_observation, format_observations, format_value, period_words, point_value
from helpers.core.periods import next_period, period_bounds
from helpers.outputs.style import FOOTER_CHARS_PER_INCH, NEUTRAL, colour_for, finish, source_line
from helpers.views.select import NotInData
from helpers.views.series import quarter_span

# A floor's arrow points up, a ceiling's down (what each allows is defined in core.figure).
UP, DOWN = FLOORS, CEILINGS
# Marks drawn hollow besides bounds: a forecast, and a value implied by stated figures (never stored).
HOLLOW_STATUS = ("forecast", "implied")
# Words added to a mark's label for a figure that is not a plain actual.
STATUS_WORDS = {"forecast": " (forecast)", "estimate": " (estimate)", "implied": " (implied)"}


def _mark_text(row: pd.Series) -> str:
    """A mark's label: the figure as stated, then '(forecast)', '(estimate)' or '(implied)'."""
    return format_observation(row) + STATUS_WORDS.get(row["status"], "")


class Chart:
    """What a chart plotted: `data` (one row per mark) and its text, which nbval compares."""

    def __init__(self, title: str, data: pd.DataFrame, figure: plt.Figure | None = None):
        self.title = title
        self.data = data.reset_index(drop=True)
        self.figure = figure

    def __repr__(self) -> str:
        body = self.data.to_string(index=False) if len(self.data) else "(nothing plotted)"
        return f"Chart data: {self.title}\n{body}"


def _text_as_typed(draw):
    """A chart call whose every text (title, subtitle, labels, ticks, legend, footer) is drawn as
    typed: matplotlib would set the text between two '$' as mathematics ('$0.84 to $1.12' drawn
    as an italic '0.84to' and a bare '1.12'). Set here, not only in style.apply_theme(), so a
    cell that skips the theme draws its prices right too."""

    @functools.wraps(draw)
    def drawn(*args, **kwargs):
        with mpl.rc_context({"text.parse_math": False}):
            return draw(*args, **kwargs)

    return drawn


# A cross-section (strip, ladder) draws a row per figure. A series carried forward quarter after
# quarter would make it a column of near-identical rows: each series keeps its first and its latest
# figure (a peak and where it stands, a before and an after), and the rest stay in the figures table.
SERIES_KEY = ["entity", "market", "segment", "metric"]


def _first_and_latest(obs: pd.DataFrame) -> pd.DataFrame:
    """Of a series with more than two periods, the rows of its first and its latest period (by
    end, then start); a series of one or two periods is kept whole. The given order is kept."""
    keys = [c for c in SERIES_KEY if c in obs.columns]
    if not keys or "start" not in obs.columns or not obs.duplicated(keys).any():
        return obs
    keep = pd.Series(True, index=obs.index)
    for _, rows in obs.groupby(keys, sort=False, dropna=False):
        periods = rows.drop_duplicates("period").sort_values(["end", "start"], kind="stable")["period"]
        if len(periods) > 2:
            keep[rows.index] = rows["period"].isin([periods.iloc[0], periods.iloc[-1]])
    return obs[keep]


def _left_out_note(shown: pd.DataFrame, given: pd.DataFrame) -> str | None:
    """What a cross-section left out (see _first_and_latest), in words; None when nothing."""
    left_out = len(given) - len(shown)
    if not left_out:
        return None
    return f"{count_words(left_out, 'figures' if left_out != 1 else 'figure')} between a series' first and latest period: in the figures table."


def _drawable(rows: pd.DataFrame, title: str) -> None:
    """A chart of no rows would be an empty frame that looks like a finding: say what is missing."""
    if rows.empty:
        raise NotInData(f"no rows to draw the chart '{title}'")


# A chart is drawn once onto a canvas with room around the figure (labels may run past its edge),
# then cut to what was drawn plus a margin: what bbox_inches="tight" gives, without the extra
# layout pass matplotlib makes to measure it first (a third of the time of every chart). Labels
# run furthest to the right; a chart that draws past the room is saved the slower, tight way.
ROOM_INCHES = (0.5, 0.5, 1.5, 0.5)  # left, bottom, right, top
MARGIN_INCHES = 0.1  # matplotlib's own pad around a tight box


def _shown_texts(artist: mpl.artist.Artist):
    """The texts of an artist's tree that are drawn: visible, not empty, and not inside a hidden
    artist (whose children are never drawn, and whose ticks would be made only to be measured)."""
    for child in artist.get_children():
        if child.get_visible():
            if isinstance(child, mpl.text.Text) and child.get_text():
                yield child
            yield from _shown_texts(child)


def _text_outside(fig: plt.Figure, room: Bbox) -> bool:
    """Whether a text lies wholly outside the room drawn (so no pixel of it shows that it is
    missing): measured with the renderer of the draw just made, whose text layouts are cached."""
    renderer = fig.canvas.get_renderer() if getattr(fig.canvas, "renderer", None) is None else fig.canvas.renderer
    inside = Bbox(room.get_points() * fig.dpi)
    for text in _shown_texts(fig):
        box = text.get_window_extent(renderer)
        if box.x1 < inside.x0 or box.x0 > inside.x1 or box.y1 < inside.y0 or box.y0 > inside.y1:
            return True
    return False


def _png_of(fig: plt.Figure) -> bytes:
    """The figure as PNG bytes, cropped to its drawn content (the same bytes for the same figure)."""
    width, height = fig.get_size_inches()
    left, bottom, right, top = ROOM_INCHES
    room = Bbox.from_extents(-left, -bottom, width + right, height + top)
    raw = io.BytesIO()
    fig.savefig(raw, format="rgba", bbox_inches=room, dpi=fig.dpi)
    # Agg truncates the canvas to whole pixels.
    columns, rows = int(room.width * fig.dpi), int(room.height * fig.dpi)
    pixels = np.frombuffer(raw.getvalue(), dtype=np.uint8).reshape(rows, columns, 4)
    background = np.array([round(255 * c) for c in mpl.colors.to_rgba(fig.get_facecolor(), 1.0)], dtype=np.uint8)
    drawn = pixels.view(np.uint32)[:, :, 0] != background.view(np.uint32)[0]
    ys, xs = np.flatnonzero(drawn.any(axis=1)), np.flatnonzero(drawn.any(axis=0))
    out = io.BytesIO()
    if not ys.size or ys[0] == 0 or xs[0] == 0 or ys[-1] == rows - 1 or xs[-1] == columns - 1 or _text_outside(fig, room):
        # What bbox_inches="tight" saves, measured on the draw just made rather than on a layout
        # pass of its own: the box it measures, padded as it pads, drawn once.
        tight = fig.get_tightbbox(fig.canvas.get_renderer()).padded(mpl.rcParams["savefig.pad_inches"])
        fig.savefig(out, format="png", bbox_inches=tight, dpi=fig.dpi)
        return out.getvalue()
    margin = round(MARGIN_INCHES * fig.dpi)
    crop = pixels[max(ys[0] - margin, 0) : ys[-1] + 1 + margin, max(xs[0] - margin, 0) : xs[-1] + 1 + margin]
    PIL.Image.fromarray(crop).save(out, format="png")
    return out.getvalue()


def _show(fig: plt.Figure, show: bool) -> None:
    if show:
        display(Image(data=_png_of(fig), format="png"))
    plt.close(fig)


def _series_key(obs: pd.DataFrame, by: str | list[str]) -> pd.Series:
    cols = [by] if isinstance(by, str) else list(by)
    if not len(obs):
        return pd.Series(dtype="str")
    # Empty parts (a figure for the whole company has no segment) are left out, not joined.
    parts = zip(*(obs[c].astype(str) for c in cols))
    return pd.Series([" · ".join(v for v in row if v) for row in parts], index=obs.index)


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
    hollow = q in UP + DOWN or forecast or row["status"] in HOLLOW_STATUS
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
            "figure": format_observations(rows),
            "status": rows["status"].to_numpy(),
            "id": rows["id"].to_numpy(),
        }
    )


def _every_period(keys: list[str], kinds: pd.Series, starts: pd.Series) -> list[str]:
    """All years (or all quarters) from the first to the last, so that gaps show."""
    if not kinds.isin(["year", "quarter"]).all() or kinds.nunique() != 1:
        raise ValueError("every_period needs periods of one kind, all years or all quarters")
    ordered = [keys[0]]
    while ordered[-1] != keys[-1]:
        ordered.append(next_period(ordered[-1]))
    return ordered


YEARS_OR_SPANS = r"\d{4}(/\d{4})?"


def _axis_positions(obs: pd.DataFrame, every_period: bool) -> tuple[list[str], dict[str, float], dict[str, tuple[int, int]], list[str]]:
    """Ticks of a time axis, the x of each period, the spans of multi-year periods, and the ticks no row covers.

    Years mixed with spans of years ('2020/2021', a peak the source does not pin to one year) get
    one tick per year; a span is placed at its middle and covers its years, so only the years no
    row speaks for are shown as not given."""
    keys = obs["period"].drop_duplicates().tolist()
    kinds = obs["period_kind"]
    if every_period and kinds.isin(["year", "quarter"]).all() and kinds.nunique() == 1:
        keys = _every_period(keys, kinds, obs["start"])
    elif every_period and len(obs) and obs["period"].str.fullmatch(YEARS_OR_SPANS).all():
        keys = [str(y) for y in range(int(obs["start"].dt.year.min()), int(obs["end"].dt.year.max()) + 1)]
    tick = {k: i for i, k in enumerate(keys)}
    position: dict[str, float] = {}
    spans: dict[str, tuple[int, int]] = {}
    covered: set[str] = set()
    for period in obs["period"].drop_duplicates():
        if period in tick:
            position[period] = tick[period]
            covered.add(period)
        else:
            first, last = period.split("/")
            spans[period] = (tick[first], tick[last])
            position[period] = (tick[first] + tick[last]) / 2
            covered.update(str(y) for y in range(int(first), int(last) + 1))
    return keys, position, spans, [k for k in keys if k not in covered]


# Where a mark's label starts, in points from the mark: above it, below it, or level with it.
ABOVE, BELOW, BESIDE = (10, 4), (10, -14), (10, -4)


def _label_offsets(marks: list[tuple[float, float]]) -> list[tuple[int, int]]:
    """The offset of each mark's label (marks as (x, value)), so that each label sits beside its own
    mark and labels keep the marks' order: where several marks share an x, the lowest mark's label
    goes below it, the highest's above it and any between level with theirs; a lone mark's label
    sits above it. (Sides by series instead put a lower series' label above a higher one's when
    the values are close.)"""
    offsets: list[tuple[int, int]] = [ABOVE] * len(marks)
    at: dict[float, list[int]] = {}
    for i, (x, _) in enumerate(marks):
        at.setdefault(x, []).append(i)
    for indices in at.values():
        if len(indices) < 2:
            continue
        ranked = sorted(indices, key=lambda i: marks[i][1])  # stable: equal values keep series order
        for rank, i in enumerate(ranked):
            offsets[i] = BELOW if rank == 0 else (ABOVE if rank == len(ranked) - 1 else BESIDE)
    return offsets


# A trend labels each of its marks while a series has a few; a long one, only its first, its
# latest, its highest and its lowest (every figure stays in the chart's data and the tables).
MAX_LABELLED_MARKS = 6


def _labelled_marks(rows: pd.DataFrame) -> set:
    """The index labels of the marks of one series that get a label."""
    if len(rows) <= MAX_LABELLED_MARKS:
        return set(rows.index)
    values = pd.Series([point_value(r) for r in figure_records(rows)], index=rows.index, dtype=float)
    return {rows.index[0], rows.index[-1], values.idxmax(), values.idxmin()}


@_text_as_typed
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
    only neighbouring periods that both have a point. A figure stated for a span of years
    ('2020/2021') sits at the span's middle with a thin bar across the years it may belong to."""
    _drawable(obs, title)
    obs = obs.sort_values(["start", "end", "id"], kind="stable")
    keys, position, spans, missing = _axis_positions(obs, every_period)
    fig, ax = plt.subplots()
    label = _series_key(obs, series)
    values = pd.concat([obs["value"], obs["value_low"], obs["value_high"]]).dropna()
    span = (values.max() - min(values.min(), 0)) * 0.12 if len(values) else 1.0
    labels = []  # (x, value, text, colour) of each mark, labelled once all are known
    for n, (name, rows) in enumerate(obs.groupby(label, sort=False)):
        colour = _colour_of(rows.iloc[0], colour_by)
        marker = MARKERS[n % len(MARKERS)]
        xs = rows["period"].map(position).to_numpy(dtype=float)
        points = rows["qualifier"].isin(["exact", "approx"]).to_numpy()
        for i in range(len(rows) - 1):
            if points[i] and points[i + 1] and xs[i + 1] - xs[i] == 1:
                dashed = rows["status"].iat[i + 1] == "forecast"
                ax.plot(xs[i : i + 2], [rows["value"].iat[i], rows["value"].iat[i + 1]], color=colour, lw=2, ls="--" if dashed else "-", zorder=2)
        labelled = _labelled_marks(rows)
        for x, (index, row) in zip(xs, rows.iterrows()):
            if row["period"] in spans:
                first, last = spans[row["period"]]
                ax.plot([first - 0.3, last + 0.3], [point_value(row)] * 2, color=colour, lw=3, alpha=0.35, solid_capstyle="butt", zorder=1)
            _draw_mark(ax, x, row, colour, horizontal=False, span=span, marker=marker)
            if index in labelled:
                labels.append((x, point_value(row), _mark_text(row), colour))
        ax.plot([], [], color=colour, lw=2, marker=marker, label=name)
    for (x, value, text, colour), offset in zip(labels, _label_offsets([(x, v) for x, v, _, _ in labels])):
        ax.annotate(text, (x, value), xytext=offset, textcoords="offset points", fontsize=9, color=colour)
    for key in missing:
        x = keys.index(key)
        ax.axvspan(x - 0.4, x + 0.4, color="#f4f4f4", zorder=0)
        ax.text(x, 0.04, "not given\nby the source", transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=8, color="#777777")
    if threshold is not None:
        ax.axhline(threshold, color="#b00000", lw=1, ls=":", zorder=1)
        if threshold_label:
            ax.annotate(
                threshold_label,
                (0, threshold),
                xycoords=("axes fraction", "data"),
                xytext=(4, 3),
                textcoords="offset points",
                ha="left",
                va="bottom",
                fontsize=8,
                color="#b00000",
            )
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


@_text_as_typed
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
    """One row per figure on a shared value axis: points, bounds with arrows, ranges as bars; of a
    series with several periods, its first and its latest figure (see _first_and_latest).

    All rows must share one unit; a chart never puts a multiple beside a percent change."""
    _drawable(obs, title)
    _one_unit(obs, "strip")
    given, obs = obs, _first_and_latest(obs)
    note = _left_out_note(obs, given)
    names = _series_key(obs, label)
    height = max(2.4, 0.5 * len(obs) + 1.6)
    fig, ax = plt.subplots(figsize=(8.0, height))
    values = pd.concat([obs["value"], obs["value_low"], obs["value_high"]]).dropna()
    # The axis always reaches zero, so falls (all values negative) and zeros are drawn in full.
    top = max(float(values.max()), 0.0) if len(values) else 1.0
    span = (top - min(float(values.min()), 0)) * 0.08 if len(values) else 1.0
    ys = np.arange(len(obs))[::-1]
    for y, (_, row) in zip(ys, obs.iterrows()):
        colour = _colour_of(row, colour_by)
        _draw_mark(ax, y, row, colour, horizontal=True, span=span)
        right = row["value_high"] if row["qualifier"] == "range" else point_value(row)
        if row["qualifier"] in UP:
            right = right + span
        text = _mark_text(row)
        ax.annotate(text, (right, y), xytext=(8, 0), textcoords="offset points", va="center", fontsize=9, color=colour)
    if reference is not None:
        ax.axvline(reference, color="#b00000", lw=1, ls=":")
        if reference_label:
            ax.text(reference, len(obs) - 0.4, reference_label, ha="left", va="bottom", fontsize=8, color="#b00000")
    ax.set_yticks(ys, _tick_labels(names))
    ax.set_ylim(-0.7, len(obs) - 0.3)
    low = float(values.min()) if len(values) else 0.0
    # A floor's label starts past its arrow: leave room for it as for the largest point.
    floors = obs.loc[obs["qualifier"].isin(UP), "value_low"]
    right = max(top, float(floors.max()) + span * 1.5) if len(floors) else top
    ax.set_xlim(min(0, low * 1.15) - (span if low <= 0 else 0), right + span * 4.5)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(obs["metric_label"].iat[0] if obs["metric_label"].nunique() == 1 else obs["unit"].iat[0])
    finish(fig, title, subtitle, obs, note=note)
    _fit(fig, height, obs, left=0.3, note=note is not None)
    _show(fig, show)
    return Chart(title, _table_of(obs, names), fig)


@_text_as_typed
def timeline(events: pd.DataFrame, title: str, subtitle: str, show: bool = True) -> Chart:
    """Dated events on a time axis, a row per entity; undated events are listed under the chart.

    An event dated to a day is a dot; one dated only to a month, quarter or year is a bar across
    that whole period (a dot at its start would claim a day the source does not give). Events of
    one entity sit in lanes of their own row, so overlapping ones stay countable."""
    _drawable(events, title)

    dated = events[events["start"].notna()].sort_values(["start", "id"], kind="stable")
    undated = events[events["start"].isna()]
    entities = list(dict.fromkeys(dated["entity_label"]))
    height = max(3.0, 0.6 * len(entities) + 2.2)
    fig, ax = plt.subplots(figsize=(9.0, height))
    row_of = {e: len(entities) - 1 - i for i, e in enumerate(entities)}
    # Each dated event carries a number, in date order, that keys it to the chart data below.
    number = {ev_id: i + 1 for i, ev_id in enumerate(dated["id"])}
    for entity, group in dated.groupby("entity_label", sort=False):
        n = len(group)
        step = min(0.18, 0.72 / max(n - 1, 1))
        lanes = row_of[entity] + (np.arange(n)[::-1] - (n - 1) / 2) * step
        for y, (_, ev) in zip(lanes, group.iterrows()):
            colour = colour_for(ev["entity"])
            if ev["end"] > ev["start"] + pd.Timedelta(days=1):
                ax.plot([ev["start"], ev["end"] + pd.Timedelta(days=1)], [y, y], color=colour, lw=5 if n < 4 else 3.5, alpha=0.6, solid_capstyle="butt")
            else:
                ax.plot([ev["start"]], [y], marker="o", color=colour, ms=7, ls="none")
            ax.annotate(
                str(number[ev["id"]]), (ev["start"], y), xytext=(-5, 0), textcoords="offset points", ha="right", va="center", fontsize=6.5, color="#333333"
            )
    ax.set_yticks(list(row_of.values()), _tick_labels(pd.Series(list(row_of.keys())), 28))
    ax.set_ylim(-0.7, len(entities) - 0.3)
    ax.grid(axis="y", visible=False)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    note = "Numbers key each event to the chart's data below."
    if len(undated):
        noun = "event" if len(undated) == 1 else "events"
        note += f" Not placed (the source gives no date): {len(undated)} {noun}, listed as undated there."
    finish(fig, title, subtitle, events, note=note)
    _fit(fig, height, events, left=0.26, note=True)
    _show(fig, show)
    data = pd.DataFrame(
        {
            "#": events["id"].map(number).map(lambda k: "" if pd.isna(k) else str(int(k))).to_numpy(),
            "date": events["date"].replace("", "undated").to_numpy(),
            "entity": events["entity_label"].to_numpy(),
            "event": events["description"].to_numpy(),
            "id": events["id"].to_numpy(),
        }
    )
    order = pd.to_numeric(data["#"].replace("", None), errors="coerce").fillna(len(data) + 1)
    return Chart(title, data.iloc[order.argsort(kind="stable")], fig)


def _fit(fig: plt.Figure, height: float, rows: pd.DataFrame, left: float, note: bool = False) -> None:
    """Margins in inches rather than shares of the figure, so title, axis and footer never meet:
    room at the bottom for the x axis and for as many footer lines as the Source line will wrap to."""
    width = round(FOOTER_CHARS_PER_INCH * fig.get_size_inches()[0])
    lines = len(textwrap.wrap(source_line(rows), width)) + (1 if note else 0)
    # finish() puts the subtitle at a fixed share of the height: the axes start below it.
    fig.subplots_adjust(left=left, top=min(1 - 0.8 / height, 0.915 - 0.35 / height), bottom=(0.62 + 0.15 * lines) / height)


def _tick_labels(names: pd.Series, width: int = 34) -> list[str]:
    """Long row labels wrapped onto lines of at most `width` characters, so they stay left of the axis."""
    return [textwrap.fill(n, width, break_on_hyphens=False) for n in names]


def _one_unit(obs: pd.DataFrame, kind: str) -> str:
    """The single unit of the rows a chart draws; a multiple is never put beside a percent change."""
    units = sorted(obs["unit"].unique())
    if len(units) != 1:
        raise ValueError(f"{kind}() draws one unit at a time; these rows mix {', '.join(units)}")
    return units[0]


# A time stated in days is placed on the ladder's hour axis at 24 hours a day; nothing else is converted.
HOURS_PER = {"hours": 1.0, "days": 24.0}
# Gridlines of the ladder's log time axis, in hours, named as a reader says them.
TIME_TICKS = ((1, "1 hour"), (6, "6 hours"), (24, "1 day"), (72, "3 days"), (336, "2 weeks"), (1440, "60 days"))


@_text_as_typed
def ladder(
    obs: pd.DataFrame,
    title: str,
    subtitle: str,
    label: str | list[str] = "entity_label",
    colour_by: str = "entity",
    show: bool = True,
) -> Chart:
    """Promised times (delivery in an hour, next day, 3–5 days) as a ladder, fastest at the top.

    Rows stated in hours and rows stated in days share one log-scaled time axis in hours (a day
    is 24 hours), so 'one hour' and '3–5 days' can be read on one scale; every label keeps the
    figure as the source states it, and the chart's text lists the hours placed. Any unit other
    than days or hours is refused. Ranges are bars, bounds open markers with an arrow."""
    _drawable(obs, title)
    given, obs = obs, _first_and_latest(obs)
    note = _left_out_note(obs, given)
    other = sorted(set(obs["unit"]) - set(HOURS_PER))
    if other:
        raise ValueError(f"ladder() places times stated in days or hours; these rows are in {', '.join(other)}")
    factor = obs["unit"].map(HOURS_PER)
    placed = obs.assign(value=obs["value"] * factor, value_low=obs["value_low"] * factor, value_high=obs["value_high"] * factor)
    # Fastest first; 'under a day' ranks before 'a day', 'more than a day' after it.
    nudge = placed["qualifier"].map(lambda q: -0.5 if q in DOWN else (0.5 if q in UP else 0.0))
    order = (pd.Series([point_value(r) for r in figure_records(placed)], index=placed.index, dtype=float) + nudge).sort_values(kind="stable").index
    placed, obs = placed.loc[order], obs.loc[order]
    names = _series_key(obs, label)
    height = max(2.6, 0.62 * len(obs) + 1.8)
    fig, ax = plt.subplots(figsize=(8.0, height))
    ys = np.arange(len(obs))[::-1]
    for y, (_, row), (_, shown) in zip(ys, placed.iterrows(), obs.iterrows()):
        colour = _colour_of(row, colour_by)
        v = point_value(row)
        # On a log axis an arrow of a fixed share of the value has the same length everywhere.
        _draw_mark(ax, y, row, colour, horizontal=True, span=v * 0.45)
        right = row["value_high"] if row["qualifier"] == "range" else (v * 1.45 if row["qualifier"] in UP else v)
        ax.annotate(_mark_text(shown), (right, y), xytext=(10, 0), textcoords="offset points", va="center", fontsize=9, color=colour)
    values = pd.concat([placed["value"], placed["value_low"], placed["value_high"]]).dropna()
    low, high = float(values.min()) * 0.4, float(values.max()) * 8
    ax.set_xscale("log")
    ax.set_xlim(low, high)
    ticks = [(h, name) for h, name in TIME_TICKS if low <= h <= high]
    ax.set_xticks([h for h, _ in ticks], [name for _, name in ticks])
    ax.xaxis.set_minor_locator(plt.NullLocator())
    ax.set_yticks(ys, _tick_labels(names))
    ax.set_ylim(-0.7, len(obs) - 0.3)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("time, log scale (a day counted as 24 hours)")
    finish(fig, title, subtitle, obs, note=note)
    _fit(fig, height, obs, left=0.36, note=note is not None)
    _show(fig, show)

    def hours(row: pd.Series) -> str:
        if row["qualifier"] == "range":
            return f"{row['value_low']:g}–{row['value_high']:g}"
        return f"{point_value(row):g}"

    data = _table_of(obs, names).assign(hours=[hours(r) for _, r in placed.iterrows()])
    return Chart(title, data, fig)


@_text_as_typed
def before_after(
    before: pd.DataFrame,
    after: pd.DataFrame,
    title: str,
    subtitle: str,
    stages: tuple[str, str] | None = None,
    label: str | list[str] = "entity_label",
    colour_by: str = "entity",
    show: bool = True,
) -> Chart:
    """Each figure before a change (grey) and after it (the entity's colour), joined by an arrow.

    `before` and `after` are paired row by row and must share one unit. Ranges are bars, bounds
    open markers, implied values hollow and labelled so. Each mark is labelled with its stage:
    the words in `stages` (e.g. before/after an opening), or else the row's period."""
    _drawable(after, title)
    if len(before) != len(after):
        raise ValueError(f"before_after() pairs rows: got {len(before)} before and {len(after)} after")
    both = pd.concat([before, after])
    unit = _one_unit(both, "before_after")
    names = _series_key(after, label)
    height = max(2.6, 1.0 * len(after) + 1.8)
    fig, ax = plt.subplots(figsize=(8.0, height))
    values = pd.concat([both["value"], both["value_low"], both["value_high"]]).dropna()
    top = float(values.max()) if len(values) else 1.0
    span = top * 0.08
    ys = np.arange(len(after))[::-1]

    def middle(row: pd.Series) -> float:
        return (row["value_low"] + row["value_high"]) / 2 if row["qualifier"] == "range" else point_value(row)

    marks = []
    for y, (_, old), (_, new) in zip(ys, before.iterrows(), after.iterrows()):
        colour = _colour_of(new, colour_by)
        for row, tone, stage in ((old, NEUTRAL, stages[0] if stages else old["period"]), (new, colour, stages[1] if stages else new["period"])):
            _draw_mark(ax, y, row, tone, horizontal=True, span=span)
            ax.annotate(
                f"{stage}: {_mark_text(row)}", (middle(row), y), xytext=(0, 11), textcoords="offset points", ha="center", va="bottom", fontsize=9, color=tone
            )
            marks.append((stage, row))
        ax.annotate(
            "", xy=(middle(new), y - 0.22), xytext=(middle(old), y - 0.22), arrowprops=dict(arrowstyle="-|>", color=colour, lw=1.4, shrinkA=0, shrinkB=0)
        )
    ax.set_yticks(ys, _tick_labels(names))
    ax.set_ylim(-0.6, len(after) - 0.1)
    ax.set_xlim(min(0.0, float(values.min()) * 1.25) if len(values) else 0.0, max(top, 0.0) * 1.25)
    if unit == "count":
        ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(after["metric_label"].iat[0] if after["metric_label"].nunique() == 1 else unit)
    finish(fig, title, subtitle, both)
    _fit(fig, height, both, left=0.3)
    _show(fig, show)
    rows = pd.DataFrame([row for _, row in marks])
    data = _table_of(rows, pd.Series([names.iat[i // 2] for i in range(len(marks))])).assign(stage=[stage for stage, _ in marks])
    return Chart(title, data[["mark", "stage", "period", "figure", "status", "id"]], fig)


@_text_as_typed
def series_with_marks(
    series: pd.DataFrame,
    marks: pd.DataFrame,
    title: str,
    subtitle: str,
    value: str = "yoy",
    series_label: str = "reference series",
    unit: str = "percent",
    colour: str | None = None,
    show: bool = True,
) -> Chart:
    """A monthly reference series as a line, with a source's figures marked on it.

    `series` has one row per month (`date` on the first of the month, `period`, the `value`
    column, `citation`); a month absent from it or with no value is a gap in the line, shaded and
    labelled 'not published', never bridged. `marks` are observation rows: a point in a month is a
    solid marker labelled with both figures, a range over an interval a shaded band from low to high,
    a bound over an interval a dashed line with an arrow pointing where the true value lies."""
    series = series.sort_values("date", kind="stable")
    calendar = pd.date_range(series["date"].min(), series["date"].max(), freq="MS")
    line = series.set_index("date")[value].reindex(calendar)
    by_period = pd.Series(line.to_numpy(), index=calendar.strftime("%Y-%m"))
    colour = colour or NEUTRAL
    ink = "#222222"  # the source's figures, set apart from the series' colour
    fig, ax = plt.subplots(figsize=(9.0, 4.8))
    ax.plot(calendar, line.to_numpy(), color=colour, lw=2, zorder=2, label=series_label)
    missing = calendar[line.isna().to_numpy()]
    for month in missing:
        # Each value sits on the first of its month: the gap is centred there.
        ax.axvspan(month - pd.Timedelta(days=15), month + pd.Timedelta(days=15), color="#e6e6e6", zorder=0)
        ax.annotate(f"{month:%Y-%m}\nnot published", (month, 0.03), xycoords=("data", "axes fraction"), ha="center", va="bottom", fontsize=8, color="#666666")
    shown_values = [line.max(), *pd.concat([marks["value"], marks["value_low"], marks["value_high"]]).dropna()]
    top = float(np.nanmax(shown_values)) if len(shown_values) else 1.0
    span = top * 0.1

    def spread(rows: pd.Series) -> str:
        got = rows.dropna()
        if got.empty:
            return "no month published"
        if len(got) == 1:
            text = f"{format_value(got.iloc[0], unit, 2)} in the one month"
        else:
            text = f"{format_value(got.min(), unit, 2)} to {format_value(got.max(), unit, 2)} over {len(got)} months"
        return text + (f", {len(rows) - len(got)} not published" if len(got) < len(rows) else "")

    table = []
    for _, row in marks.sort_values(["start", "id"], kind="stable").iterrows():
        start, end = row["start"], row["end"]
        months = by_period[(by_period.index >= f"{start:%Y-%m}") & (by_period.index <= f"{end:%Y-%m}")]
        if row["qualifier"] == "range":
            ax.fill_between([start, end], row["value_low"], row["value_high"], color=ink, alpha=0.12, lw=0, zorder=1)
            # Labelled under the band, where the line does not run.
            ax.annotate(
                f"article: {_mark_text(row)} ({row['period']})",
                (start, row["value_low"]),
                xytext=(2, -4),
                textcoords="offset points",
                va="top",
                fontsize=9,
                color=ink,
            )
            found = spread(months)
        elif row["qualifier"] in UP + DOWN:
            level = point_value(row)
            ax.plot([start, end], [level, level], color=ink, lw=1.4, ls="--", zorder=3)
            middle = start + (end - start) * 0.75  # off the middle, where a point mark may sit
            direction = 1 if row["qualifier"] in UP else -1
            ax.annotate("", xy=(middle, level + direction * span), xytext=(middle, level), arrowprops=dict(arrowstyle="-|>", color=ink, lw=1.4), zorder=3)
            ax.annotate(f"article: {_mark_text(row)} ({row['period']})", (end, level), xytext=(4, -12), textcoords="offset points", fontsize=9, color=ink)
            found = spread(months)
        else:
            at = by_period.get(f"{start:%Y-%m}", np.nan)
            ax.plot([start], [row["value"]], marker="o", ms=8, color=ink, ls="none", zorder=4)
            found = "not published" if pd.isna(at) else format_value(at, unit, 2)
            ax.annotate(
                f"article: {_mark_text(row)} ({row['period']})\n{series_label}: {found}",
                (start, row["value"]),
                xytext=(10, 6),
                textcoords="offset points",
                fontsize=9,
                color=ink,
            )
        table.append(
            {
                "mark": f"{row['market_name']}, {row['metric_label'].lower()}",
                "period": row["period"],
                "article": _mark_text(row),
                series_label: found,
                "id": row["id"],
            }
        )
    ax.plot([], [], marker="o", color=ink, ls="none", label="the article's figures")
    ax.set_xlim(min(calendar[0], marks["start"].min()) - pd.Timedelta(days=20), max(calendar[-1], marks["end"].max()) + pd.Timedelta(days=20))
    ax.set_ylim(min(0.0, float(np.nanmin(line.to_numpy()))), top + span * 1.8)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.legend(loc="upper right", frameon=False, fontsize=9)
    footer_rows = pd.concat([marks[["citation", "locator"]], pd.DataFrame({"citation": series["citation"].unique(), "locator": ""})])
    finish(fig, title, subtitle, footer_rows)
    _show(fig, show)
    gaps = ", ".join(f"{m:%Y-%m}" for m in missing) or "none"
    summary = {
        "mark": series_label,
        "period": f"{calendar[0]:%Y-%m}/{calendar[-1]:%Y-%m}",
        "article": "",
        series_label: f"{line.notna().sum()} months; not published: {gaps}",
        "id": "",
    }
    return Chart(title, pd.DataFrame([summary, *table]), fig)


def _quarter_axis(rows: pd.DataFrame) -> tuple[list[str], dict[str, int]]:
    """Every quarter from the rows' first to their last, and each quarter's x."""
    quarters = quarter_span(rows)
    return quarters, {q: i for i, q in enumerate(quarters)}


# Up to this many quarters, every quarter has its tick; past it, only every few years do (a tick per
# quarter over decades would be a grey block, and each tick costs drawing time).
MAX_QUARTER_TICKS = 24
MAX_YEAR_LABELS = 8


def _quarter_ticks(ax, quarters: list[str]) -> None:
    """A tick per quarter, labelled at each year's first quarter shown (and the very first); over a
    long span, a labelled tick every few years (at most MAX_YEAR_LABELS)."""
    if len(quarters) <= MAX_QUARTER_TICKS:
        labels = [q if (i == 0 or q.endswith("Q1")) else "" for i, q in enumerate(quarters)]
        ax.set_xticks(range(len(quarters)), labels)
    else:
        starts = [i for i, q in enumerate(quarters) if q.endswith("Q1")]
        shown = starts[:: -(-len(starts) // MAX_YEAR_LABELS)]
        ax.set_xticks(shown, [quarters[i][:4] for i in shown])
    ax.set_xlim(-0.6, len(quarters) - 0.4)


def _line_of(ax, rows: pd.DataFrame, x_of: dict[str, int], colour: str, marker: str) -> None:
    """A series as a line that joins neighbouring quarters only: a missing quarter breaks it. One
    line (broken by NaN at each gap) and one set of marks per fill, however many quarters."""
    rows = rows.sort_values("start", kind="stable")
    xs = rows["period"].map(x_of).to_numpy(dtype=float)
    ys = np.array([point_value(row) for row in figure_records(rows)], dtype=float)
    if len(xs) > 1:
        gap = np.flatnonzero(np.diff(xs) != 1) + 1
        ax.plot(np.insert(xs, gap, np.nan), np.insert(ys, gap, np.nan), color=colour, lw=2, zorder=2)
    hollow = (~rows["qualifier"].isin(["exact", "approx"]) | rows["status"].isin(HOLLOW_STATUS)).to_numpy()
    for fill, which in (("white", hollow), (colour, ~hollow)):
        if which.any():
            ax.plot(xs[which], ys[which], marker=marker, ms=5, mec=colour, mew=1.5, mfc=fill, ls="none", zorder=3)


@_text_as_typed
def lines(
    obs: pd.DataFrame,
    title: str,
    subtitle: str,
    series: str | list[str] = "entity_label",
    colour_by: str = "entity",
    reference: pd.DataFrame | None = None,
    note: str | None = None,
    show: bool = True,
) -> Chart:
    """Quarterly series as lines over every quarter from the first to the last: a quarter a series
    lacks breaks its line, never bridged. Each line is labelled at its latest point with that figure.
    `reference` rows (another period kind, such as a year's global growth) are drawn as dotted
    horizontal lines across the quarters of their year, labelled with their figure. All rows share
    one unit."""
    _drawable(obs, title)
    _one_unit(obs if reference is None else pd.concat([obs, reference]), "lines")
    obs = obs.sort_values(["start", "id"], kind="stable")
    quarters, x_of = _quarter_axis(obs)
    fig, ax = plt.subplots(figsize=(9.0, 5.0))
    label = _series_key(obs, series)
    ends = []
    for n, (name, rows) in enumerate(obs.groupby(label, sort=True)):
        colour = _colour_of(rows.iloc[0], colour_by)
        _line_of(ax, rows, x_of, colour, MARKERS[n % len(MARKERS)])
        last = rows.iloc[-1]
        ends.append((point_value(last), x_of[last["period"]], f"{name}: {_mark_text(last)}", colour))
    # End labels sit level with their line's last point, nudged apart where two would overlap.
    values = pd.concat([obs["value"], obs["value_low"], obs["value_high"]]).dropna()
    gap = (values.max() - min(values.min(), 0)) * 0.055 if len(values) else 1.0
    placed: list[float] = []
    for y, x, text, colour in sorted(ends, key=lambda e: e[0]):
        at = max(y, placed[-1] + gap) if placed else y
        placed.append(at)
        # In a column right of the last quarter, joined to the line's end by a faint leader.
        ax.annotate(
            text,
            (x, y),
            xytext=(len(quarters) - 0.3, at),
            textcoords="data",
            va="center",
            fontsize=8.5,
            color=colour,
            arrowprops=dict(arrowstyle="-", color=colour, lw=0.6, alpha=0.6, shrinkA=0, shrinkB=3),
        )
    refs = reference if reference is not None else obs.iloc[0:0]
    for _, row in refs.iterrows():
        inside = [x_of[q] for q in quarters if row["start"] <= period_bounds(q)[0] <= row["end"]]
        first, last = (inside[0], inside[-1]) if inside else (0, len(quarters) - 1)
        ax.plot([first - 0.4, last + 0.4], [point_value(row)] * 2, color="#b00000", lw=1.2, ls=":", zorder=1)
        ax.annotate(
            f"{row['entity_label']}, {period_words(row['period'])}: {_mark_text(row)}",
            (first - 0.4, point_value(row)),
            xytext=(0, -11),
            textcoords="offset points",
            fontsize=8,
            color="#b00000",
        )
    _quarter_ticks(ax, quarters)
    ax.set_xlim(-0.6, len(quarters) + 4.5)  # room for the labels at the lines' ends
    ax.axhline(0, color="#888888", lw=0.8, zorder=1)
    ax.set_xlabel("")
    ax.set_ylabel("")
    footer = pd.concat([obs, refs])
    finish(fig, title, subtitle, footer, note=note)
    _fit(fig, 5.0, footer, left=0.08, note=bool(note))
    _show(fig, show)
    return Chart(title, _table_of(pd.concat([obs, refs]), pd.concat([label, _series_key(refs, series)])), fig)


@_text_as_typed
def panels(
    obs: pd.DataFrame,
    title: str,
    subtitle: str,
    panel: list[str] | None = None,
    series: list[str] | None = None,
    columns: int = 3,
    show: bool = True,
) -> Chart:
    """Small multiples over quarters: a panel for each entity and metric unit (levels in dollars
    apart from growth in percent), a line for each segment and metric inside it, on the shared
    quarter axis of all the rows. Whatever quarterly series the rows hold is drawn; a missing
    quarter breaks its line."""
    _drawable(obs, title)
    panel = panel or ["entity_label", "unit"]
    series = series or ["segment", "metric_label"]
    obs = obs.sort_values(["start", "id"], kind="stable")
    quarters, x_of = _quarter_axis(obs)
    keys = list(dict.fromkeys(zip(*(obs[c] for c in panel))))
    rows_n = -(-len(keys) // columns)
    height = 3.0 * rows_n + 2.2
    fig, axes = _shared_x_grid(len(keys), rows_n, columns, figsize=(11.0, height))
    palette = [c for c in sns.color_palette("colorblind").as_hex()]
    label = _series_key(obs, series)
    for ax, key in zip(axes, keys):
        inside = obs[np.logical_and.reduce([obs[c] == k for c, k in zip(panel, key)])]
        for n, (name, rows) in enumerate(inside.groupby(label[inside.index], sort=True)):
            _line_of(ax, rows, x_of, palette[n % len(palette)], MARKERS[n % len(MARKERS)])
            turn = _first_profit(rows)
            if turn is not None:
                ax.annotate(
                    "first profit",
                    (x_of[turn["period"]], turn["value"]),
                    xytext=(0, 12),
                    textcoords="offset points",
                    ha="center",
                    fontsize=7.5,
                    arrowprops=dict(arrowstyle="-", lw=0.8),
                )
            ax.plot([], [], color=palette[n % len(palette)], marker=MARKERS[n % len(MARKERS)], ms=4, label=textwrap.shorten(name, 38))
        unit = inside["unit"].iat[0]
        ax.set_title(textwrap.fill(f"{key[0]} ({UNIT_WORDS.get(unit, unit)})", 44), fontsize=9, loc="left", pad=4)
        # Wherever it hides the fewest marks (a lone first-quarter point sits where 'upper left' would be).
        ax.legend(fontsize=6.5, frameon=False, loc="best", handlelength=1.2, borderaxespad=0.1)
        ax.tick_params(labelsize=7.5)
        if unit in ("usd", "cny"):
            scale, word = _money_scale(inside)
            ax.yaxis.set_major_formatter(_MoneyTicks(scale, word))
    _quarter_ticks(axes[0], quarters)  # the panels share their x axis: once sets it for all
    finish(fig, title, subtitle, obs)
    _fit(fig, height, obs, left=0.08)
    # A panel title wrapped to two lines would reach up into the subtitle: the top row starts lower.
    title_lines = max(ax.get_title(loc="left").count("\n") + 1 for ax in axes[:columns])
    fig.subplots_adjust(top=fig.subplotpars.top - 0.17 * (title_lines - 1) / height, hspace=0.55 + 0.1 * (title_lines - 1), wspace=0.3)
    _show(fig, show)
    return Chart(title, _table_of(obs, obs[panel[0]].astype(str) + " · " + label), fig)


def _shared_x_grid(count: int, rows: int, columns: int, figsize: tuple[float, float]) -> tuple[plt.Figure, list]:
    """`count` axes on a grid of rows x columns, filled row by row, sharing their x axis: what
    plt.subplots(rows, columns, sharex=True) lays out, less the cells left empty (an axes made
    only to be hidden still costs its making, and its ticks when the figure is searched). As
    there, only the grid's bottom row labels the shared x axis."""
    fig = plt.figure(figsize=figsize)
    grid = fig.add_gridspec(rows, columns)
    axes: list = []
    for i in range(count):
        axes.append(fig.add_subplot(grid[i // columns, i % columns], sharex=axes[0] if axes else None))
    for ax in axes:
        spec = ax.get_subplotspec()
        if not spec.is_first_row():
            ax.xaxis.set_tick_params(which="both", labeltop=False)
            if ax.xaxis.offsetText.get_position()[1] == 1:
                ax.xaxis.offsetText.set_visible(False)
        if not spec.is_last_row():
            ax.set_xlabel("")
            ax.xaxis.set_tick_params(which="both", labelbottom=False)
            if ax.xaxis.offsetText.get_position()[1] == 0:
                ax.xaxis.offsetText.set_visible(False)
    return fig, axes


def _first_profit(rows: pd.DataFrame) -> pd.Series | None:
    """The first quarter of a money series (a profit measure) above zero after one at or below it."""
    if rows["unit"].iat[0] not in ("usd", "cny") or not rows["metric"].str.contains("ebit|profit|income", regex=True).all():
        return None
    ordered = rows.sort_values("start", kind="stable")
    below = (ordered["value"] <= 0).cummax()
    after = ordered[below & (ordered["value"] > 0)]
    return after.iloc[0] if len(after) else None


UNIT_WORDS = {"usd": "US dollars", "cny": "yuan", "percent": "% year over year"}


def _tick_decimals(ticks: np.ndarray) -> int:
    """The fewest decimals (at most 3) that write every tick exactly."""
    return next((d for d in range(4) if np.allclose(np.round(ticks, d), ticks, rtol=0, atol=1e-9)), 3)


class _MoneyTicks(Formatter):
    """Tick labels in billions or millions with as many decimals as the ticks' spacing needs, so
    two ticks never read alike ('18.2 bn' and '18.4 bn', not '18 bn' twice). The decimals are
    worked out once for the ticks being labelled (matplotlib passes them all to set_locs first),
    not again for each label: each would ask the locator for the ticks anew."""

    def __init__(self, scale: float, word: str):
        self.scale, self.word = scale, word
        self.decimals: int | None = None

    def set_locs(self, locs) -> None:
        self.decimals = _tick_decimals(np.asarray(locs) / self.scale)

    def __call__(self, value: float, pos: int | None = None) -> str:
        decimals = self.decimals if self.decimals is not None else _tick_decimals(self.axis.get_majorticklocs() / self.scale)
        return f"{value / self.scale:,.{decimals}f} {self.word}"


def _money_scale(rows: pd.DataFrame) -> tuple[float, str]:
    """The scale a panel of money is labelled in: billions when its figures reach a billion."""
    top = rows["value"].abs().max()
    return (1e9, "bn") if top >= 1e9 else (1e6, "m")
