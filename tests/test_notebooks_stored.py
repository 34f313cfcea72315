"""The committed notebooks: executed, clean, and shaped alike."""

from __future__ import annotations

import copy
import io
import json
import re

import nbformat
import pytest

from helpers.pack import runner as pack_runner
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
    clean = {"cell_type": "code", "metadata": {}, "source": ['charts.trend(growth, title=f"... {growth.period.iloc[-1]}")  # P08, 8.8x, s1-x']}
    assert len(year_literals([code, prose, params, clean])) == 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_year_or_quarter_typed_outside_the_parameters_cell(path):
    found = year_literals(cells(path))
    assert not found, "periods come from the rows (or AS_OF in the parameters cell), never typed:\n" + "\n".join(found)


# --- as make notebooks writes them ----------------------------------------------------------------


def departures(text: str) -> list[str]:
    """How a stored notebook's text differs from what `make notebooks` writes; empty when it does not.

    The runner's own normalise() (helpers.pack.runner) is applied to a copy and the result
    written as the runner writes it: any byte that differs is something a run would change. Counts
    are checked apart, since a fresh kernel numbers cells 1..n and normalise leaves them alone."""
    found = []
    stored = nbformat.reads(text, as_version=4)
    code = [c for c in stored.cells if c.cell_type == "code"]
    counts = [c.execution_count for c in code]
    if counts != list(range(1, len(code) + 1)):
        found.append(f"execution counts {counts[:3]}... instead of 1..{len(code)} in order")
    stale = [i for i, c in enumerate(code) for o in c.outputs if o.output_type == "execute_result" and o.execution_count != c.execution_count]
    if stale:
        found.append(f"outputs numbered unlike their cells (code cells {stale[:3]})")

    normalised = copy.deepcopy(stored)
    pack_runner.normalise(normalised)
    ids = [c.get("id") for c, n in zip(stored.cells, normalised.cells) if c.get("id") != n["id"]]
    if ids:
        found.append(f"cell ids {ids[:3]} not of the runner's form ('cell-00', 'cell-01', ...)")
    volatile = sorted({k for c, n in zip(stored.cells, normalised.cells) for k in c.metadata if k not in n.metadata})
    if volatile:
        found.append(f"volatile cell metadata {volatile}")
    changed = sorted(k for k in set(stored.metadata) | set(normalised.metadata) if stored.metadata.get(k) != normalised.metadata.get(k))
    if changed:
        found.append(f"notebook metadata {changed} unlike the runner's")
    written = io.StringIO()
    nbformat.write(normalised, written)
    if not found and written.getvalue() != text:
        found.append("its JSON is laid out unlike nbformat's (saved by another tool?)")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_notebook_is_as_make_notebooks_writes_it(path):
    # A notebook run cell by cell in JupyterLab and saved keeps the lab's counts (from 17 up, with
    # gaps), its timing metadata and its own cell ids; nbval compares outputs only and lets it pass.
    found = departures(path.read_text(encoding="utf-8"))
    assert not found, f"{path.name} is not as make notebooks writes it: {'; '.join(found)}. Run make notebooks (and commit the result)"


def saved_from_the_lab(text: str) -> str:
    """A notebook as JupyterLab saves it after its cells were run again by hand in one session:
    counts from 17 up, timing metadata on each code cell, the lab's cell ids, widget state."""
    nb = json.loads(text)
    for i, cell in enumerate(nb["cells"]):
        cell["id"] = f"{i:08x}-7c1e-4b0a-9f3d-2a6b5e4c{i:04x}"
        if cell["cell_type"] == "code":
            cell["execution_count"] += 16
            for out in cell["outputs"]:
                if out["output_type"] == "execute_result":
                    out["execution_count"] += 16
            cell["metadata"]["execution"] = {"iopub.execute_input": "2026-03-02T09:15:02.114Z", "iopub.status.idle": "2026-03-02T09:15:02.730Z"}
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2, "version_minor": 0}}
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def test_a_notebook_saved_from_the_lab_is_caught(tmp_path):
    path = tmp_path / NOTEBOOKS[0].name  # a copy: the committed notebook is never touched
    path.write_text(saved_from_the_lab(NOTEBOOKS[0].read_text(encoding="utf-8")), encoding="utf-8")
    found = "; ".join(departures(path.read_text(encoding="utf-8")))
    assert "execution counts [17, 18, 19]... instead of 1.." in found, found
    assert "outputs numbered unlike their cells" not in found  # the lab shifts both alike
    assert "volatile cell metadata ['execution']" in found and "cell ids" in found and "'widgets'" in found, found
    with pytest.raises(AssertionError, match=rf"{path.name} is not as make notebooks writes it: .*Run make notebooks"):
        test_stored_notebook_is_as_make_notebooks_writes_it(path)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda nb: nb["cells"][2].__setitem__("id", "a3f9c2d1"), "cell ids ['a3f9c2d1']"),
        (lambda nb: next(c for c in nb["cells"] if c["cell_type"] == "code")["metadata"].__setitem__("scrolled", True), "volatile cell metadata ['scrolled']"),
        (lambda nb: nb["metadata"]["kernelspec"].__setitem__("display_name", "Python 3"), "notebook metadata ['kernelspec']"),
        (lambda nb: nb["cells"].__delitem__(next(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code")), "execution counts [2, 3, 4]"),
    ],
    ids=["cell id", "scrolled", "kernelspec", "a gap in the counts"],
)
def test_each_departure_from_the_runner_is_named(change, named):
    nb = json.loads(NOTEBOOKS[0].read_text(encoding="utf-8"))
    assert departures(json.dumps(nb, indent=1, ensure_ascii=False) + "\n") == []  # the check passes an exact copy
    change(nb)
    assert named in "; ".join(departures(json.dumps(nb, indent=1, ensure_ascii=False) + "\n"))


# --- the sentences a reader meets: key findings and chart titles ----------------------------------

# What a filled-in template prints and an analyst would not write.
TEMPLATE_TELLS = {
    "a raw quarter": re.compile(r"\b\d{4}Q[1-4]\b"),
    "a raw interval": re.compile(r"\b\d{4}(Q[1-4]|-\d{2}(-\d{2})?)?/\d{4}"),
    "a raw month or day": re.compile(r"\b\d{4}-\d{2}\b"),
    "a zero count ('0 new markets' for 'no new markets')": re.compile(r"(?<![\d.,$¥])0 [a-z]"),
    "a sign in figures where a verb should say it": re.compile(r"changed by (about |more than )?-|\bby -\d|: -\d|, -\d"),
    "a year stated in days": re.compile(r"\b36[56] days"),
    "more precision than the inputs ('about 294,643')": re.compile(r"about \d{1,3},(?!000\b)\d{3}\b"),
    "a label list ('(pressure, S1)', ', World.')": re.compile(r"\((pressure|contrast|battleground), S\d\)|, World\.$"),
    "a doubled measure ('growth grew', \"Holdings's\")": re.compile(r"growth grew|(?<!s)s's\b"),
}


def printed_sentences(path) -> list[str]:
    """Each key finding (a '- ' line of the findings cell) and each chart title, as stored."""
    found = []
    for cell in cells(path):
        for out in cell.get("outputs", []):
            plain = "".join(out.get("data", {}).get("text/plain", ""))
            if plain.startswith("- "):
                found += [line[2:] for line in plain.splitlines() if line.startswith("- ")]
            elif plain.startswith("Chart data: "):
                found.append(plain.splitlines()[0][len("Chart data: ") :])
    return found


def tells(sentence: str) -> list[str]:
    return [name for name, pattern in TEMPLATE_TELLS.items() if pattern.search(sentence)]


def test_the_sentence_scan_catches_what_it_should():
    # Sentences the pack printed before they were rewritten: each must be caught.
    before = [
        "AliExpress, Amazon, eBay opened 0 new markets.",
        "Amazon gained 165,000 new sellers (about 294,643 in 2024, implied).",
        "its active sellers changed by about -31% over 2021/2025.",
        "opening a trade conflict of nearly 365 days.",
        "Temu cut its US ad spend by 31% (2025-03-31/2025-04-13).",
        "WOOK reported revenue for 2025Q1/2025Q3.",
        "Slowing growth (pressure, S1): 8.8% in 2025, Global retail e-commerce, Retail e-commerce sales growth, World.",
        "PDD Holdings's revenue growth grew 7% in 2025Q2.",
    ]
    assert all(tells(s) for s in before), [s for s in before if not tells(s)]
    after = ["AliExpress, Amazon and eBay opened no new markets.", "about 290,000 in 2024", "fell about 31% from 2021 to 2025", "$0.84 to about $1.12"]
    assert not any(tells(s) for s in after), [(s, tells(s)) for s in after if tells(s)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_printed_sentences_read_as_an_analyst_writes(path):
    sentences = printed_sentences(path)
    assert sentences, "no key findings or chart titles found"
    bad = [f"{s!r}: {', '.join(tells(s))}" for s in sentences if tells(s)]
    assert not bad, "sentences that read like a filled-in template (say them in words; see helpers.core.formatting):\n" + "\n".join(bad)
