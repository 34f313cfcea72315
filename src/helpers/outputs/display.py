"""Text outputs that nbval can compare: findings and tables as Markdown with a plain-text twin.

A bare IPython Markdown object shows nbval only '<IPython.core.display.Markdown object>'; these
objects carry the same text in text/plain, so a changed figure fails the test run.

Text from data is shown as text. Every text these helpers are given (a bullet, a heading, a
caption, a table cell, a column name) is plain text, never Markdown: `escape()` makes it Markdown
that renders exactly that text, in JupyterLab and on the site alike. The rule, one pass per text:

- `&`, `<`, `>` become `&amp;`, `&lt;`, `&gt;`: no raw HTML, no autolink `<...>`, no entity read;
- `\\` `` ` `` `*` `_` `[` `]` `~` `|` `$` get a backslash (CommonMark shows any escaped ASCII
  punctuation as itself): no code span, emphasis, link or image, strikethrough, table cell break,
  task box or maths;
- a line break becomes a space: a text never ends its table row or list item;
- at the start of a line (a bullet's text) a `#`, `+` or `-`, or the `.`/`)` after leading
  digits, also gets a backslash: a text never opens a heading or a list of its own.

Only the helpers' own structure (list markers, the bold heading, the italic caption, table pipes)
is Markdown. The plain-text twin (text/plain, what nbval compares) is the text unescaped.
"""

from __future__ import annotations

import re

import pandas as pd

from helpers.core.formatting import format_observations

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_INLINE = re.compile(r"[\\`*_\[\]~|$&<>]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# What would open a block where a text starts a line: a heading or a list of its own.
_BLOCK_START = re.compile(r"^([#+\-])|^(\d+)([.)])")


def escape(text: object, line_start: bool = False) -> str:
    """A text from data as Markdown that shows exactly that text (the rule: module docstring)."""
    text = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
    text = _LINE_BREAK.sub(" ", text)
    text = _INLINE.sub(lambda m: _ENTITIES.get(m.group(), "\\" + m.group()), text)
    if line_start:
        text = text.lstrip()  # leading spaces would open an indented code block
        text = _BLOCK_START.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), text, count=1)
    return text


class Text:
    """Markdown (already escaped: build it with the functions below) and its plain-text twin."""

    def __init__(self, markdown: str, plain: str | None = None):
        self.markdown = markdown
        self.plain = plain if plain is not None else markdown

    def _repr_markdown_(self) -> str:
        return self.markdown

    def __repr__(self) -> str:
        return self.plain


def bullets(lines: list[str], heading: str | None = None) -> Text:
    """Lines of plain text (figures and names from data included) as a Markdown list."""
    body = "\n".join(f"- {escape(line, line_start=True)}" for line in lines)
    head = f"**{escape(heading)}**\n\n" if heading else ""
    plain = "\n".join(f"- {line}" for line in lines)
    return Text(head + body, (heading + "\n" if heading else "") + plain)


def _cell(value) -> str:
    return escape(value)


def table(df: pd.DataFrame, caption: str | None = None) -> Text:
    """A DataFrame as a Markdown table (rendered on the page) and as aligned text (compared by nbval)."""
    header = "| " + " | ".join(_cell(c) for c in df.columns) + " |"
    rule = "| " + " | ".join("---" for _ in df.columns) + " |"
    rows = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    markdown = "\n".join([header, rule, *rows])
    plain = df.to_string(index=False) if len(df) else "(no rows)"
    if not len(df):
        markdown = "_(no rows)_"
    if caption:
        markdown = f"*{escape(caption)}*\n\n{markdown}"
        plain = f"{caption}\n{plain}"
    return Text(markdown, plain)


def figures_table(obs: pd.DataFrame, caption: str = "Figures of this section") -> Text:
    """Every observation row as stored, with the figure as stated: the section's checkable record."""

    def raw(x) -> str:
        return "" if pd.isna(x) else f"{x:.15g}"

    shown = pd.DataFrame(
        {
            "id": obs["id"],
            "entity": obs["entity_label"],
            "market": obs["market"],
            "segment": obs["segment"],
            "metric": obs["metric_label"],
            "period": obs["period"],
            "as stated": format_observations(obs),
            "value": obs["value"].map(raw),
            "low": obs["value_low"].map(raw),
            "high": obs["value_high"].map(raw),
            "status": obs["status"],
            "source": obs["citation"],
            "at": obs["locator"],
        }
    )
    return table(shown, caption=caption)


def events_table(ev: pd.DataFrame, caption: str = "Events of this section") -> Text:
    """Every event row (a dated fact without a quantity), oldest first, undated ones last and marked so."""
    ordered = ev.sort_values(["start", "id"], kind="stable", na_position="last")
    shown = pd.DataFrame(
        {
            "id": ordered["id"],
            "date": ordered["date"].replace("", "undated"),
            "entity": ordered["entity_label"],
            "market": ordered["market"],
            "kind": ordered["kind"].str.replace("_", " "),
            "what happened": ordered["description"],
            "source": ordered["citation"],
            "at": ordered["locator"],
        }
    )
    return table(shown, caption=caption)


def facts_table(obs: pd.DataFrame, caption: str | None = None, events: pd.DataFrame | None = None) -> Text:
    """A compact table of figures as stated, for a question a chart cannot answer well (figures
    of different units or scales side by side). Rows with status 'implied' are values computed
    in the notebook from stated figures, never stored in data/. `events` adds the dated facts
    that go with the figures, one line each, with what happened in place of a figure."""
    what = obs["metric_label"] + obs["segment"].map(lambda s: f" ({s})" if s else "")
    shown = pd.DataFrame(
        {
            "entity": obs["entity_label"],
            "market": obs["market"],
            "what": what,
            "period": obs["period"],
            "figure": format_observations(obs),
            "status": obs["status"],
            "at": obs["locator"],
            "id": obs["id"],
        }
    )
    if events is not None and len(events):
        happened = pd.DataFrame(
            {
                "entity": events["entity_label"],
                "market": events["market"],
                "what": events["kind"].str.replace("_", " "),
                "period": events["date"].replace("", "undated"),
                "figure": events["description"],
                "status": "event",
                "at": events["locator"],
                "id": events["id"],
            }
        )
        shown = pd.concat([shown, happened], ignore_index=True)
    return table(shown, caption=caption)
