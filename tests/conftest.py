"""Shared fixtures: a private copy of data/ that a test may break without touching the real one."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"


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
