"""The data package as a whole: Frictionless agrees, and the rules of the pack hold."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from helpers.core.figure import QUALIFIER_FILLS
from helpers.data import load_package
from tests.conftest import DATA, ROOT


def test_frictionless_validate_passes():
    frictionless = Path(sys.executable).with_name("frictionless")
    result = subprocess.run([str(frictionless), "validate", "--json", "data/datapackage.json"], capture_output=True, text=True, cwd=ROOT)
    report = json.loads(result.stdout)
    assert report["valid"], json.dumps(report["tasks"], indent=1)[:3000]


def test_frictionless_catches_an_unknown_metric(data_copy):
    # The same descriptor guards the data outside the pack's own loader too.
    from tests.conftest import set_cell

    set_cell(data_copy / "observations.csv", "s1-global-ecom-growth-2025", "metric", "nope")
    frictionless = Path(sys.executable).with_name("frictionless")
    result = subprocess.run([str(frictionless), "validate", "--json", str(data_copy / "datapackage.json")], capture_output=True, text=True)
    assert not json.loads(result.stdout)["valid"]


def test_schema_declares_every_qualifier_the_loader_knows():
    descriptor = json.loads((DATA / "datapackage.json").read_text())
    (obs,) = [r for r in descriptor["resources"] if r["name"] == "observations"]
    (qualifier,) = [f for f in obs["schema"]["fields"] if f["name"] == "qualifier"]
    assert set(qualifier["constraints"]["enum"]) == set(QUALIFIER_FILLS)


def test_every_section_has_a_notebook_that_exists():
    pkg = load_package()
    for row in pkg.sections.itertuples():
        assert (ROOT / "notebooks" / row.notebook).exists() or row.id not in set(pkg.observations["section"]) | set(pkg.events["section"]), row.notebook


def test_sources_never_guess_a_url():
    pkg = load_package()
    # Where the article does not give an address, the cell stays empty (never a guessed URL).
    assert (pkg.sources["url"].eq("") | pkg.sources["url"].str.startswith("http")).all()
