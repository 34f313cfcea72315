"""Claim checks: each section's verdicts as a table, and the pack-wide picture.

The checks themselves live in s1.py..s5.py, registered for their section with
`@check("S1")` from registry.py; importing them here registers them. registry.py imports nothing
of this package, so no module imports back the one that imports it.
"""

from __future__ import annotations

import pandas as pd

from helpers import data
from helpers.outputs.checks import s1, s2, s3, s4, s5  # noqa: F401  (importing registers the checks)
from helpers.outputs.checks.registry import _READS_EVERY_SOURCE, _REGISTRY, CONSISTENT, INCONSISTENT, NOT_CHECKABLE, Verdict, check  # noqa: F401
from helpers.outputs.display import Text, table

# run_checks' last results, each with the package it was computed from: the outlook asks for the
# pack-wide verdicts twice (summary, then flagged claims), and each run costs a few hundred ms.
# A result is reused only for the very same loaded package (load_package reloads when a file
# changes) and the same registered checks, so an edited figure or a new check is always run afresh.
_RESULTS: dict[tuple[str | None, str | None], tuple[object, int, pd.DataFrame]] = {}


def run_checks(section: str | None = None, as_of: str | None = None) -> pd.DataFrame:
    """Every registered check of a section (or all), as a table of verdicts."""
    package, registered = data.load_package(), sum(map(len, _REGISTRY.values()))
    kept = _RESULTS.get((section, as_of))
    if kept is not None and kept[0] is package and kept[1] == registered:
        return kept[2].copy()
    result = _run_checks(section, as_of)
    _RESULTS[(section, as_of)] = (package, registered, result)
    return result.copy()


def _run_checks(section: str | None, as_of: str | None) -> pd.DataFrame:
    sections = [section] if section else sorted(_REGISTRY)
    rows = []
    # The checks test the article's claims, so they read the rows the article gave: a later
    # quarter added from another publication moves the charts and tables, not the verdicts.
    package = data.load_package()
    from_article = data.article_sources(package.sources, package.article)
    for sec in sections:
        every = data.observations(section=sec, as_of=as_of)
        article = every[every["source_id"].isin(from_article)]
        for fn in _REGISTRY.get(sec, []):
            verdict = fn(every if fn in _READS_EVERY_SOURCE else article)
            if verdict is not None:
                rows.append({"section": sec, **verdict.__dict__})
    columns = ["section", "claim", "locator", "article", "recomputed", "verdict", "tolerance"]
    return pd.DataFrame(rows, columns=columns)


def checks_table(section: str, as_of: str | None = None) -> Text:
    result = run_checks(section, as_of).drop(columns="section")
    return table(result, caption=f"Checks of section {section}: " + _count(result))


def _count(result: pd.DataFrame) -> str:
    counts = result["verdict"].value_counts()
    return ", ".join(f"{counts.get(v, 0)} {v}" for v in (CONSISTENT, INCONSISTENT, NOT_CHECKABLE))


def summary_table(as_of: str | None = None) -> Text:
    """The pack-wide picture: per section, its figures in data/ and its checks counted by verdict.

    Every section of data/sections.csv gets a row, so a section without checks shows 0 rather
    than vanishing; the counts are computed from run_checks() and the data, never typed."""
    result = run_checks(as_of=as_of)
    figures = data.observations(as_of=as_of)["section"].value_counts()
    rows = []
    for sec in data.load_package().sections.itertuples():
        verdicts = result.loc[result["section"] == sec.id, "verdict"].value_counts()
        rows.append(
            {
                "section": sec.id,
                "title": sec.title,
                "figures": int(figures.get(sec.id, 0)),
                "checks": int(verdicts.sum()),
                **{v: int(verdicts.get(v, 0)) for v in (CONSISTENT, INCONSISTENT, NOT_CHECKABLE)},
            }
        )
    return table(pd.DataFrame(rows), caption="Checks of the whole pack: " + _count(result))


def flagged_table(as_of: str | None = None) -> Text:
    """Pack-wide: every claim a check finds inconsistent, with the reason it gives."""
    result = run_checks(as_of=as_of)
    flagged = result[result["verdict"] == INCONSISTENT].drop(columns="verdict")
    return table(flagged, caption=f"Claims the checks find inconsistent: {len(flagged)} of {len(result)}")
