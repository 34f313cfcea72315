"""The pack's own rules, which a table schema cannot say: periods, locators, qualifiers and their value columns, corrections, and the warning for a percent typed as a fraction."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from helpers.core.figure import BOUNDS, QUALIFIER_FILLS, VALUE_COLUMNS
from helpers.core.periods import parse_periods
from helpers.data.problems import Problem
from helpers.data.reading import _did_you_mean, _Distinct, _near_miss

# --- rules a table schema cannot say ---------------------------------------------------------

_PERIODS: pd.DataFrame | None = None  # every period text parsed so far in this process, by text


def _period_table(texts) -> pd.DataFrame:
    """start, end and period_kind of distinct period texts, indexed by text. parse_periods runs once
    per text per process: a million rows share a few dozen periods, and validation, then
    observations() and events() ask for the same ones."""
    global _PERIODS
    texts = pd.Index(texts, dtype="str").unique()
    new = texts if _PERIODS is None else texts[~texts.isin(_PERIODS.index)]
    if _PERIODS is None or len(new):
        parsed = parse_periods(pd.Series(new, dtype="str")).set_axis(new)
        _PERIODS = parsed if _PERIODS is None else pd.concat([_PERIODS, parsed])
    return _PERIODS.loc[texts]


def _parse_periods(periods: pd.Series) -> pd.DataFrame:
    """parse_periods(periods), each distinct text parsed once (see _period_table)."""
    codes, uniques = pd.factorize(periods)
    return _period_table(uniques).take(codes).set_axis(periods.index)


def _check_periods(fname: str, distinct: _Distinct, column: str) -> list[Problem]:
    values = distinct.values(column)
    bad = distinct.rows(column, (values != "") & _period_table(values)["start"].isna().to_numpy())
    df = distinct.df
    problems = []
    fixes: dict[str, str | None] = {}
    for i in np.flatnonzero(bad):
        value = df[column].iat[i]
        if value not in fixes:
            fixes[value] = _did_you_mean(_swapped_interval(value))
        problems.append(
            Problem(fname, distinct.line(i), column, value, "a period: 2025, 2025Q4, 2022-06, 2025-12-12, or start/end with start before end", fixes[value])
        )
    return problems


def _swapped_interval(text: str) -> str | None:
    """'2021/2025' for '2025/2021': an interval typed end first."""
    parts = text.split("/")
    if len(parts) != 2:
        return None
    swapped = f"{parts[1]}/{parts[0]}"
    return swapped if pd.notna(_period_table([swapped])["start"].iat[0]) else None


ARTICLE_LOCATOR = re.compile(r"P\d{2}(;P\d{2})*")


def article_sources(sources: pd.DataFrame, article: str) -> set[str]:
    """Sources read in the analysed article: the article itself, and what it reports second-hand
    (via). Another article, or a company release read through a republication, is not among them."""
    return {article} | {source for source, via in zip(sources["id"].tolist(), sources["via"].tolist()) if via == article}


def _check_locators(fname: str, distinct: _Distinct, sections: pd.DataFrame, sources: pd.DataFrame | None, article: str) -> list[Problem]:
    """A figure read in the article cites paragraphs of its own section (S3 spans P19..P31, say);
    a figure from another publication cites that publication's own place (a table, a page)."""
    spans = _paragraph_spans(sections)
    article = article_sources(sources, article) if sources is not None else set()
    df = distinct.df
    # Each distinct (section, locator, source) triple is judged once; its rows share the verdict.
    sections_of, locators_of, sources_of = (distinct.values(c).tolist() for c in ("section", "locator", "source_id"))
    n_loc, n_src = len(locators_of), len(sources_of)
    triple = (distinct.codes("section") * n_loc + distinct.codes("locator")) * n_src + distinct.codes("source_id")
    triples, triple_codes = np.unique(triple, return_inverse=True)
    expected = {}
    for code, key in enumerate(triples.tolist()):
        section = sections_of[key // (n_loc * n_src)]
        locator = locators_of[(key // n_src) % n_loc]
        source = sources_of[key % n_src]
        if not locator or source not in article:
            continue
        if not ARTICLE_LOCATOR.fullmatch(locator):
            expected[code] = "article paragraphs such as P08 or P08;P13 (the source is read in the article)"
        elif section in spans:
            lo, hi = spans[section]
            if not all(lo <= p <= hi for p in locator.split(";")):
                expected[code] = f"paragraphs of section {section} ({lo} to {hi})"
    problems = []
    if expected:
        for idx in np.flatnonzero(np.isin(triple_codes, list(expected))):
            problems.append(Problem(fname, distinct.line(idx), "locator", df["locator"].iat[idx], expected[triple_codes[idx]]))
    return problems


def _paragraph_spans(sections: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Each section's first and last paragraph, by id (the first row of an id, as .at reads it)."""
    spans: dict[str, tuple[str, str]] = {}
    for section, first, last in zip(*(sections[c].tolist() for c in ("id", "first_paragraph", "last_paragraph"))):
        spans.setdefault(section, (first, last))
    return spans


def _check_observation_rules(path: str, obs: pd.DataFrame, distinct: _Distinct) -> list[Problem]:
    fname = f"data/{path}"
    problems = _check_periods(fname, distinct, "period")
    filled = {col: obs[col].notna().to_numpy() for col in VALUE_COLUMNS}
    qualifiers = distinct.values("qualifier").to_numpy()
    for qualifier, fills in QUALIFIER_FILLS.items():
        rows = (qualifiers == qualifier)[distinct.codes("qualifier")]
        for col in VALUE_COLUMNS:
            must = col in fills
            wrong = rows & (filled[col] != must)
            for idx in np.flatnonzero(wrong):
                if must:
                    expected = f"a number: qualifier '{qualifier}' states its figure in {' and '.join(sorted(fills))}"
                    value = ""
                else:
                    expected = f"an empty cell: qualifier '{qualifier}' fills only {' and '.join(sorted(fills))}"
                    value = f"{obs[col].iat[idx]:.15g}"
                problems.append(Problem(fname, distinct.line(idx), col, value, expected))
    inverted = filled["value_low"] & filled["value_high"] & (obs["value_low"] > obs["value_high"]).to_numpy()
    for idx in np.flatnonzero(inverted):
        problems.append(
            Problem(
                fname,
                distinct.line(idx),
                "value_low",
                f"{obs['value_low'].iat[idx]:g}",
                f"a low bound no higher than value_high ({obs['value_high'].iat[idx]:g})",
            )
        )
    return problems


# A percent typed as a fraction (0.284 for 28.4) is suspected when the row's other figures of the
# same series (entity, market, segment, metric) are typically above this many percent ...
FRACTION_SERIES_MEDIAN = 5.0
# ... and a hundred times the figure lies within this factor of their smallest and largest.
FRACTION_RANGE_FACTOR = 3.0


def _combined(key: np.ndarray, size: int, columns: list[tuple[np.ndarray, int]]) -> np.ndarray:
    """One int64 code per row for `key` (codes below `size`) and each (codes, how many) in
    `columns` together, refactorized whenever the product of their counts could overflow."""
    for codes, count in columns:
        if size * max(count, 1) >= 2**62:
            key = pd.factorize(key)[0].astype(np.int64)
            size = int(key.max()) + 1
        key, size = key * max(count, 1) + codes, size * max(count, 1)
    return key


def _percent_fraction_warnings(fname: str, distinct: _Distinct, metrics: pd.DataFrame) -> list[Problem]:
    """A warning for each figure of a percent metric between -1 and 1 (0.088) whose series' other
    figures are typically above 5 (17.1 and 10) and bracket a hundred times it (8.8): the figure
    was likely typed as a fraction. It may be right (growth can fall below 1%), so it never fails.

    A series is the rows of one entity, market, segment and metric. Its other figures are those of
    at least 1 in size (every value column of every row), so two slips in one series do not vouch
    for each other; a series with no such figure is not judged. All in numpy, on the rows that may
    share a series with a figure below 1 (none, usually: then nothing is grouped at all)."""
    obs = distinct.df
    if obs.empty:
        return []
    units = metrics.drop_duplicates("id").set_index("id")["unit"]
    percent = distinct.rows("metric", distinct.values("metric").map(units).eq("percent"))
    signed = obs[list(VALUE_COLUMNS)].to_numpy(dtype=float)
    figures = np.abs(signed)
    small = (figures > 0) & (figures < 1) & percent[:, None]
    suspects = small.any(axis=1)
    if not suspects.any():
        return []
    # Narrowed first on the columns already factorized; the free-text segment only on what is left.
    narrow = _combined(np.zeros(len(obs), dtype=np.int64), 1, [(distinct.codes(c), len(distinct.values(c))) for c in ("entity", "market", "metric")])
    (judged,) = np.nonzero(percent & np.isin(narrow, narrow[suspects]))
    segment_codes, segments = pd.factorize(obs["segment"].take(judged).to_numpy())
    series = _combined(narrow[judged], int(narrow.max()) + 1, [(segment_codes, len(segments))])
    sizes, small = figures[judged], small[judged]
    others = sizes >= 1  # NaN (an empty cell) compares False
    stats = (
        pd.DataFrame({"series": np.broadcast_to(series[:, None], sizes.shape)[others], "size": sizes[others]})
        .groupby("series")["size"]
        .agg(["median", "min", "max"])
    )
    rows, cols = np.nonzero(small)
    found = stats.reindex(series[rows])
    hundredfold = sizes[rows, cols] * 100
    suspect = (
        (found["median"] > FRACTION_SERIES_MEDIAN)
        & (hundredfold >= found["min"] / FRACTION_RANGE_FACTOR)
        & (hundredfold <= found["max"] * FRACTION_RANGE_FACTOR)
    ).to_numpy()
    rows, cols = judged[rows[suspect]], cols[suspect]
    values = signed[rows, cols]
    names = zip(*(obs[c].take(rows).tolist() for c in ("entity", "market", "segment", "metric")))
    warnings = []
    for row, col, value, name, low, high in zip(rows, cols, values, names, found["min"].to_numpy()[suspect], found["max"].to_numpy()[suspect]):
        column = VALUE_COLUMNS[col]
        named = ", ".join(v for v in name if v)
        span = f"{low:g}" if low == high else f"from {low:g} to {high:g}"
        warnings.append(
            Problem(
                fname,
                distinct.line(row),
                column,
                f"{value:.15g}",
                "",
                f"a percent typed as a fraction? The other figures of this series ({named}) lie {span}: "
                f"write {value * 100:.10g} if {value * 100:.10g}% is meant; leave {value:.15g} if {value:.15g}% is right (this is only a warning)",
            )
        )
    return warnings


def _check_corrections(path: str, corrections: pd.DataFrame, obs: pd.DataFrame, distinct: _Distinct) -> list[Problem]:
    """The latest correction of a field must match the data: the reason cannot drift from the value."""
    fname = f"data/{path}"
    problems = []
    if corrections.empty:
        return problems
    latest = corrections.sort_values("corrected_on", kind="stable").drop_duplicates(["observation_id", "field"], keep="last")
    # Only the corrected rows: indexing a million ids to look up a handful costs a tenth of a second.
    current = obs[obs["id"].isin(latest["observation_id"])].set_index("id")
    for idx, observation_id, field, new in zip(latest.index, *(latest[c].tolist() for c in ("observation_id", "field", "new_value"))):
        if observation_id not in current.index:
            continue  # reported by the foreign-key check
        now = current.at[observation_id, field]
        now_text = "" if pd.isna(now) else (f"{now:g}" if isinstance(now, float) else str(now))
        same = now_text == new
        if not same and isinstance(now, float) and new:
            try:
                same = float(new) == now
            except ValueError:
                same = False
        if not same:
            problems.append(
                Problem(
                    fname,
                    distinct.line(idx),
                    "new_value",
                    new,
                    f"the current {field} of {observation_id} in observations.csv ({now_text or 'empty'})",
                )
            )
    return problems


# --- claims.csv: selectors and what each kind of claim needs -----------------------------------

# The columns a selector may pick observations by, and the key that picks first, latest or all.
SELECTOR_KEYS = ("metric", "entity", "market", "segment", "qualifier", "status", "period_kind")
WHICH = ("first", "latest", "all")
WHICH_KINDS = ("order", "bound")  # the kinds that read one row of a selector unless which=all
# The vocabularies of the selector keys that say how a figure is stated rather than what it is about.
STATED_AS = {"qualifier": tuple(QUALIFIER_FILLS), "status": ("actual", "estimate", "forecast"), "period_kind": ("year", "quarter", "month", "day", "interval")}
# Keys whose values a vocabulary table lists (its file and key column); a segment is free text,
# so it must be one the section's observations hold.
VOCABULARY = {"metric": ("metrics", "id"), "entity": ("entities", "id"), "market": ("markets", "code")}
DIRECTIONS = ("up", "down")
ORDERS = ("above", "below")
# The columns each kind of claim must fill (True) or leave empty (False); others are optional.
CLAIM_NEEDS: dict[str, dict[str, bool]] = {
    "direction": {"rows": True, "other": False, "expect": True, "tolerance": False, "tolerance_note": True, "reason": False},
    "order": {"rows": True, "other": True, "expect": True, "tolerance_note": True, "reason": False},
    "bound": {"rows": True, "tolerance": False, "tolerance_note": True, "reason": False},
    "sign": {"rows": True, "expect": True, "tolerance": False, "tolerance_note": True, "reason": False},
    "not_checkable": {"rows": True, "other": False, "expect": False, "tolerance": False, "tolerance_note": False, "reason": True},
    "code": {"rows": False, "other": False, "expect": False, "tolerance": False, "tolerance_note": False, "reason": False},
}


class Selector(dict):
    """A parsed selector: each key's allowed values (a tuple), and `which` (first, latest or all)."""

    def which(self, default: str) -> str:
        """The `which` the selector names, else the kind's default."""
        return self.get("which", (default,))[0]

    @property
    def columns(self) -> dict[str, tuple[str, ...]]:
        return {k: v for k, v in self.items() if k != "which"}


def parse_selector(text: str) -> Selector:
    """'metric=ad_cpc;entity=amazon|ebay;which=first' as a Selector; ValueError saying what is wrong."""
    selector = Selector()
    for part in text.split(";"):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValueError(f"{part!r} is not key=value")
        if "=" in value:
            raise ValueError(f"{part!r} holds more than one '=' (separate pairs with ';')")
        if key not in SELECTOR_KEYS + ("which",):
            raise ValueError(f"unknown key {key!r} (keys: {', '.join(SELECTOR_KEYS)}, which)")
        if key in selector:
            raise ValueError(f"key {key!r} given twice (list alternatives with '|')")
        values = tuple(value.split("|"))
        if any(v == "" or v != v.strip() for v in values):
            raise ValueError(f"{part!r}: every value must be non-empty, without spaces around it")
        if key == "which" and (len(values) != 1 or values[0] not in WHICH):
            raise ValueError(f"which={value!r}: expected one of {', '.join(WHICH)}")
        selector[key] = values
    if not selector.columns:
        raise ValueError("no key picks rows (give metric=, entity=, ...)")
    return selector


def parse_literal_bound(text: str) -> tuple[str, float]:
    """'more_than 1.5' as ('more_than', 1.5): a bound qualifier and its number; ValueError otherwise."""
    qualifier, _, number = text.partition(" ")
    if qualifier not in BOUNDS or not number:
        raise ValueError(f"{text!r} is not a bound")
    return qualifier, float(number)


def _check_claims(
    fname: str, distinct: _Distinct, obs: _Distinct | None, sections: pd.DataFrame | None, vocabularies: dict[str, pd.DataFrame | None]
) -> list[Problem]:
    """What each kind of claim needs (CLAIM_NEEDS), its selectors' grammar and values, its expect,
    and a locator inside its section's span. A selector's metric, entity or market must be listed in
    its vocabulary table, and a segment held by the section's observations: a typo would otherwise
    pick no row, and the claim would silently drop out of the tables."""
    claims = distinct.df
    problems: list[Problem] = []
    spans = _paragraph_spans(sections) if sections is not None else None
    held: dict[tuple[str, str], set[str]] = {}
    listed: dict[str, set[str]] = {}  # each vocabulary's keys, as a set made once

    def listed_in(table: str, id_column: str) -> set[str]:
        if table not in listed:
            listed[table] = set(vocabularies[table][id_column].tolist())
        return listed[table]

    def values_held(section: str, key: str) -> set[str] | None:
        """The values of a column among a section's observations, from their distinct codes: a
        million rows cost one np.unique per column asked."""
        if obs is None:
            return None
        if (section, key) not in held:
            values = obs.values(key)
            if not len(values):
                return set()
            sections_of = obs.values("section")
            pairs = np.unique(obs.codes("section").astype(np.int64) * len(values) + obs.codes(key))
            for sec_code, value_code in zip(pairs // len(values), pairs % len(values)):
                held.setdefault((sections_of.iat[sec_code], key), set()).add(values.iat[value_code])
            for sec in sections_of:
                held.setdefault((sec, key), set())
        return held.get((section, key), set())

    for idx, claim in enumerate(claims.itertuples(index=False)):
        line = distinct.line(idx)

        def problem(column: str, expected: str, fix: str | None = None, value: str | None = None, line: int = line, claim=claim) -> None:
            problems.append(Problem(fname, line, column, getattr(claim, column) if value is None else value, expected, fix))

        needs = CLAIM_NEEDS.get(claim.kind)
        if needs is None:
            continue  # the schema's enum reports an unknown kind
        for column, must in needs.items():
            filled = getattr(claim, column) != ""
            if must and not filled:
                problem(column, f"a value: kind {claim.kind} needs {column}")
            elif not must and filled:
                problem(column, f"an empty cell: kind {claim.kind} does not use {column}")
        for column in ("rows", "other"):
            text = getattr(claim, column)
            if not text or needs.get(column) is False:
                continue
            try:
                selector = parse_selector(text)
            except ValueError as exc:
                problem(column, "a selector such as metric=ad_cpc;entity=amazon;which=first", str(exc))
                continue
            if "which" in selector and claim.kind not in WHICH_KINDS:
                problem(column, f"no which= (kind {claim.kind} reads every row it picks; which= is for {' and '.join(WHICH_KINDS)})")
            for key, values in selector.columns.items():
                # How a figure is stated may change with the data (a point becomes a bound), so
                # those keys are checked against their vocabulary; what a figure is about, against
                # the section's rows.
                stated_as = STATED_AS.get(key)
                if key in VOCABULARY:
                    table, id_column = VOCABULARY[key]
                    if vocabularies.get(table) is None:
                        continue
                    for value in values:
                        if value not in listed_in(table, id_column):
                            fix = _did_you_mean(_near_miss(value, vocabularies[table][id_column]))
                            problem(column, f"a known {key} (listed in data/{table}.csv)", fix, f"{key}={value}")
                    continue
                known = set(stated_as) if stated_as else values_held(claim.section, key)
                if known is None:
                    continue
                for value in values:
                    if value not in known:
                        if stated_as:
                            problem(column, f"a {key}: one of {', '.join(stated_as)}", _did_you_mean(_near_miss(value, stated_as)), f"{key}={value}")
                            continue
                        problem(
                            column,
                            f"a {key} that section {claim.section}'s observations hold",
                            _did_you_mean(_near_miss(value, sorted(known))),
                            f"{key}={value}",
                        )
        expect = claim.expect
        if expect and needs.get("expect") is not False:
            if claim.kind in ("direction", "sign") and expect not in DIRECTIONS:
                problem("expect", f"up or down (kind {claim.kind})", _did_you_mean(_near_miss(expect, DIRECTIONS)))
            elif claim.kind == "order" and expect not in ORDERS:
                problem("expect", "above or below (kind order)", _did_you_mean(_near_miss(expect, ORDERS)))
            elif claim.kind == "bound":
                if claim.other:
                    problem("expect", "an empty cell: the bound is the latest row of other")
                else:
                    try:
                        parse_literal_bound(expect)
                    except ValueError:
                        problem("expect", f"a bound such as more_than 1.5 or less_than 10 ({', '.join(BOUNDS)} and a number)")
        if claim.kind == "bound" and not claim.other and not expect:
            problem("other", "a selector of the row that states the bound, or a literal bound in expect")
        if spans is not None and claim.section in spans and ARTICLE_LOCATOR.fullmatch(claim.locator):
            lo, hi = spans[claim.section]
            if not all(lo <= p <= hi for p in claim.locator.split(";")):
                problem("locator", f"paragraphs of section {claim.section} ({lo} to {hi})")
    return problems
