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
from helpers.display import Text, table

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


def check(section: str):
    def register(fn):
        _REGISTRY.setdefault(section, []).append(fn)
        return fn

    return register


def compare(article: float, recomputed: float, tolerance: float, relative: bool = False) -> str:
    """consistent when |recomputed - article| <= tolerance (relative: a share of |article|)."""
    if any(x is None or (isinstance(x, float) and math.isnan(x)) for x in (article, recomputed)):
        return NOT_CHECKABLE
    allowed = tolerance * abs(article) if relative else tolerance
    return CONSISTENT if abs(recomputed - article) <= allowed + 1e-12 else INCONSISTENT


def bound_holds(value: float, qualifier: str, low: float | None, high: float | None) -> str:
    """Whether a number satisfies a bound as the source states it (more than, less than, range...)."""
    if value is None or math.isnan(value):
        return NOT_CHECKABLE
    tests = {
        "more_than": lambda: value > low,
        "at_least": lambda: value >= low,
        "less_than": lambda: value < high,
        "at_most": lambda: value <= high,
        "nearly": lambda: value <= high,
        "range": lambda: low <= value <= high,
    }
    if qualifier not in tests:
        raise ValueError(f"{qualifier!r} is not a bound qualifier")
    return CONSISTENT if tests[qualifier]() else INCONSISTENT


def run_checks(section: str | None = None, as_of: str | None = None) -> pd.DataFrame:
    """Every registered check of a section (or all), as a table of verdicts."""
    sections = [section] if section else sorted(_REGISTRY)
    rows = []
    for sec in sections:
        obs = data.observations(section=sec, as_of=as_of)
        for fn in _REGISTRY.get(sec, []):
            verdict = fn(obs)
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


# Section checks live in helpers/claims_*.py; importing them registers them.
from helpers import claims_s1  # noqa: E402,F401
