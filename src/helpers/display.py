"""Text outputs that nbval can compare: findings and tables as Markdown with a plain-text twin.

A bare IPython Markdown object shows nbval only '<IPython.core.display.Markdown object>'; these
objects carry the same text in text/plain, so a changed figure fails the test run.
"""

from __future__ import annotations

import pandas as pd


class Text:
    def __init__(self, markdown: str, plain: str | None = None):
        self.markdown = markdown
        self.plain = plain if plain is not None else markdown

    def _repr_markdown_(self) -> str:
        return self.markdown

    def __repr__(self) -> str:
        return self.plain


def bullets(lines: list[str], heading: str | None = None) -> Text:
    body = "\n".join(f"- {line}" for line in lines)
    head = f"**{heading}**\n\n" if heading else ""
    return Text(head + body, (heading + "\n" if heading else "") + body)


def _cell(value) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return text.replace("|", "\\|")


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
        markdown = f"*{caption}*\n\n{markdown}"
        plain = f"{caption}\n{plain}"
    return Text(markdown, plain)


def figures_table(obs: pd.DataFrame, caption: str = "Figures of this section") -> Text:
    """Every observation row as stored, with the figure as stated: the section's checkable record."""
    from helpers.formatting import format_observation

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
            "as stated": [format_observation(r) for _, r in obs.iterrows()],
            "value": obs["value"].map(raw),
            "low": obs["value_low"].map(raw),
            "high": obs["value_high"].map(raw),
            "status": obs["status"],
            "source": obs["citation"],
            "at": obs["locator"],
        }
    )
    return table(shown, caption=caption)
