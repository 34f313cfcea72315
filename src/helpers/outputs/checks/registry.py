"""Claim checks: recompute what the article implies and give each claim a verdict.

A claim is a row of data/claims.csv. Most are of a generic kind (kinds.py); a claim that needs code
of its own is a plain function registered for its section with `@check("S1")`, named as its row's
id. It receives the section's observations (as of the notebook's period) and returns a `Verdict`,
or None when the rows it needs are not in the data as of that period. Verdicts are computed, never typed:
`compare()` decides consistent/inconsistent from the numbers and the declared tolerance.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from helpers.core.figure import holds, merge_locators
from helpers.core.formatting import format_observation

CONSISTENT, INCONSISTENT, NOT_CHECKABLE = "consistent", "inconsistent", "not checkable"


@dataclass(frozen=True)
class Verdict:
    claim: str  # own words
    locator: str
    article: str  # the article's figure, as stated
    recomputed: str  # what we get, or why it cannot be had
    verdict: str
    tolerance: str


# The check functions of the claims of kind code, by section, each under its own name: a row of
# data/claims.csv with kind code and the function's name as its id says where it runs, and
# whether it reads every source (reads=all) or only the article's rows.
_REGISTRY: dict[str, list[Callable[[pd.DataFrame], Verdict | None]]] = {}


def check(section: str) -> Callable[[Callable], Callable]:
    """Register a check of a section, run for the row of data/claims.csv whose id is its name."""

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
    """Whether a number satisfies a bound as the source states it (more than, less than, range...),
    as a verdict: the test itself is core.figure.holds."""
    return verdict_of(holds(value, qualifier, low, high))


def verdict_of(ok: bool | None) -> str:
    """True, False or None (no number to judge) as consistent, inconsistent or not checkable."""
    return NOT_CHECKABLE if ok is None else (CONSISTENT if ok else INCONSISTENT)


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
