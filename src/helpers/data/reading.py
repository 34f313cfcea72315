"""Reading one CSV file against its Table Schema: shape, types, patterns, keys, with near-miss suggestions."""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import json
import re
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.data.problems import Problem

# --- reading one CSV -------------------------------------------------------------------------


# What reading a file gave, kept for files that come back unchanged: a test that edits one file of
# a copy of data/, or a kernel reloading after one edit, reads only that file again. Kept by
# everything a read depends on: the bytes (by digest), the resource's description, and the
# thresholds that choose the read's path (tests set them to compare the paths). A large file is
# read once (make validate, the bench) and not kept.
_READS: OrderedDict[tuple, tuple[pd.DataFrame | None, list[Problem], _Distinct | None]] = OrderedDict()
READS_KEPT = 32
READ_KEPT_BYTES = 2_000_000


def _read_resource(directory: Path, resource: dict) -> tuple[pd.DataFrame | None, list[Problem], _Distinct | None]:
    path = directory / resource["path"]
    fname = f"data/{resource['path']}"
    if not path.exists():
        return None, [Problem(fname, None, None, None, "the file to exist (it is declared in datapackage.json)")], None
    raw = path.read_bytes()
    if len(raw) > READ_KEPT_BYTES:
        return _read_bytes(fname, raw, resource)
    key = (hashlib.blake2b(raw, digest_size=20).digest(), json.dumps(resource, sort_keys=True), _PER_VALUE_ROWS, _regular_shape)
    if key not in _READS:
        _READS[key] = read = _read_bytes(fname, raw, resource)
        if read[2] is not None:  # the text columns factorized once, for every load that reuses the read
            for spec in resource["schema"]["fields"]:
                if spec.get("type", "string") == "string":
                    read[2].codes(spec["name"])
        while len(_READS) > READS_KEPT:
            _READS.popitem(last=False)
    _READS.move_to_end(key)
    df, problems, distinct = _READS[key]
    # Each load gets its own tables: the caller converts and may change them.
    if df is None:
        return None, list(problems), None
    fresh = distinct.copy()
    return fresh.df, list(problems), fresh


def _read_bytes(fname: str, raw: bytes, resource: dict) -> tuple[pd.DataFrame | None, list[Problem], _Distinct | None]:
    fields = resource["schema"]["fields"]
    names = [f["name"] for f in fields]
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

    def copy(self) -> _Distinct:
        """The same over a copy of the table, its factorized columns shared (never changed in place)."""
        twin = _Distinct(self.df.copy(), self._lines)
        twin._memo = dict(self._memo)
        return twin

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
                scan.fatal.append(
                    Problem(
                        fname, start, None, f"{len(row)} fields", f"{width} fields, as in the header (a stray or missing comma, or an unquoted comma in text)"
                    )
                )
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
            problems.append(
                Problem(
                    fname,
                    distinct.line(idx),
                    "/".join(columns),
                    key,
                    f"{what} (it repeats line {line})",
                    f"delete this copy of line {line}, or give the row another {'/'.join(columns)}",
                )
            )
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
        per_value = (
            len(s) > _PER_VALUE_ROWS
            and not cons.get("unique")
            and (spec.get("type", "string") != "string" or spec.get("format") or any(k in cons for k in _VALUE_CHECKS))
        )
        values = distinct.values(col) if per_value else s

        def rows(mask: pd.Series, col: str = col, per_value: bool = per_value) -> np.ndarray:
            return distinct.rows(col, mask) if per_value else mask.to_numpy(dtype=bool)

        # Free text with no rule beyond one line (note, segment) is not compared at all.
        present = None
        if cons or spec.get("type", "string") != "string" or spec.get("format"):
            present = values != "" if per_value else pd.Series(s.to_numpy() != "", index=s.index)
        if line_breaks_possible:
            report(
                rows(values.str.contains("\n", regex=False) | values.str.contains("\r", regex=False)), col, "one line of text (no line breaks inside a field)"
            )
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
        if len(keys) > max(len(values), _PER_VALUE_ROWS):  # hash the smaller side: a few corrections name a million ids
            keys = keys[keys.isin(values)]
        # The distinct values against a set of the keys, in plain Python: a table's few dozen
        # values cost microseconds, where each pandas step costs a tenth of a millisecond.
        known = set(keys.tolist())
        listed = [v == "" or v in known for v in values.tolist()]
        if all(listed):
            continue
        unknown = distinct.rows(col, ~pd.Series(listed, dtype=bool))
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
