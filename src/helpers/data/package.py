"""Load the data package and validate it against the one schema in data/datapackage.json.

Every load validates. All problems are collected and raised together in one
``DataValidationError`` whose lines each name the file, the physical line (as an editor numbers
it: blank lines and line breaks inside quotes count), the column, the bad value, what was expected
and, where one is likely, the fix ("did you mean 'shopee'?"), so a user fixes a file in one pass
and never meets a pandas traceback. What may be right but looks like a typing slip (a percent typed
as a fraction) is a warning: kept on the Package, printed by `make validate`, never failing.
Reading one CSV against its schema is reading.py; the rules a schema cannot say are rules.py.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TextIO

import pandas as pd

from helpers.data.problems import DataValidationError, Problem
from helpers.data.reading import _check_foreign_keys, _Distinct, _read_resource
from helpers.data.rules import (
    _check_claims,
    _check_corrections,
    _check_locators,
    _check_observation_rules,
    _check_periods,
    _percent_fraction_warnings,
    _period_table,
)

# The repository's data/ folder; PACK_DATA_DIR points elsewhere (tests, a user's copy).
REPO_DATA_DIR = Path(__file__).resolve().parents[3] / "data"


@dataclass(frozen=True)
class Package:
    """The validated tables. Value columns are float; every other column is str."""

    observations: pd.DataFrame
    events: pd.DataFrame
    metrics: pd.DataFrame
    entities: pd.DataFrame
    markets: pd.DataFrame
    sources: pd.DataFrame
    corrections: pd.DataFrame
    sections: pd.DataFrame
    # One row per checked claim, in the order the checks tables show them; tolerance is float.
    claims: pd.DataFrame
    data_dir: Path = field(compare=False)
    # The source id of the article the pack analyses (datapackage.json's "article"): rows read in
    # it cite its paragraphs, and the claim checks read its rows. Any other source, an article
    # included, is another publication with places of its own.
    article: str = ""
    # Figures that may be right but look like a typing slip; they never fail a load.
    warnings: tuple[Problem, ...] = field(default=(), compare=False)


def data_dir() -> Path:
    return Path(os.environ.get("PACK_DATA_DIR", REPO_DATA_DIR)).resolve()


def load_package(directory: str | Path | None = None) -> Package:
    """Read and validate every resource of the package; cached until a file changes."""
    directory = Path(directory).resolve() if directory else data_dir()
    descriptor = directory / "datapackage.json"
    files = [descriptor] + sorted(directory.glob("*.csv"))
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files if p.exists())
    return _load_package(directory, stamp)


@lru_cache(maxsize=4)
def _load_package(directory: Path, _stamp: tuple) -> Package:
    descriptor_path = directory / "datapackage.json"
    if not descriptor_path.exists():
        raise DataValidationError([Problem(str(descriptor_path), None, None, None, "a datapackage.json describing the data")])
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in descriptor["resources"]}
    article = descriptor.get("article", "")

    problems: list[Problem] = []
    if not article:
        problems.append(
            Problem("data/datapackage.json", None, "article", None, 'a top-level "article": the id in sources.csv of the article the pack analyses')
        )
    tables: dict[str, pd.DataFrame] = {}
    distinct: dict[str, _Distinct] = {}
    for name, resource in resources.items():
        tables[name], found, distinct[name] = _read_resource(directory, resource)
        problems += found
    # Keys are checked only between tables that were read whole.
    for name, resource in resources.items():
        if tables[name] is not None:
            problems += _check_foreign_keys(name, resource, tables, distinct[name])
    # Periods of figures and events are parsed together, once: the checks and views reuse them.
    periods = [distinct[n].values(c) for n, c in (("observations", "period"), ("events", "date")) if distinct.get(n) is not None]
    if periods:
        _period_table(pd.concat(periods))
    if tables.get("observations") is not None:
        problems += _check_observation_rules(resources["observations"]["path"], tables["observations"], distinct["observations"])
        if tables.get("corrections") is not None:
            problems += _check_corrections(resources["corrections"]["path"], tables["corrections"], tables["observations"], distinct["corrections"])
    if tables.get("events") is not None:
        problems += _check_periods(f"data/{resources['events']['path']}", distinct["events"], "date")
    if tables.get("sections") is not None:
        for name in ("observations", "events"):
            if tables.get(name) is not None:
                problems += _check_locators(f"data/{resources[name]['path']}", distinct[name], tables["sections"], tables.get("sources"), article)
    if tables.get("claims") is not None:
        problems += _check_claims(f"data/{resources['claims']['path']}", distinct["claims"], distinct.get("observations"), tables.get("sections"), tables)
        claims = tables["claims"]
        claims["tolerance"] = pd.to_numeric(claims["tolerance"].where(claims["tolerance"] != "", None), errors="coerce").astype(float)
    warnings = []
    if tables.get("observations") is not None and tables.get("metrics") is not None:
        warnings = _percent_fraction_warnings(f"data/{resources['observations']['path']}", distinct["observations"], tables["metrics"])
    if problems:
        # One message per cell, the first found: a value that is not a number is not reported
        # again as a missing figure, nor a malformed period again as an impossible one.
        unique = {(p.file, p.line, p.column): p for p in reversed(problems)}
        raise DataValidationError([p for p in problems if unique[(p.file, p.line, p.column)] is p], warnings)
    tables_of = {name: tables[name] for name in Package.__dataclass_fields__ if name not in ("data_dir", "warnings", "article")}
    return Package(data_dir=directory, article=article, warnings=tuple(warnings), **tables_of)


def print_warnings(pkg: Package, file: TextIO | None = None) -> None:
    """The package's warnings, one a line: figures that may be right but look like a typing slip."""
    for warning in pkg.warnings:
        print(f"warning: {warning}", file=file)
