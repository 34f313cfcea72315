"""Shared fixtures: a private copy of data/ that a test may break without touching the real one."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from tests.browser import browser  # noqa: F401 (the fixture: Chromium, for the tests that open the site)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"

# The test run hands whole files to its two workers (--dist loadfile), in collection order
# (--no-loadscope-reorder, in the Makefile). Files that start a browser, a server or kernels take
# seconds each, so they go first and the quick files fill the workers' tails: otherwise a long file
# picked up last keeps one worker busy while the other sits idle.
STARTS_PROCESSES = ("test_site.py", "test_carry_forward.py", "test_lab.py")


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        if item.path.name in STARTS_PROCESSES:
            return 0
        return 1 if item.path.suffix == ".ipynb" else 2

    items.sort(key=rank)  # stable: the order within each file, and among files of a rank, is kept
    # nbval leaves images out of its comparison by default; the pack's charts are byte-identical run
    # to run, so a chart that draws differently from the committed one fails like a changed number.
    # (It also shows that the runner's shared kernels draw exactly what a fresh kernel draws.)
    for item in items:
        if item.path.suffix == ".ipynb" and hasattr(item.parent, "skip_compare"):
            item.parent.skip_compare = tuple(key for key in item.parent.skip_compare if key != "image/png")


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    monkeypatch.setenv("PACK_DATA_DIR", str(target))
    return target


def read_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def set_cell(path: Path, row_id: str, column: str, value: str) -> int:
    """Set one cell of the row whose first column is row_id; return its CSV line number."""
    rows = read_rows(path)
    col = rows[0].index(column)
    for i, row in enumerate(rows):
        if row[0] == row_id:
            row[col] = value
            write_rows(path, rows)
            return i + 1
    raise KeyError(row_id)


def first_bullet(path: Path) -> str:
    """Read independently of the build script: the first '- ' line printed under '## Key findings'."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    start = next(i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and "## Key findings" in "".join(c["source"]))
    code = next(c for c in cells[start + 1 :] if c["cell_type"] == "code")
    text = "".join(next(o["data"]["text/plain"] for o in code["outputs"] if "data" in o))
    return next(line[2:] for line in text.splitlines() if line.startswith("- "))
