"""`make quarter Q=2026Q1`: check the quarter, then list the series that have no figure for it yet.

    python -m helpers.pack.quarter check 2026Q1     # one-line error and exit 2 unless Q is a quarter
    python -m helpers.pack.quarter missing 2026Q1   # the series (per notebook) with no figure for Q

A series is one entity, market, segment and metric (as in "What to watch next quarter"). It has a
figure for a quarter when one of its rows has a period that ends inside that quarter (2026Q1,
2026-02, 2026-03-31, 2025-06/2026-02 ...). The notebooks themselves are rendered by
helpers.pack.runner --as-of Q --out reports/Q.
"""

from __future__ import annotations

import re
import sys

import pandas as pd

from helpers import data
from helpers.core.periods import period_bounds
from helpers.data import DataValidationError, Package
from helpers.outputs.watch import SERIES as SERIES_OF_ROWS
from helpers.outputs.watch import watch_list

QUARTER = re.compile(r"\d{4}Q[1-4]")
SERIES_COLUMNS = ["entity", "market", "segment", "metric"]  # SERIES_OF_ROWS as watch_list() names them


def parse_quarter(text: str | None) -> str:
    """The quarter itself, or ValueError with a one-line message saying what a quarter looks like."""
    text = (text or "").strip()
    if not text:
        raise ValueError("give the quarter to render as Q=YYYYQn, e.g. make quarter Q=2026Q1")
    if not QUARTER.fullmatch(text):
        raise ValueError(f"Q={text} is not a quarter: expected a year and Q1 to Q4, e.g. 2026Q1")
    return text


def coverage(quarter: str, package: Package | None = None) -> pd.DataFrame:
    """Every series in the data as of the quarter, with its notebook and whether it has a figure for it.

    Columns: section, notebook, entity, market, segment, metric, latest period, latest figure,
    next period to add, latest row (its id in observations.csv), has figure (bool).
    """
    quarter = parse_quarter(quarter)
    first, last = period_bounds(quarter)
    pkg = package or data.load_package()
    obs = data.observations(as_of=quarter, package=pkg)
    notebooks = pkg.sections.set_index("id")["notebook"]
    frames = []
    for section, rows in obs.groupby("section", sort=True):
        listed = watch_list(rows)
        # The id of each series' latest row, so a user can find the row to copy in observations.csv.
        latest = rows.sort_values(["end", "start", "id"], kind="stable").groupby(SERIES_OF_ROWS, sort=False, dropna=False).tail(1)
        latest_id = dict(zip(zip(*(latest[c] for c in SERIES_OF_ROWS)), latest["id"]))
        in_quarter = rows[(rows["end"] >= first) & (rows["end"] <= last)]
        covered = set(zip(*(in_quarter[c] for c in SERIES_OF_ROWS)))
        keys = list(zip(*(listed[c] for c in SERIES_COLUMNS)))
        listed.insert(0, "notebook", notebooks.get(section, ""))
        listed.insert(0, "section", section)
        listed["latest row"] = [latest_id[key] for key in keys]
        listed["has figure"] = [key in covered for key in keys]
        frames.append(listed)
    columns = ["section", "notebook", *SERIES_COLUMNS, "latest period", "latest figure", "next period to add", "latest row", "has figure"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def missing_report(quarter: str, package: Package | None = None) -> str:
    """The text `make quarter` prints: how many series lack a figure for Q, then each, by notebook."""
    table = coverage(quarter, package)
    missing = table[~table["has figure"]]
    head = f"As of {quarter}: {len(table) - len(missing)} of {len(table)} series have a figure for {quarter}; {len(missing)} have no figure for {quarter} yet"
    if missing.empty:
        return head + "."
    lines = [head + " (add their rows as UPDATING.md explains):"]
    shown = ["entity", "market", "segment", "metric", "latest period", "next period to add", "latest row"]
    for (section, notebook), rows in missing.groupby(["section", "notebook"], sort=True):
        lines.append("")
        lines.append(f"{notebook or 'no notebook'} (section {section}): {len(rows)} series with no figure for {quarter}")
        lines.extend("  " + line for line in rows[shown].to_string(index=False).splitlines())
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] not in ("check", "missing"):
        print("usage: python -m helpers.pack.quarter check|missing YYYYQn", file=sys.stderr)
        return 2
    command, value = args[0], (args[1] if len(args) > 1 else "")
    try:
        quarter = parse_quarter(value)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if command == "missing":
        try:
            print(missing_report(quarter))
        except DataValidationError as exc:
            print(exc, file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
