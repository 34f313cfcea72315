"""Claim checks: each section's verdicts as a table, and the pack-wide picture.

The claims are the rows of data/claims.csv, run in its order. A row of a generic kind (direction,
order, bound, sign, not_checkable) is judged by kinds.py from the rows its selectors pick; a row of
kind code by the function of the same name registered with `@check("S1")` in s1.py..s4.py, which
importing them here registers. registry.py imports nothing of this package, so no module imports
back the one that imports it.
"""

from __future__ import annotations

import difflib

import pandas as pd

from helpers import data
from helpers.outputs.checks import s1, s2, s3, s4  # noqa: F401  (importing registers the checks)
from helpers.outputs.checks.kinds import KINDS
from helpers.outputs.checks.registry import _REGISTRY, CONSISTENT, INCONSISTENT, NOT_CHECKABLE, Verdict, check  # noqa: F401
from helpers.outputs.display import Text, table

CLAIMS_FILE = "data/claims.csv"

# run_checks' last results, each with the package it was computed from: the outlook asks for the
# pack-wide verdicts twice (summary, then flagged claims), and each run costs a few hundred ms.
# A result is reused only for the very same loaded package (load_package reloads when a file
# changes) and the same registered checks, so an edited figure or a new check is always run afresh.
_RESULTS: dict[tuple[str | None, str | None], tuple[object, int, pd.DataFrame]] = {}


def run_checks(section: str | None = None, as_of: str | None = None) -> pd.DataFrame:
    """Every claim of data/claims.csv of a section (or all), in its order, as a table of verdicts."""
    package, registered = data.load_package(), sum(map(len, _REGISTRY.values()))
    if section is None:
        # Every section's verdicts, each reused when its section ran already (a kernel that ran
        # other notebooks keeps theirs), in the order of claims.csv.
        claims = package.claims
        parts = [run_checks(sec, as_of) for sec in dict.fromkeys(claims["section"])]
        order = {claim_id: i for i, claim_id in enumerate(claims["id"])}
        result = pd.concat(parts, ignore_index=True) if parts else _run_checks(package, None, as_of)
        return result.sort_values("id", key=lambda ids: ids.map(order), kind="stable").reset_index(drop=True)
    kept = _RESULTS.get((section, as_of))
    if kept is not None and kept[0] is package and kept[1] == registered:
        return kept[2].copy()
    result = _run_checks(package, section, as_of)
    _RESULTS[(section, as_of)] = (package, registered, result)
    return result.copy()


def code_checks(package: data.Package) -> dict[str, object]:
    """The registered check function of every code row of claims.csv, by id. A DataValidationError
    naming data/claims.csv's line when a code row names no registered function, a function is
    registered for another section than its row's, or a registered function has no row."""
    functions = {fn.__name__: (sec, fn) for sec, fns in _REGISTRY.items() for fn in fns}
    claims = package.claims
    problems = []
    found = {}
    # A valid claims.csv holds one record a line (a line break inside a field is refused), so row i is on line i + 2.
    for i, row in enumerate(claims.itertuples(index=False)):
        if row.kind != "code":
            continue
        line = i + 2
        if row.id not in functions:
            close = difflib.get_close_matches(row.id, list(functions), n=1)
            fix = f"did you mean {close[0]!r}? " if close else ""
            fix += f'else write the function `{row.id}` in src/helpers/outputs/checks/{row.section.lower()}.py, decorated with @check("{row.section}")'
            problems.append(data.Problem(CLAIMS_FILE, line, "id", row.id, "the name of a check function registered with @check", fix))
            continue
        registered_for, fn = functions[row.id]
        if registered_for != row.section:
            problems.append(
                data.Problem(
                    CLAIMS_FILE, line, "section", row.section, f'{registered_for}, the section {row.id} is registered for with @check("{registered_for}")'
                )
            )
        found[row.id] = fn
    listed = set(claims.loc[claims["kind"] == "code", "id"])
    for name, (sec, _) in functions.items():
        if name not in listed:
            of_section = [i + 2 for i, s in enumerate(claims["section"]) if s == sec]
            where = f"after line {of_section[-1]}, the last claim of {sec}" if of_section else "where its section's claims go"
            problems.append(
                data.Problem(
                    CLAIMS_FILE,
                    None,
                    None,
                    None,
                    f'a row for the check function {name} (registered with @check("{sec}"))',
                    f"add the row {name},{sec},<paragraphs>,<the claim in own words>,code,article,,,,,, {where}; or delete the function",
                )
            )
    if problems:
        raise data.DataValidationError(problems)
    return found


def _run_checks(package: data.Package, section: str | None, as_of: str | None) -> pd.DataFrame:
    functions = code_checks(package)
    claims = package.claims if section is None else package.claims[package.claims["section"] == section]
    rows = []
    # The checks test the article's claims, so by default (reads=article) they read the rows the
    # article gave: a later quarter added from another publication moves the charts and tables,
    # not the verdicts. A claim that holds the article against the companies' own releases reads
    # every source of its section (reads=all).
    from_article = data.article_sources(package.sources, package.article)
    seen: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}
    for claim in claims.itertuples(index=False):
        if claim.section not in seen:
            every = data.observations(section=claim.section, as_of=as_of, package=package)
            seen[claim.section] = (every, every[every["source_id"].isin(from_article)])
        every, article = seen[claim.section]
        obs = every if claim.reads == "all" else article
        verdict = functions[claim.id](obs) if claim.kind == "code" else KINDS[claim.kind](claim, obs)
        if verdict is not None:
            rows.append({"section": claim.section, "id": claim.id, **verdict.__dict__})
    columns = ["section", "id", "claim", "locator", "article", "recomputed", "verdict", "tolerance"]
    return pd.DataFrame(rows, columns=columns)


def checks_table(section: str, as_of: str | None = None) -> Text:
    result = run_checks(section, as_of).drop(columns=["section", "id"])
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
    flagged = result[result["verdict"] == INCONSISTENT].drop(columns=["verdict", "id"])
    return table(flagged, caption=f"Claims the checks find inconsistent: {len(flagged)} of {len(result)}")
