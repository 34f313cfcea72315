"""The fast paths of helpers.data on large files give exactly what the row-by-row paths give.

A table of more than a thousand rows is checked once per distinct value and its rows counted by a
quick structural scan; small tables (every other test) take the row-by-row paths. Here a few
thousand synthetic rows (helpers.pack.bench's generator) go through both, valid and with one problem
of each kind: same tables, same messages, each naming its file, line and column.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from helpers import data
from helpers.data import package, reading
from helpers.pack import bench as pack_bench
from tests.conftest import DATA, read_rows, write_rows

ROWS = 2_000  # above data._PER_VALUE_ROWS, so the fast paths are taken


def slow(monkeypatch) -> None:
    """Force the row-by-row paths: no per-value checks, no structural scan."""
    monkeypatch.setattr(reading, "_PER_VALUE_ROWS", 10**12)
    monkeypatch.setattr(reading, "_regular_shape", lambda raw, width: None)


def load_both(directory, monkeypatch):
    """(fast result, slow result), each a Package or the error message."""
    results = []
    for force_slow in (False, True):
        with monkeypatch.context() as m:
            if force_slow:
                slow(m)
            package._load_package.cache_clear()
            try:
                results.append(data.load_package(directory))
            except data.DataValidationError as exc:
                results.append(str(exc))
    package._load_package.cache_clear()
    return results


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    bench = pack_bench
    target = tmp_path_factory.mktemp("big") / "data"
    shutil.copytree(DATA, target)
    bench.synthetic_observations(DATA / "observations.csv", target / "observations.csv", rows=ROWS)
    assert ROWS > reading._PER_VALUE_ROWS
    return target


@pytest.fixture
def big(generated, tmp_path):
    """A private copy of the generated package, which a test may spoil."""
    return Path(shutil.copytree(generated, tmp_path / "data"))


def test_valid_large_file_loads_the_same_either_way(big, monkeypatch):
    fast, slow_ = load_both(big, monkeypatch)
    assert not isinstance(fast, str), fast
    for name in ("observations", "events", "metrics", "entities", "markets", "sources", "corrections", "sections"):
        pd.testing.assert_frame_equal(getattr(fast, name), getattr(slow_, name))
    assert len(fast.observations) == ROWS
    for section in ("S1", "S3"):
        pd.testing.assert_frame_equal(data.observations(section, package=fast), data.observations(section, package=slow_))


def test_every_problem_is_named_the_same_either_way(big, monkeypatch):
    path = big / "observations.csv"
    rows = read_rows(path)
    col = {name: i for i, name in enumerate(rows[0])}
    lines = {}

    def physical(row: int) -> int:
        # The header is line 1; the note with a line break (row 700) pushes later rows one line down.
        return row + 1 + (row > 700)

    def spoil(row: int, column: str, value: str) -> None:
        rows[row][col[column]] = value
        lines[(column, value)] = physical(row)

    spoil(100, "period", "2025Q5")
    spoil(200, "section", "S9")
    spoil(300, "value", "8,8")
    spoil(400, "entity", "no-such-entity")
    spoil(500, "status", "final")
    # A paragraph out of range matters only on a row read in the article (its locator is paragraphs).
    spoil(next(i for i in range(600, len(rows)) if rows[i][col["locator"]].startswith("P")), "locator", "P99")
    spoil(700, "note", "two\nlines")
    spoil(1900, "period", "2025-02-30")
    # A qualifier that fills another column than the row's figure: named at the value columns.
    r = next(i for i in range(1000, len(rows)) if rows[i][col["qualifier"]] == "exact" and rows[i][col["value"]])
    rows[r][col["qualifier"]] = "more_than"
    lines[("value", "(must be empty)")] = lines[("value_low", "(must be filled)")] = physical(r)
    write_rows(path, rows)

    fast, slow_ = load_both(big, monkeypatch)
    assert isinstance(fast, str) and fast == slow_
    for (column, value), line in lines.items():
        assert f"data/observations.csv, line {line}, column '{column}'" in fast, (column, value, fast)


@pytest.mark.parametrize("change", ["extra", "missing", "crlf", "stray quote", "blank line", "header again"])
def test_row_shapes_are_judged_the_same_either_way(big, monkeypatch, change):
    path = big / "observations.csv"
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    if change == "extra":
        lines[1500] += ",surplus"
    elif change == "missing":
        lines[1500] = lines[1500].rsplit(",", 2)[0]
    elif change == "stray quote":
        lines[1500] += ' 5" screen'
    elif change == "blank line":
        lines[1500] = ""
    elif change == "header again":
        lines[1500] = lines[0]
    text = "\n".join(lines)
    if change == "crlf":
        text = text.replace("\n", "\r\n")
    path.write_text(text, encoding="utf-8", newline="")
    fast, slow_ = load_both(big, monkeypatch)
    if isinstance(fast, str):
        assert fast == slow_
        assert "data/observations.csv, line 1501" in fast
    else:
        pd.testing.assert_frame_equal(fast.observations, slow_.observations)
        assert change in ("crlf", "stray quote")
