"""scripts/bench.py measures what it says: its synthetic rows are valid data, its floor notebooks are bare."""

from __future__ import annotations

import json
import shutil

from helpers.data import load_package
from tests.conftest import DATA, load_script


def load_bench():
    return load_script("bench")


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
