"""The conda file, the pip pins and the lock file name the same versions."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def pins(text: str, sep: str) -> dict[str, str]:
    found = {}
    for line in text.splitlines():
        m = re.match(rf"^\s*-?\s*([A-Za-z0-9_.-]+)\s*{sep}\s*([0-9][^\s#]*)", line)
        if m:
            found[m[1].lower().replace("_", "-")] = m[2]
    return found


def test_environment_yml_matches_requirements_in():
    yml = (ROOT / "environment.yml").read_text()
    conda = pins(yml, "==?")  # conda pins use '=', its pip section '=='
    conda.pop("python")
    wanted = pins((ROOT / "requirements.in").read_text(), "==") | pins((ROOT / "requirements-lab.in").read_text(), "==")
    assert conda == wanted


def test_lock_file_holds_every_top_level_pin():
    lock = pins((ROOT / "requirements.txt").read_text(), "==")
    for name, version in pins((ROOT / "requirements.in").read_text(), "==").items():
        assert lock.get(name) == version, f"requirements.txt has {name}=={lock.get(name)}, requirements.in pins {version}: run make lock"


def test_environment_yml_pins_python_3_11():
    assert re.search(r"^\s*-\s*python=3\.11\s*$", (ROOT / "environment.yml").read_text(), re.M)
