"""The house style: one theme call, one colour per entity, and one call that finishes a chart.

Like bbplot's two calls: `apply_theme()` once per notebook, `finish(...)` on every chart, which
writes the title, the subtitle and a "Source:" footer built from the rows plotted.
"""

from __future__ import annotations

import textwrap

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from helpers.core.figure import merge_locators

# seaborn's colour-blind-safe palette; each platform keeps its colour in every notebook.
_CB = sns.color_palette("colorblind").as_hex()
ENTITY_COLOURS = {
    "amazon": _CB[1],
    "temu": _CB[3],
    "shein": _CB[2],
    "aliexpress": _CB[4],
    "tiktok-shop": _CB[0],
    "shopee": _CB[9],
    "ebay": _CB[5],
    "pdd-holdings": "#6a3d9a",  # a purple apart from the palette: its yellow is faint on white
    "aidc": _CB[6],
    "instagram": "#b0457f",
    "facebook": "#3b5998",
    "global-ecommerce": "#222222",
}
MARKET_COLOURS = {"USA": _CB[0], "EA": _CB[2], "GBR": _CB[4], "FRA": _CB[9], "BRA": _CB[2], "KOR": _CB[6], "SEA": _CB[1]}
NEUTRAL = _CB[7]
FIGSIZE = (8.0, 4.6)
# Characters of the 8-point footer a line holds per inch of figure width (128 on a chart 8 in wide).
FOOTER_CHARS_PER_INCH = 16


def apply_theme() -> None:
    """Seaborn's white grid with fixed sizes, so every chart renders the same, byte for byte."""
    sns.set_theme(style="whitegrid", context="notebook", font_scale=0.95)
    mpl.rcParams.update(
        {
            "figure.figsize": FIGSIZE,
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "font.family": "DejaVu Sans",
            "axes.titlelocation": "left",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.edgecolor": "#888888",
            "grid.color": "#e3e3e3",
            "svg.hashsalt": "crossborder-pack",
            # '$0.84 to $1.12' is two prices, not mathematics (helpers.outputs.charts sets it per chart too).
            "text.parse_math": False,
        }
    )


def colour_for(key: str) -> str:
    """The colour of an entity id (or, for economies, a market code); grey for the rest."""
    return ENTITY_COLOURS.get(key) or MARKET_COLOURS.get(key) or NEUTRAL


# Past this many publications a footer names each publisher once, with its count: a chart of
# twelve quarters of releases read on a dozen sites would otherwise carry a paragraph of sources.
MAX_FOOTER_SOURCES = 6


def source_line(rows: pd.DataFrame) -> str:
    """'Source: A via B (2026-02-04), P08, P09; C, P12', from the citation and locator columns; for
    rows from many publications, 'Source: Amazon.com, Inc. (13 releases); ...' with the places
    left to the chart's data and the figures table."""
    parts = []
    groups = rows.groupby("citation", sort=True)
    if groups.ngroups > MAX_FOOTER_SOURCES:
        publishers = rows["citation"].str.replace(r" via .*$| \(\d{4}-\d{2}-\d{2}\)$", "", regex=True)
        by_publisher = rows.assign(publisher=publishers).groupby("publisher", sort=True)
        named = [f"{p} ({g['source_id'].nunique()} publications)" if g["source_id"].nunique() > 1 else g["citation"].iat[0] for p, g in by_publisher]
        return "Source: " + "; ".join(named) + ". Each figure's publication, the copy read and its place: the chart's data and the figures table."
    for citation, group in groups:
        places = merge_locators(group.get("locator", pd.Series(dtype=str)).dropna()).replace(";", ", ")
        parts.append(citation + (", " + places if places else ""))
    return "Source: " + "; ".join(parts)


def finish(fig: plt.Figure, title: str, subtitle: str, rows: pd.DataFrame, note: str | None = None) -> None:
    """Title (the finding), subtitle (unit and period) and the Source footer from the rows plotted."""
    fig.suptitle(title, x=0.01, y=0.99, ha="left", va="top", fontsize=13, fontweight="bold")
    fig.text(0.01, 0.915, subtitle, ha="left", va="top", fontsize=10, color="#444444")
    footer = source_line(rows)
    if note:
        footer = note + "\n" + footer
    # Wrapped here, not by matplotlib (wrap=True): its measuring pass reads a line holding two '$'
    # as mathematics, whatever text.parse_math says, and fails on a footer like '$1 ... $2'.
    width = round(FOOTER_CHARS_PER_INCH * fig.get_size_inches()[0])
    footer = "\n".join(textwrap.fill(line, width) for line in footer.splitlines())
    fig.text(0.01, 0.01, footer, ha="left", va="bottom", fontsize=8, color="#555555")
    bottom = 0.17 if note else 0.12
    fig.subplots_adjust(top=0.83, bottom=bottom, left=0.1, right=0.97)
