"""Claim checks: recompute what the article implies and give each claim a verdict.

A check is a plain function registered for its section with `@check("S1")`. It receives the
section's observations (as of the notebook's period) and returns a `Verdict`, or None when the
rows it needs are not in the data as of that period. Verdicts are computed, never typed:
`compare()` decides consistent/inconsistent from the numbers and the declared tolerance.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from helpers import data
from helpers.core.figure import direction, holds, merge_locators
from helpers.display import Text, table
from helpers.formatting import format_observation

CONSISTENT, INCONSISTENT, NOT_CHECKABLE = "consistent", "inconsistent", "not checkable"


@dataclass(frozen=True)
class Verdict:
    claim: str  # own words
    locator: str
    article: str  # the article's figure, as stated
    recomputed: str  # what we get, or why it cannot be had
    verdict: str
    tolerance: str


_REGISTRY: dict[str, list[Callable[[pd.DataFrame], Verdict | None]]] = {}
# Checks that hold the article against other publications (the companies' releases) read every
# row of their section; the others read only the rows the article gave.
_READS_EVERY_SOURCE: set[Callable] = set()


def check(section: str, reads: str = "article"):
    """Register a check of a section. reads='article' (the default) hands it the rows read in the
    article; reads='all' every row of the section, the companies' own figures included."""
    if reads not in ("article", "all"):
        raise ValueError(f"reads={reads!r}: expected 'article' or 'all'")

    def register(fn):
        _REGISTRY.setdefault(section, []).append(fn)
        if reads == "all":
            _READS_EVERY_SOURCE.add(fn)
        return fn

    return register


def compare(article: float, recomputed: float, tolerance: float, relative: bool = False) -> str:
    """consistent when |recomputed - article| <= tolerance (relative: a share of |article|)."""
    if any(x is None or (isinstance(x, float) and math.isnan(x)) for x in (article, recomputed)):
        return NOT_CHECKABLE
    allowed = tolerance * abs(article) if relative else tolerance
    return CONSISTENT if abs(recomputed - article) <= allowed + 1e-12 else INCONSISTENT


def bound_holds(value: float, qualifier: str, low: float | None, high: float | None) -> str:
    """Whether a number satisfies a bound as the source states it (more than, less than, range...),
    as a verdict: the test itself is core.figure.holds."""
    return verdict_of(holds(value, qualifier, low, high))


def verdict_of(ok: bool | None) -> str:
    """True, False or None (no number to judge) as consistent, inconsistent or not checkable."""
    return NOT_CHECKABLE if ok is None else (CONSISTENT if ok else INCONSISTENT)


def direction_verdict(before, after, expected: str) -> str:
    """Whether the change from one stated figure to another goes the way a claim says (UP or DOWN),
    judged on the intervals the figures allow: the same rule that picks a title's verb."""
    return verdict_of(direction(before, after) == expected)


def stated(rows: pd.DataFrame) -> str:
    """The figures of some rows as the source states them, with their periods."""
    return "; ".join(f"{format_observation(r)} ({r['period']})" for _, r in rows.iterrows())


def locators(rows: pd.DataFrame) -> str:
    """The paragraphs some rows cite, in order, once each: 'P10;P12'."""
    return merge_locators(rows["locator"])


def not_checkable(claim: str, rows: pd.DataFrame, reason: str) -> Verdict | None:
    """A claim no offline source can check: said so, with the reason, rather than left out."""
    if rows.empty:
        return None
    return Verdict(claim, locators(rows), stated(rows), reason, NOT_CHECKABLE, "none (nothing to compare with offline)")


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


# Section checks live in helpers/claims_*.py; importing them registers them.
from helpers import claims_s1  # noqa: E402,F401
from helpers import claims_s2, claims_s3, claims_s4, claims_s5  # noqa: E402,F401
