"""Adding a quarter is adding rows: the notebooks, run as of the new quarter, show them.

On a private copy of data/ (PACK_DATA_DIR, inherited by the notebook kernels), rows are appended for
the quarter after the latest period in the data, one for every quarterly series; the notebooks of
those sections are executed as of that quarter into a temporary folder (one run for every series),
and their figures tables, chart data and watch lists must show each new period and figure. A bad row instead must stop
the run with the file, line and column, before anything is written.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

from helpers import data
from helpers.core.formatting import format_observation
from helpers.core.periods import next_period, period_bounds
from helpers.outputs.watch import SERIES
from helpers.pack import runner as pack_runner
from tests.conftest import ROOT, read_rows, write_rows

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def text_outputs(path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            plain = out.get("data", {}).get("text/plain")
            if plain:
                found.append("".join(plain))
    return found


def quarter_after_latest(obs) -> str:
    """The quarter after the one holding the latest period end in the data: computed, never typed."""
    end = obs["end"].max()
    return next_period(f"{end.year}Q{(end.month - 1) // 3 + 1}")


def new_row(template: list[str], header: list[str], row, quarter: str, n: int) -> list[str]:
    """A copy of the series' latest row for the new quarter, stating a point figure."""
    cells = dict(zip(header, template))
    base = row["value"] if row["value"] == row["value"] else (row["value_high"] if row["value_high"] == row["value_high"] else row["value_low"])
    decimals = int(row["decimals"])
    cells.update(
        id=f"test-{quarter.lower()}-{n}",
        period=quarter,
        value=f"{base * 1.25 + 1:.{decimals}f}",
        value_low="",
        value_high="",
        qualifier="exact",
        status="actual",
        note="Test row appended by tests/test_add_quarter.py to a private copy of the data.",
    )
    return [cells[h] for h in header]


def run_pack(out_dir, quarter: str, notebooks) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "helpers.pack.runner", "--jobs", str(len(notebooks)), "--as-of", quarter, "--out", str(out_dir), *map(str, notebooks)]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=600)


def load_runner():
    """helpers.pack.runner as a module, to call its main() in this process (no kernel is started
    when the data is invalid, so a subprocess would only add an interpreter start)."""
    return pack_runner


def test_a_bad_row_stops_the_run_before_anything_is_written(data_copy, tmp_path, capsys):
    obs = data.observations()
    quarter = quarter_after_latest(obs)
    path = data_copy / "observations.csv"
    rows = read_rows(path)
    header = rows[0]
    bad = dict(zip(header, rows[1]))
    bad.update(id=f"test-bad-{quarter.lower()}", period=quarter, value="1,5", value_low="", value_high="", qualifier="exact")
    write_rows(path, rows + [[bad[h] for h in header]])
    line = len(rows) + 1  # the header is line 1

    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in NOTEBOOKS}
    out = tmp_path / "out"
    assert load_runner().main(["--as-of", quarter, "--out", str(out), *map(str, NOTEBOOKS)]) == 1
    err = capsys.readouterr().err
    assert f"data/observations.csv, line {line}, column 'value': got '1,5'" in err
    assert "no notebook was executed or written" in err
    assert not out.exists(), "nothing may be written when the data is invalid"
    assert before == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in NOTEBOOKS}


def test_next_quarter_of_every_quarterly_series_reaches_a_chart(data_copy, tmp_path):
    """Carrying the pack forward as an analyst does: one new publication (not the article, citing
    its own place), the next quarter of every quarterly series in the data, validation, then the
    notebooks of those sections as of that quarter. Every new row must reach a chart's data."""
    obs = data.observations()
    quarterly = obs[obs["period_kind"] == "quarter"]
    latest = quarterly.sort_values(["end", "id"], kind="stable").groupby(SERIES, sort=False, dropna=False).tail(1)
    quarter = quarter_after_latest(obs)
    assert period_bounds(quarter)[0] > obs["end"].max(), "the new quarter must lie after every period in the data"
    with (data_copy / "sources.csv").open("a", encoding="utf-8") as f:
        f.write(
            "test-next-quarter-releases,A results service,Next quarter's results of every company,,https://results.example/next,company_release,,2026-12-01\n"
        )
    path = data_copy / "observations.csv"
    rows = read_rows(path)
    header, by_id = rows[0], {r[0]: r for r in rows[1:]}
    added = []
    for n, (_, row) in enumerate(latest.iterrows()):
        new = dict(zip(header, new_row(by_id[row["id"]], header, row, quarter, n)))
        new.update(source_id="test-next-quarter-releases", locator=f"Highlights, line {n + 1}")
        added.append([new[h] for h in header])
    write_rows(path, rows + added)
    data.load_package(data_copy)  # valid, or the message names file, line and column

    sections = sorted(set(latest["section"]))
    notebook_of = data.load_package().sections.set_index("id")["notebook"]
    notebooks = [ROOT / "notebooks" / notebook_of[s] for s in sections]
    # What the notebooks must print for each new row, from the loader itself (not typed here).
    joined = data.observations(as_of=quarter).set_index("id")
    result = run_pack(tmp_path / "out", quarter, notebooks)
    assert result.returncode == 0, result.stderr[-3000:]

    texts = {nb.name: text_outputs(tmp_path / "out" / nb.name) for nb in notebooks}
    charted = "\n".join(t for found in texts.values() for t in found if t.startswith("Chart data:"))
    missing = [(r[0], dict(zip(header, r))["metric"]) for r in added if r[0] not in charted]
    assert not missing, f"new rows in no chart's data: {missing}"
    assert len(added) >= 20  # the companies' series, not only the article's
    for new in added:
        row = joined.loc[new[0]]
        shown = texts[notebook_of[row["section"]]]
        figures = [t for t in shown if t.startswith("Figures of this section")]
        charts = [t for t in shown if t.startswith("Chart data:")]
        watches = [t for t in shown if t.startswith("Series of this section")]
        assert figures and charts and watches, f"{notebook_of[row['section']]}: figures table, chart data and watch list expected"
        expected = format_observation(row)
        for where, found in (("figures table", lines_with(figures, new[0])), ("chart data", lines_with(charts, new[0]))):
            assert found, f"{new[0]} ({row['entity_label']}, {row['metric_label']}) missing from the {where}"
            assert all(quarter in ln and expected in ln for ln in found), f"{new[0]} {where}: {found}"
        # The watch list now has the new quarter as the series' latest period, and the next one to add.
        watch = [ln for ln in lines_with(watches, row["metric_label"]) if row["entity_label"] in ln and row["segment"] in ln and expected in ln]
        assert watch and all(quarter in ln and next_period(quarter) in ln for ln in watch), f"{new[0]} watch list: {watch or watches[0][:2000]}"


def lines_with(texts: list[str], key: str) -> list[str]:
    return [ln for t in texts for ln in t.splitlines() if key in ln]
