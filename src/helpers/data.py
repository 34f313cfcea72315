"""Load the data package and validate it against the one schema in data/datapackage.json.

Every load validates. All problems are collected and raised together in one
``DataValidationError`` whose lines each name the file, the physical line (as an editor numbers
it: blank lines and line breaks inside quotes count), the column, the bad value, what was expected
and, where one is likely, the fix ("did you mean 'shopee'?"), so a user fixes a file in one pass
and never meets a pandas traceback. What may be right but looks like a typing slip (a percent typed
as a fraction) is a warning: kept on the Package, printed by `make validate`, never failing.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core.figure import QUALIFIER_FILLS, VALUE_COLUMNS
from helpers.periods import parse_periods, period_bounds

# The repository's data/ folder; PACK_DATA_DIR points elsewhere (tests, a user's copy).
REPO_DATA_DIR = Path(__file__).resolve().parents[2] / "data"

MAX_PROBLEMS_SHOWN = 50


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None  # physical line, header = line 1; None for a file-level problem
    column: str | None
    value: str | None
    expected: str  # empty when `fix` says it all ("a blank line: delete it")
    fix: str | None = None  # the likely fix, when one is: "did you mean 'shopee'?"

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}, line {self.line}"
        if self.column:
            where += f", column '{self.column}'"
        text = where if self.value is None else f"{where}: got {self.value!r}"
        if self.expected:
            text += f"; expected {self.expected}"
        if self.fix:
            text += (": " if self.value is None and not self.expected else "; ") + self.fix
        return text


def _listed(problems, limit: int = MAX_PROBLEMS_SHOWN) -> list[str]:
    shown = [f"  - {p}" for p in problems[:limit]]
    if len(problems) > limit:
        shown.append(f"  ... and {len(problems) - limit} more")
    return shown


class DataValidationError(ValueError):
    """Raised with every problem found in the data package, one per line (and the warnings)."""

    def __init__(self, problems: list[Problem], warnings: list[Problem] = ()):
        self.problems = list(problems)
        self.warnings = list(warnings)
        noun = "problem" if len(self.problems) == 1 else "problems"
        lines = [f"data package is invalid ({len(self.problems)} {noun}):", *_listed(self.problems)]
        if self.warnings:
            lines += ["and to look at (warnings, not errors):", *_listed(self.warnings)]
        super().__init__("\n".join(lines))


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
        problems.append(Problem("data/datapackage.json", None, "article", None, 'a top-level "article": the id in sources.csv of the article the pack analyses'))
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


# --- reading one CSV -------------------------------------------------------------------------

def _read_resource(directory: Path, resource: dict) -> tuple[pd.DataFrame | None, list[Problem], _Distinct | None]:
    path = directory / resource["path"]
    fname = f"data/{resource['path']}"
    fields = resource["schema"]["fields"]
    names = [f["name"] for f in fields]
    if not path.exists():
        return None, [Problem(fname, None, None, None, "the file to exist (it is declared in datapackage.json)")], None
    raw = path.read_bytes()
    if not raw.isascii():  # ASCII is UTF-8; only other files need decoding to find a bad byte
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            return None, [Problem(fname, line, None, repr(raw[exc.start : exc.start + 4])[2:-1], "UTF-8 text (save the file as UTF-8)")], None

    def text() -> str:
        return raw.decode("utf-8").removeprefix("\ufeff")

    end = raw.find(b"\n")
    header = (raw if end < 0 else raw[:end]).decode("utf-8").removeprefix("\ufeff").rstrip("\r")
    got = next(csv.reader([header])) if header else []
    if got != names:
        missing = [n for n in names if n not in got]
        extra = [n for n in got if n not in names]
        detail = "the header " + ",".join(names)
        if missing:
            detail += f" (missing: {', '.join(missing)})"
        if extra:
            detail += f" (not in the schema: {', '.join(extra)})"
        return None, [Problem(fname, 1, None, header, detail, None if header.strip() else "a blank line: delete it")], None

    # pandas pads a short row with empty cells without a word and skips blank lines, so rows are
    # counted first: by a quick scan that can only vouch for a regular file (one record a line,
    # record i on line i + 2), else row by row with the csv module, which also gives each record
    # its physical line.
    shape = _regular_shape(raw, len(names))
    scan = None
    if shape is None or shape.line_breaks:
        scan = _scan_rows(fname, text(), len(names))
        if scan.fatal:
            return None, sorted(scan.fatal + scan.blank, key=lambda p: p.line), None
    try:
        df = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, na_filter=False, engine="c", encoding="utf-8")
    except pd.errors.ParserError:
        if scan is not None:
            raise
        df = None  # the scan vouched wrongly (a quote inside an unquoted field): count row by row
    if df is None or (scan is None and len(df) != shape.records - 1):
        # The scan and pandas disagree on the rows (a quote inside an unquoted field, say): count
        # them the slow way, and check every field for line breaks.
        shape = None
        scan = _scan_rows(fname, text(), len(names))
        if scan.fatal:
            return None, sorted(scan.fatal + scan.blank, key=lambda p: p.line), None
        if df is None:
            df = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, na_filter=False, engine="c", encoding="utf-8")
    problems = list(scan.blank) if scan else []
    lines = np.asarray(scan.lines, dtype=np.int64) if scan and len(scan.lines) == len(df) else None

    # The header pasted again further down is one problem, not one per column: report it, drop it.
    pasted = np.flatnonzero(df[names[0]].to_numpy() == names[0])
    pasted = [i for i in pasted if df.iloc[i].tolist() == names]
    if pasted:
        lines = np.arange(2, len(df) + 2) if lines is None else lines
        problems += [Problem(fname, int(lines[i]), None, None, "", f"a repeated header row: delete line {lines[i]}") for i in pasted]
        df = df.drop(index=df.index[pasted]).reset_index(drop=True)
        lines = np.delete(lines, pasted)

    distinct = _Distinct(df, lines)
    problems += _check_fields(fname, distinct, fields, line_breaks_possible=shape is None or shape.line_breaks)
    schema = resource["schema"]
    pk = schema.get("primaryKey")
    if pk:
        pk = [pk] if isinstance(pk, str) else pk
        problems += _repeats(fname, distinct, pk, "a unique key")
    for col in ("value", "value_low", "value_high", "decimals"):
        if col in df.columns:
            df[col] = distinct.map(col, lambda u: pd.to_numeric(u.where(u != "", None), errors="coerce"))
            if col == "decimals":
                df[col] = df[col].astype("Int64")
    return df, problems, distinct


@dataclass(frozen=True)
class _Shape:
    records: int  # CSV records, the header included
    line_breaks: bool  # whether a quoted field holds a line break


_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'",\n\r')


def _regular_shape(raw: bytes, width: int) -> _Shape | None:
    """Vouch, fast, that every record of a CSV file has `width` fields; None when it cannot.

    Only the structure is kept (quotes, commas, line ends) and split at the quotes: every second
    piece lies inside a quoted field ("" escapes included), the others outside. Outside, every
    line must hold width - 1 commas, with no blank line except at the end, and the quotes must
    pair up. Anything irregular returns None, and the caller counts row by row."""
    pieces = raw.translate(None, _NOT_STRUCTURE).split(b'"')
    if len(pieces) % 2 == 0:  # an odd number of quotes: one is left open
        return None
    quoted = b"".join(pieces[1::2])
    bare = b"".join(pieces[0::2]).replace(b"\r", b"")
    lines = bare.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if lines.count(b"," * (width - 1)) != len(lines):
        return None
    return _Shape(records=len(lines), line_breaks=b"\n" in quoted or b"\r" in quoted)


class _Distinct:
    """A table's columns as row codes into their distinct values, each column factorized once per
    load. A million rows share a few dozen periods, sections or qualifiers: a check judges each
    distinct value once and spreads its verdict back to the rows. It also knows each row's
    physical line."""

    def __init__(self, df: pd.DataFrame, lines: np.ndarray | None = None):
        self.df = df
        self._lines = lines  # None: row i is on line i + 2 (one record a line, no blank line)
        self._memo: dict[str, tuple[np.ndarray, pd.Series]] = {}

    def line(self, row: int) -> int:
        """The physical line (as an editor numbers it, the header being line 1) of row `row`."""
        return int(row) + 2 if self._lines is None else int(self._lines[row])

    def _factorize(self, col: str) -> tuple[np.ndarray, pd.Series]:
        if col not in self._memo:
            s = self.df[col]
            codes, uniques = pd.factorize(s.to_numpy())  # on the plain array: half the time of the Series'
            self._memo[col] = (codes, pd.Series(uniques, dtype=s.dtype))
        return self._memo[col]

    def values(self, col: str) -> pd.Series:
        """The column's distinct values, in order of first appearance."""
        return self._factorize(col)[1]

    def codes(self, col: str) -> np.ndarray:
        """Each row's position in values(col)."""
        return self._factorize(col)[0]

    def rows(self, col: str, verdict: pd.Series) -> np.ndarray:
        """A boolean verdict on values(col) as one per row."""
        return verdict.to_numpy(dtype=bool)[self.codes(col)]

    def map(self, col: str, fn) -> pd.Series:
        """fn(values(col)) spread back to the rows, as a column (the memo of col is dropped)."""
        codes, values = self._factorize(col)
        done = fn(values)
        self._memo.pop(col)
        return pd.Series(done.to_numpy()[codes], index=self.df.index, name=col, dtype=done.dtype)


@dataclass
class _Scan:
    fatal: list[Problem]  # rows of the wrong width, malformed CSV: the table cannot be read
    blank: list[Problem]  # blank lines between records: reported, the rows still checked
    lines: list[int]  # the physical line each data record starts on


def _scan_rows(fname: str, text: str, width: int) -> _Scan:
    """Every record's width and first physical line, row by row. Blank lines between records are
    problems (pandas would skip them silently); blank lines after the last record are harmless."""
    scan = _Scan([], [], [])
    reader = csv.reader(io.StringIO(text))
    ended, blank, header = 0, [], True  # the line the previous record ended on; blank lines seen since
    try:
        for row in reader:
            start, ended = ended + 1, reader.line_num
            if not row:
                blank.append(start)
                continue
            scan.blank += [Problem(fname, line, None, None, "", "a blank line: delete it") for line in blank]
            blank = []
            if len(row) == 1 and width > 1 and not row[0].strip():
                scan.fatal.append(Problem(fname, start, None, None, "", "a line of only spaces: delete it"))
            elif len(row) != width:
                scan.fatal.append(Problem(fname, start, None, f"{len(row)} fields", f"{width} fields, as in the header (a stray or missing comma, or an unquoted comma in text)"))
            if header:
                header = False
            else:
                scan.lines.append(start)
    except csv.Error as exc:
        scan.fatal.append(Problem(fname, reader.line_num, None, None, f"well-formed CSV ({exc})"))
    return scan


def _repeats(fname: str, distinct: _Distinct, columns: list[str], what: str) -> list[Problem]:
    """A row whose key repeats an earlier row's, naming the line of the first."""
    df = distinct.df
    again = df.duplicated(subset=columns, keep="first").to_numpy()
    if not again.any():
        return []
    keys = df[columns].astype(str).agg("/".join, axis=1) if len(columns) > 1 else df[columns[0]]
    involved = df.duplicated(subset=columns, keep=False).to_numpy()
    first: dict[str, int] = {}
    problems = []
    for idx in np.flatnonzero(involved):
        key = keys.iat[idx]
        if key not in first:
            first[key] = distinct.line(idx)
        elif again[idx]:
            line = first[key]
            problems.append(Problem(fname, distinct.line(idx), "/".join(columns), key, f"{what} (it repeats line {line})", f"delete this copy of line {line}, or give the row another {'/'.join(columns)}"))
    return problems


_TYPE_EXPECTED = {"number": "a number (digits, optional '.', no thousands separator)", "integer": "a whole number", "date": "a date YYYY-MM-DD"}


_VALUE_CHECKS = ("pattern", "enum", "minimum", "maximum")
_PER_VALUE_ROWS = 1000  # below this, factorizing first costs more than it saves


def _check_fields(fname: str, distinct: _Distinct, fields: list[dict], line_breaks_possible: bool = True) -> list[Problem]:
    """Each field against its schema. A column of repeated values (period, section, qualifier...) is
    checked once per distinct value and the verdict spread back to its rows, so a million rows cost
    little more than their few dozen values; other columns (the unique id, free text) row by row."""
    problems: list[Problem] = []
    df = distinct.df

    def report(mask, column: str, expected: str, fix_of=None) -> None:
        fixes: dict[str, str | None] = {}  # a million rows may share one bad value: one fix each
        for idx in np.flatnonzero(np.asarray(mask, dtype=bool)):
            value = str(df[column].iat[idx])
            if fix_of is not None and value not in fixes:
                fixes[value] = _did_you_mean(fix_of(value))
            problems.append(Problem(fname, distinct.line(idx), column, value, expected, fixes.get(value)))

    for spec in fields:
        col = spec["name"]
        cons = spec.get("constraints", {})
        s = df[col]
        per_value = len(s) > _PER_VALUE_ROWS and not cons.get("unique") and (spec.get("type", "string") != "string" or spec.get("format") or any(k in cons for k in _VALUE_CHECKS))
        values = distinct.values(col) if per_value else s

        def rows(mask: pd.Series) -> np.ndarray:
            return distinct.rows(col, mask) if per_value else mask.to_numpy(dtype=bool)

        # Free text with no rule beyond one line (note, segment) is not compared at all.
        present = None
        if cons or spec.get("type", "string") != "string" or spec.get("format"):
            present = values != "" if per_value else pd.Series(s.to_numpy() != "", index=s.index)
        if line_breaks_possible:
            report(rows(values.str.contains("\n", regex=False) | values.str.contains("\r", regex=False)), col, "one line of text (no line breaks inside a field)")
        if cons.get("required"):
            report(rows(~present), col, "a value (this column is required)")
        kind = spec.get("type", "string")
        if kind == "number":
            bad = present & pd.to_numeric(values.where(present, "0"), errors="coerce").isna()
            report(rows(bad), col, _TYPE_EXPECTED["number"])
        elif kind == "integer":
            report(rows(present & ~values.str.fullmatch(r"-?\d+")), col, _TYPE_EXPECTED["integer"])
        elif kind == "date":
            ok = values.str.fullmatch(r"\d{4}-\d{2}-\d{2}") & pd.to_datetime(values.where(present, None), format="%Y-%m-%d", errors="coerce").notna()
            report(rows(present & ~ok), col, _TYPE_EXPECTED["date"])
        if "pattern" in cons:
            # The field's description says the form in words where the schema gives one.
            form = f"a period: {spec['description']}" if col in ("period", "date") else f"text matching {cons['pattern']}"
            fix_of = (lambda v, pattern=cons["pattern"]: _period_suggestion(v, pattern)) if col in ("period", "date") else None
            report(rows(present & ~_fullmatch(values, cons["pattern"])), col, form, fix_of)
        if "enum" in cons:
            report(rows(present & ~values.isin(cons["enum"])), col, "one of " + ", ".join(cons["enum"]), lambda v, choices=cons["enum"]: _near_miss(v, choices))
        if "minimum" in cons or "maximum" in cons:
            num = pd.to_numeric(values.where(present, None), errors="coerce")
            lo, hi = cons.get("minimum", -np.inf), cons.get("maximum", np.inf)
            report(rows(num.notna() & ((num < lo) | (num > hi))), col, f"a number from {lo} to {hi}")
        if cons.get("unique") and col not in _primary_key_columns(fields):
            problems += [p for p in _repeats(fname, distinct, [col], "a unique value") if p.value != ""]
        if spec.get("format") == "uri":
            report(rows(present & ~values.str.match(r"https?://")), col, "a full http(s) address, or empty when not known")
    return problems


def _fullmatch(values: pd.Series, pattern: str) -> pd.Series:
    """values.str.fullmatch(pattern), with the compiled pattern called on each value directly:
    for the unique id of a million rows (no distinct values to share a verdict) it takes about
    half the time of pandas' string method, which wraps every call."""
    match = re.compile(pattern).fullmatch
    found = (isinstance(v, str) and match(v) is not None for v in values.tolist())
    return pd.Series(np.fromiter(found, dtype=bool, count=len(values)), index=values.index)


def _primary_key_columns(fields: list[dict]) -> set[str]:
    # Single-column primary keys are reported once, by the primary-key check.
    return {f["name"] for f in fields if f.get("constraints", {}).get("unique") and f["name"] == "id"}


def _check_foreign_keys(name: str, resource: dict, tables: dict[str, pd.DataFrame], distinct: _Distinct) -> list[Problem]:
    problems = []
    fname = f"data/{resource['path']}"
    df = tables[name]
    for fk in resource["schema"].get("foreignKeys", []):
        (col,) = fk["fields"]
        target = fk["reference"]["resource"] or name
        (target_col,) = fk["reference"]["fields"]
        if tables.get(target) is None:
            continue
        values = distinct.values(col)
        keys = all_keys = tables[target][target_col]
        if len(keys) > len(values):  # hash the smaller side: a few corrections name a million ids
            keys = keys[keys.isin(values)]
        unknown = distinct.rows(col, (values != "") & ~values.isin(keys))
        fixes: dict[str, str | None] = {}
        for idx in np.flatnonzero(unknown):
            value = df[col].iat[idx]
            if value not in fixes:
                fixes[value] = _did_you_mean(_near_miss(value, all_keys))
            problems.append(Problem(fname, distinct.line(idx), col, value, f"a known {target_col} (listed in data/{target}.csv)", fixes[value]))
    return problems


NEAR_MISS_KEYS = 5000  # difflib compares a value with every key: past this many, case and spaces only


def _near_miss(value: str, keys) -> str | None:
    """The key a mistyped value most likely means: the same but for case or surrounding spaces
    ('Shopee', 'USA '), else the closest spelling (difflib: 'shoppe', 'tiktok_shop')."""
    keys = pd.Series(keys, dtype="str")
    wanted = value.strip().casefold()
    if not wanted:
        return None
    folded = keys.str.strip().str.casefold()
    same = keys[(folded == wanted).to_numpy()]
    if len(same):
        return same.iat[0]
    if len(keys) > NEAR_MISS_KEYS:
        return None
    by_folded = dict(zip(folded, keys))
    close = difflib.get_close_matches(wanted, list(by_folded), n=1, cutoff=0.8)
    return by_folded[close[0]] if close else None


def _did_you_mean(suggestion: str | None) -> str | None:
    return None if suggestion is None else f"did you mean {suggestion!r}?"


# Quarters in the spellings people type, each read as (year, quarter).
_QUARTER_SPELLINGS = (
    re.compile(r"(?P<year>\d{4})[\s_-]*Q(?P<q>[1-4])"),  # 2025 Q3, 2025-Q3, 2025q3
    re.compile(r"Q(?P<q>[1-4])[\s_'-]*(?P<year>\d{4}|\d{2})"),  # Q3 2025, Q3-2025, Q3'25
    re.compile(r"(?P<q>[1-4])Q[\s_'-]*(?P<year>\d{4}|\d{2})"),  # 3Q25, 3Q 2025
)
_YEAR_SPAN = re.compile(r"(\d{4})\s*[-\u2013\u2014]\s*(\d{4})")  # 2021-2025, 2021–2025
_SHORT_MONTH = re.compile(r"(\d{4})-([1-9])")  # 2025-6


def _period_part(text: str) -> str:
    for spelling in _QUARTER_SPELLINGS:
        m = spelling.fullmatch(text)
        if m:
            year = m["year"] if len(m["year"]) == 4 else "20" + m["year"]
            return f"{year}Q{m['q']}"
    m = _SHORT_MONTH.fullmatch(text)
    return f"{m[1]}-0{m[2]}" if m else text


def _period_suggestion(text: str, pattern: str) -> str | None:
    """The period a text in another common spelling most likely means: '2025Q3' for 'Q3 2025',
    '2025 Q3', 'Q3-2025', '2025-Q3' or '3Q25'; '2021/2025' for '2021-2025'; None when unsure."""
    cleaned = text.strip().upper()
    span = _YEAR_SPAN.fullmatch(cleaned)
    if span:
        suggestion = f"{span[1]}/{span[2]}"
    else:
        suggestion = "/".join(_period_part(part.strip()) for part in re.split(r"[/\u2013\u2014]", cleaned))
    return suggestion if suggestion != text and re.fullmatch(pattern, suggestion) else None


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
        problems.append(Problem(fname, distinct.line(i), column, value, "a period: 2025, 2025Q4, 2022-06, 2025-12-12, or start/end with start before end", fixes[value]))
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
    return {article} | set(sources.loc[sources["via"] == article, "id"])


def _check_locators(fname: str, distinct: _Distinct, sections: pd.DataFrame, sources: pd.DataFrame | None, article: str) -> list[Problem]:
    """A figure read in the article cites paragraphs of its own section (S3 spans P19..P31, say);
    a figure from another publication cites that publication's own place (a table, a page)."""
    spans = sections.set_index("id")
    article = article_sources(sources, article) if sources is not None else set()
    df = distinct.df
    # Each distinct (section, locator, source) triple is judged once; its rows share the verdict.
    sections_of, locators_of, sources_of = distinct.values("section"), distinct.values("locator"), distinct.values("source_id")
    n_loc, n_src = len(locators_of), len(sources_of)
    triple = (distinct.codes("section") * n_loc + distinct.codes("locator")) * n_src + distinct.codes("source_id")
    triples, triple_codes = np.unique(triple, return_inverse=True)
    expected = {}
    for code, key in enumerate(triples):
        section = sections_of.iat[key // (n_loc * n_src)]
        locator = locators_of.iat[(key // n_src) % n_loc]
        source = sources_of.iat[key % n_src]
        if not locator or source not in article:
            continue
        if not ARTICLE_LOCATOR.fullmatch(locator):
            expected[code] = "article paragraphs such as P08 or P08;P13 (the source is read in the article)"
        elif section in spans.index:
            lo, hi = spans.at[section, "first_paragraph"], spans.at[section, "last_paragraph"]
            if not all(lo <= p <= hi for p in locator.split(";")):
                expected[code] = f"paragraphs of section {section} ({lo} to {hi})"
    problems = []
    if expected:
        for idx in np.flatnonzero(np.isin(triple_codes, list(expected))):
            problems.append(Problem(fname, distinct.line(idx), "locator", df["locator"].iat[idx], expected[triple_codes[idx]]))
    return problems


def _check_observation_rules(path: str, obs: pd.DataFrame, distinct: _Distinct) -> list[Problem]:
    fname = f"data/{path}"
    problems = _check_periods(fname, distinct, "period")
    filled = {col: obs[col].notna().to_numpy() for col in VALUE_COLUMNS}
    qualifiers = distinct.values("qualifier")
    for qualifier, fills in QUALIFIER_FILLS.items():
        rows = distinct.rows("qualifier", qualifiers == qualifier)
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
        problems.append(Problem(fname, distinct.line(idx), "value_low", f"{obs['value_low'].iat[idx]:g}", f"a low bound no higher than value_high ({obs['value_high'].iat[idx]:g})"))
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
        warnings.append(Problem(
            fname, distinct.line(row), column, f"{value:.15g}", "",
            f"a percent typed as a fraction? The other figures of this series ({named}) lie {span}: "
            f"write {value * 100:.10g} if {value * 100:.10g}% is meant; leave {value:.15g} if {value:.15g}% is right (this is only a warning)",
        ))
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
    for idx, row in latest.iterrows():
        if row["observation_id"] not in current.index:
            continue  # reported by the foreign-key check
        now = current.at[row["observation_id"], row["field"]]
        now_text = "" if pd.isna(now) else (f"{now:g}" if isinstance(now, float) else str(now))
        new = row["new_value"]
        same = now_text == new
        if not same and isinstance(now, float) and new:
            try:
                same = float(new) == now
            except ValueError:
                same = False
        if not same:
            problems.append(Problem(fname, distinct.line(idx), "new_value", new, f"the current {row['field']} of {row['observation_id']} in observations.csv ({now_text or 'empty'})"))
    return problems


# --- tidy views for the notebooks ------------------------------------------------------------

def source_citations(sources: pd.DataFrame) -> pd.Series:
    """'Marketplace Pulse via Innovation-Insight (2026-02-04)', keyed by source id."""
    by_id = sources.set_index("id")
    dated = np.where(by_id["date_published"] != "", " (" + by_id["date_published"] + ")", "")
    own = by_id["publisher"] + dated
    second_hand = by_id["publisher"] + " via " + by_id["via"].map(own).fillna("")
    return own.where(by_id["via"] == "", second_hand)


def _in_view(table: pd.DataFrame, column: str, section: str | None, as_of: str | None) -> pd.DataFrame:
    """A table's rows of one section (or all) with their period bounds, up to the end of `as_of`.

    A row with no date (an undated event) is kept: nothing says it came after the period."""
    if section:
        table = table[table["section"] == section]
    table = table.join(_parse_periods(table[column]))
    if as_of:
        table = table[table["end"].isna() | (table["end"] <= period_bounds(as_of)[1])]
    return table


def observations(section: str | None = None, as_of: str | None = None, package: Package | None = None) -> pd.DataFrame:
    """Observations joined to their metric, entity, market and source, with period bounds.

    ``as_of`` (a period such as "2025Q4") keeps the figures whose period ends by the end of it.
    """
    pkg = package or load_package()
    obs = _in_view(pkg.observations, "period", section, as_of)
    metrics = pkg.metrics.set_index("id")[["label", "unit", "decimals"]].rename(columns={"label": "metric_label"})
    entities = pkg.entities.set_index("id")[["label", "kind"]].rename(columns={"label": "entity_label", "kind": "entity_kind"})
    markets = pkg.markets.set_index("code")[["name"]].rename(columns={"name": "market_name"})
    out = (
        obs.join(metrics, on="metric")
        .join(entities, on="entity")
        .join(markets, on="market")
        .assign(
            citation=lambda d: d["source_id"].map(source_citations(pkg.sources)),
            # When the figure was published: what the article could have known, for the checks.
            source_published=lambda d: d["source_id"].map(pkg.sources.set_index("id")["date_published"]),
        )
    )
    return out.reset_index(drop=True)


def article_date(package: Package | None = None) -> str:
    """The analysed article's publication date (YYYY-MM-DD), from sources.csv."""
    pkg = package or load_package()
    return str(pkg.sources.set_index("id").at[pkg.article, "date_published"])


def events(section: str | None = None, as_of: str | None = None, package: Package | None = None) -> pd.DataFrame:
    """Dated events joined to entity labels; undated events are kept, with no start."""
    pkg = package or load_package()
    ev = _in_view(pkg.events, "date", section, as_of)
    entities = pkg.entities.set_index("id")[["label"]].rename(columns={"label": "entity_label"})
    markets = pkg.markets.set_index("code")[["name"]].rename(columns={"name": "market_name"})
    out = ev.join(entities, on="entity").join(markets, on="market")
    return out.assign(citation=out["source_id"].map(source_citations(pkg.sources))).reset_index(drop=True)


def validate_cli() -> int:
    """`make validate`: print every problem and exit non-zero, or say what was checked."""
    try:
        pkg = load_package()
    except DataValidationError as exc:
        print(exc)
        return 1
    counts = ", ".join(f"{len(getattr(pkg, n))} {n}" for n in ("observations", "events", "metrics", "entities", "markets", "sources", "sections", "corrections"))
    print(f"data package is valid: {counts} ({pkg.data_dir.name}/)")
    print_warnings(pkg)
    return 0


def print_warnings(pkg: Package, file=None) -> None:
    """The package's warnings, one a line: figures that may be right but look like a typing slip."""
    for warning in pkg.warnings:
        print(f"warning: {warning}", file=file)


if __name__ == "__main__":
    raise SystemExit(validate_cli())
