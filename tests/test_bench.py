"""helpers.pack.bench measures what it says: its synthetic rows are valid data, its floor notebooks are bare."""

from __future__ import annotations

import json
import shutil

from helpers.data import load_package, observations
from helpers.pack import bench as pack_bench
from tests.conftest import DATA


def load_bench():
    return pack_bench


def test_synthetic_observations_are_valid_and_keep_the_real_rows(tmp_path):
    bench = load_bench()
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    bench.synthetic_observations(DATA / "observations.csv", target / "observations.csv", rows=20_000)
    pkg = load_package(target)  # raises DataValidationError, naming file, line and column, if not
    real = load_package(DATA).observations
    assert len(pkg.observations) == 20_000
    assert pkg.observations["id"].is_unique
    assert pkg.observations.head(len(real))["id"].tolist() == real["id"].tolist()
    synthetic = pkg.observations.iloc[len(real) :]
    # Drawn from the real vocabularies, and varied (not one row repeated).
    for column in ("section", "entity", "market", "metric", "period", "qualifier", "status", "source_id", "locator"):
        assert set(synthetic[column]) <= set(real[column]), column
        assert synthetic[column].nunique() > 1 or real[column].nunique() == 1, column


def test_floor_notebooks_only_import(tmp_path):
    bench = load_bench()
    bench.write_floor_notebooks(tmp_path, 3)
    made = sorted(tmp_path.glob("*.ipynb"))
    assert len(made) == 3
    for path in made:
        (cell,) = json.loads(path.read_text())["cells"]
        lines = [line for line in "".join(cell["source"]).splitlines() if line]
        assert all(line.startswith("import ") for line in lines), lines
        assert {line.split()[1].split(".")[0] for line in lines} == {"pandas", "seaborn", "matplotlib", "helpers"}


def test_synthetic_rows_stay_valid_with_a_figure_from_another_publication(tmp_path):
    """UPDATING.md's worked example (a CPM from a research firm, cited at 'Table 2') added to the
    real rows: the generator keeps each locator with its own source, so the synthetic rows never
    put 'Table 2' on an article source, nor an article paragraph on the firm's report."""
    bench = load_bench()
    source_dir = tmp_path / "with-new-row"
    shutil.copytree(DATA, source_dir)
    with (source_dir / "sources.csv").open("a", encoding="utf-8") as f:
        f.write("acme-ads-report-2026q1,Acme Research,US social advertising prices Q1 2026,2026-04-15,,third_party_research,,2026-04-20\n")
    with (source_dir / "observations.csv").open("a", encoding="utf-8") as f:
        f.write("s1-instagram-cpm-us-2026q1,S1,instagram,USA,,ad_cpm,2026Q1,10.92,,,exact,actual,acme-ads-report-2026q1,Table 2,US feed ads.\n")
    load_package(source_dir)  # the hand-added row itself is valid
    target = tmp_path / "data"
    shutil.copytree(source_dir, target)
    bench.synthetic_observations(source_dir / "observations.csv", target / "observations.csv", rows=5_000)
    pkg = load_package(target)
    acme = pkg.observations[pkg.observations["source_id"] == "acme-ads-report-2026q1"]
    assert len(acme) > 1 and set(acme["locator"]) == {"Table 2"}
    assert "Table 2" not in set(pkg.observations.loc[pkg.observations["source_id"] != "acme-ads-report-2026q1", "locator"])


def test_growth_rows_are_valid_and_continue_every_series(tmp_path):
    bench = load_bench()
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    real_rows, rows = bench.growth_observations(DATA / "observations.csv", target / "observations.csv", factor=10)
    pkg = load_package(target)  # raises DataValidationError, naming file, line and column, if not
    real = load_package(DATA).observations
    assert (real_rows, rows) == (len(real), 10 * len(real)) == (len(real), len(pkg.observations))
    assert pkg.observations.head(len(real))["id"].tolist() == real["id"].tolist()
    key = ["entity", "market", "segment", "metric"]
    before, after = real.groupby(key).size(), pkg.observations.groupby(key).size()
    assert after.to_dict() == (before * 10).to_dict(), "every series has ten times its rows"
    periods = observations(package=pkg).set_index("id")[["start", "end"]]
    grown = pkg.observations.iloc[len(real) :].join(periods, on="id")
    latest_end = real.join(periods, on="id").groupby(key)["end"].max()
    # Each new row ends after its series' latest real period (an interval recurs a year later, so
    # it may overlap the one before), and no series repeats a period.
    assert (grown["end"].to_numpy() > grown.join(latest_end.rename("latest"), on=key)["latest"].to_numpy()).all()
    assert not grown.duplicated(key + ["period"]).any()
