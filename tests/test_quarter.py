"""`make quarter Q=...`: the quarter is checked first, and the series without a figure are listed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from helpers import data
from helpers.core.periods import next_period
from helpers.pack import quarter
from tests.conftest import ROOT, read_rows, write_rows


@pytest.mark.parametrize("good", ["2026Q1", "2025Q4", " 2027Q3 "])
def test_a_quarter_is_accepted(good):
    assert quarter.parse_quarter(good) == good.strip()


@pytest.mark.parametrize("bad", ["2026Q5", "2026Q0", "2026", "2026-03", "Q1 2026", "26Q1"])
def test_a_bad_quarter_is_one_clear_line(bad, capsys):
    with pytest.raises(ValueError, match="is not a quarter: expected a year and Q1 to Q4, e.g. 2026Q1"):
        quarter.parse_quarter(bad)
    assert quarter.main(["check", bad]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: Q={bad.strip()} is not a quarter")


def test_no_quarter_says_how_to_give_one(capsys):
    assert quarter.main(["check", ""]) == 2
    assert "make quarter Q=2026Q1" in capsys.readouterr().err


def latest_quarter_end_next() -> str:
    """The quarter after the one holding the latest period end in the data (computed, not typed)."""
    end = data.observations()["end"].max()
    return next_period(f"{end.year}Q{(end.month - 1) // 3 + 1}")


def test_coverage_marks_the_series_given_a_figure_for_the_quarter(data_copy):
    q = latest_quarter_end_next()
    before = quarter.coverage(q)
    assert len(before) and not before["has figure"].any(), "nothing in the data ends after the latest end"
    # Give one series (the first listed) a figure for q by copying its latest row to the new period.
    target = before.iloc[0]
    obs = data.observations()
    row = obs[
        (obs["entity_label"] == target["entity"])
        & (obs["metric_label"] == target["metric"])
        & (obs["market"] == target["market"])
        & (obs["segment"] == target["segment"])
    ].iloc[-1]
    rows = read_rows(data_copy / "observations.csv")
    new = list(next(r for r in rows if r[0] == row["id"]))
    new[0], new[rows[0].index("period")] = "test-added-" + q.lower(), q
    write_rows(data_copy / "observations.csv", rows + [new])

    after = quarter.coverage(q)
    assert len(after) == len(before)
    covered = after[after["has figure"]]
    assert covered[["entity", "market", "segment", "metric"]].values.tolist() == [target[["entity", "market", "segment", "metric"]].tolist()]
    assert covered["latest period"].tolist() == [q]
    report = quarter.missing_report(q)
    assert report.startswith(f"As of {q}: 1 of {len(after)} series have a figure for {q}; {len(after) - 1} have no figure for {q} yet")
    assert f"{target['notebook']} (section {target['section']})" in report or len(after) == 1


def test_rows_after_the_quarter_are_not_counted():
    # As of the quarter of the earliest figure, only the series that began by then are listed.
    from helpers.core.periods import period_bounds

    obs = data.observations()
    earliest = obs["end"].min()
    q = f"{earliest.year}Q{(earliest.month - 1) // 3 + 1}"
    table = quarter.coverage(q)
    assert len(table) >= 1
    assert all(period_bounds(p)[1] <= period_bounds(q)[1] for p in table["latest period"])
    assert len(table) < len(quarter.coverage(latest_quarter_end_next()))


def test_make_quarter_refuses_a_bad_quarter_before_running_anything():
    result = subprocess.run(["make", "--no-print-directory", "quarter", "Q=2026Q5"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode != 0
    assert "error: Q=2026Q5 is not a quarter" in result.stderr
    assert "run_notebooks" not in result.stdout
    assert not (ROOT / "reports" / "2026Q5").exists()


# --- a quarter before the data: each part that needs missing rows says so, the rest runs ----------

RUN = [sys.executable, "-m", "helpers.pack.runner", "--jobs", "1"]


def error_outputs(path) -> list[dict]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [o for c in cells for o in c.get("outputs", []) if o.get("output_type") == "error"]


def test_a_quarter_before_the_data_renders_with_a_note_for_each_missing_part(tmp_path):
    earliest = min(data.observations()["start"].min(), data.events()["start"].min())
    q = f"{earliest.year - 1}Q4"  # wholly before every figure and event: computed, never typed
    notebook = ROOT / "notebooks" / data.load_package().sections.set_index("id").at["S2", "notebook"]
    done = subprocess.run([*RUN, "--as-of", q, "--out", str(tmp_path), str(notebook)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    errors = error_outputs(tmp_path / notebook.name)
    assert errors, "nothing was missing as of a quarter before the data"
    assert {e["ename"] for e in errors} == {"NotInData"}, [e["ename"] for e in errors]
    assert all(len(e["traceback"]) == 1 and e["traceback"][0].startswith("Not in the data as viewed: ") for e in errors)
    listed = [line for line in done.stdout.splitlines() if line.startswith(f"  not in the data as of {q}: ")]
    assert len(listed) == len(errors) and any("Key findings: no figure of " in line for line in listed), done.stdout
    assert "(no rows)" in notebook_text(tmp_path / notebook.name), "the figures table is shown, empty"


def notebook_text(path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(o.get("data", {}).get("text/plain", "")) for c in cells for o in c.get("outputs", []))
