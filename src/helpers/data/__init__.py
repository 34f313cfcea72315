"""The data package: load and validate it (package.py, reading.py, rules.py) and the views the
notebooks read (views.py). `python -m helpers.data` validates data/ (make validate).

Layers: helpers.core (what a figure states, periods, words) -> helpers.data -> helpers.views ->
helpers.outputs -> helpers.pack. A module imports only from its own layer or those before it.
"""

from __future__ import annotations

from helpers.data.package import REPO_DATA_DIR, Package, data_dir, load_package, print_warnings
from helpers.data.problems import DataValidationError, Problem
from helpers.data.rules import ARTICLE_LOCATOR, CLAIM_NEEDS, Selector, article_sources, parse_literal_bound, parse_selector
from helpers.data.views import article_date, events, observations, source_citations

__all__ = [
    "ARTICLE_LOCATOR",
    "CLAIM_NEEDS",
    "REPO_DATA_DIR",
    "DataValidationError",
    "Package",
    "Problem",
    "Selector",
    "article_date",
    "article_sources",
    "data_dir",
    "events",
    "load_package",
    "observations",
    "parse_literal_bound",
    "parse_selector",
    "print_warnings",
    "source_citations",
]
