"""The committed notebooks: executed, clean, and shaped alike."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
# A figure typed into prose: 8.8%, $9, 1.12, 165,000 (the hook's rule 1 check).
TYPED_FIGURE = re.compile(r"(\d+(\.\d+)?\s?%|[$¥€]\s?\d|\d+\.\d+|\d{1,3}(,\d{3})+)")


def cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_notebooks_exist():
    assert NOTEBOOKS, "no notebooks found"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_outputs_are_clean(path):
    code = [c for c in cells(path) if c["cell_type"] == "code"]
    assert all(c["execution_count"] is not None for c in code), "run make notebooks: a code cell has no stored execution"
    for i, cell in enumerate(code):
        for out in cell["outputs"]:
            assert out["output_type"] != "error", f"code cell {i} stores an error: {out.get('ename')}"
            assert not (out["output_type"] == "stream" and out["name"] == "stderr"), f"code cell {i} stores stderr: {''.join(out['text'])[:200]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_prose_types_no_figure(path):
    for i, cell in enumerate(cells(path)):
        if cell["cell_type"] == "markdown":
            m = TYPED_FIGURE.search("".join(cell["source"]))
            assert not m, f"markdown cell {i} types a figure by hand ({m.group(0)}): print it from data"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_shape(path):
    cs = cells(path)
    assert cs[0]["cell_type"] == "markdown" and cs[0]["source"][0].startswith("# "), "opens with a title"
    params = [c for c in cs if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1, "one cell tagged parameters"
    assert "".join(params[0]["source"]).strip().startswith("AS_OF ="), "the parameters cell sets AS_OF only"
    headings = [line for c in cs if c["cell_type"] == "markdown" for line in "".join(c["source"]).splitlines() if line.startswith("## ")]
    assert "## Key findings" in headings and "## Checks" in headings and "## What to watch next quarter" in headings
    source = "\n".join("".join(c["source"]) for c in cs if c["cell_type"] == "code")
    assert "sys.path" not in source and "read_csv" not in source, "notebooks load data through helpers only"
    assert not re.search(r"\b(plt|ax|fig|sns)\.", source), "charts are one helper call each"


# A year or quarter the data could move: 2025, 2025Q4 (also inside 2025-12 or an id ending -2025).
YEAR_OR_QUARTER = re.compile(r"\b(19|20)\d{2}(Q[1-4])?\b")


def year_literals(cell_list) -> list[str]:
    """'cell N (kind): line' for each year or quarter typed in a cell, the parameters cell excepted."""
    found = []
    for i, cell in enumerate(cell_list):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            continue
        for line in "".join(cell["source"]).splitlines():
            if YEAR_OR_QUARTER.search(line):
                found.append(f"cell {i} ({cell['cell_type']}): {line.strip()[:160]}")
    return found


def test_year_literal_check_catches_what_it_should():
    # The check itself, on cells made up here: it must flag a typed period and spare the parameters.
    code = {"cell_type": "code", "metadata": {}, "source": ['rows(obs, "ad_cpm").query("period == \'2025Q4\'")']}
    prose = {"cell_type": "markdown", "metadata": {}, "source": ["Growth slowed after 2021."]}
    params = {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": ['AS_OF = None  # e.g. "2026Q1"']}
    clean = {"cell_type": "code", "metadata": {}, "source": ["charts.trend(growth, title=f\"... {growth.period.iloc[-1]}\")  # P08, 8.8x, s1-x"]}
    assert len(year_literals([code, prose, params, clean])) == 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_year_or_quarter_typed_outside_the_parameters_cell(path):
    found = year_literals(cells(path))
    assert not found, "periods come from the rows (or AS_OF in the parameters cell), never typed:\n" + "\n".join(found)
