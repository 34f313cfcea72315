"""Each kind of bad input gets one clear error naming the file, the CSV line and the column."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from helpers.data import DataValidationError, load_package
from tests.conftest import ROOT, read_rows, set_cell, write_rows

ROW = "s1-global-ecom-growth-2025"  # an exact figure of section 1
BOUND_ROW = "s1-global-ecom-growth-2023"  # a 'less than' figure


def problems_of(data_dir) -> str:
    with pytest.raises(DataValidationError) as caught:
        load_package(data_dir)
    return str(caught.value)


def assert_names(message: str, file: str, line: int | None, column: str | None) -> None:
    assert f"data/{file}" in message
    if line is not None:
        assert f"line {line}" in message, message
    if column is not None:
        assert f"column '{column}'" in message, message


def test_real_package_is_valid():
    pkg = load_package()
    assert len(pkg.observations) > 0 and pkg.observations["id"].is_unique


@pytest.mark.parametrize(
    ("column", "bad", "expected"),
    [
        ("metric", "ecom_growth_typo", "listed in data/metrics.csv"),
        ("source_id", "no-such-source", "listed in data/sources.csv"),
        ("entity", "Amazon", "listed in data/entities.csv"),
        ("market", "XXX", "listed in data/markets.csv"),
        ("period", "2025Q5", "a period"),
        ("period", "2025-02-30", "a period"),
        ("period", "2025/2024", "a period"),
        ("value", "8,8", "a number"),
        ("value", "n/a", "a number"),
        ("qualifier", "roughly", "one of exact"),
        ("status", "final", "one of actual"),
        ("locator", "p8", "article paragraphs such as P08"),
        ("section", "S9", "one of S1"),
        ("id", "", "a value (this column is required)"),
        ("source_id", "", "a value (this column is required)"),
    ],
)
def test_bad_cell_is_named(data_copy, column, bad, expected):
    line = set_cell(data_copy / "observations.csv", ROW, column, bad)
    message = problems_of(data_copy)
    assert_names(message, "observations.csv", line, column)
    assert expected in message
    if bad:
        assert repr(bad) in message


def test_low_above_high(data_copy):
    rows = read_rows(data_copy / "observations.csv")
    rid = next(r[0] for r in rows if r[rows[0].index("qualifier")] == "range")
    set_cell(data_copy / "observations.csv", rid, "value_low", "99")
    line = set_cell(data_copy / "observations.csv", rid, "value_high", "3")
    message = problems_of(data_copy)
    assert_names(message, "observations.csv", line, "value_low")
    assert "no higher than value_high" in message


def test_duplicate_id(data_copy):
    path = data_copy / "observations.csv"
    rows = read_rows(path)
    rows.append(list(rows[1]))
    write_rows(path, rows)
    message = problems_of(data_copy)
    assert_names(message, "observations.csv", len(rows), "id")
    assert "unique" in message


def test_bound_qualifier_without_its_bound(data_copy):
    line = set_cell(data_copy / "observations.csv", BOUND_ROW, "value_high", "")
    message = problems_of(data_copy)
    assert_names(message, "observations.csv", line, "value_high")
    assert "qualifier 'less_than'" in message


def test_bound_stored_as_a_point_is_refused(data_copy):
    # "below 10%" must not become 10: a bound qualifier leaves value empty.
    line = set_cell(data_copy / "observations.csv", BOUND_ROW, "value", "10")
    message = problems_of(data_copy)
    assert_names(message, "observations.csv", line, "value")
    assert "an empty cell" in message


def test_bad_encoding(data_copy):
    path = data_copy / "observations.csv"
    raw = path.read_bytes().split(b"\n")
    raw[3] = raw[3].replace(b"actual", b"actu\xe9l", 1)
    path.write_bytes(b"\n".join(raw))
    message = problems_of(data_copy)
    assert_names(message, "observations.csv", 4, None)
    assert "UTF-8" in message


@pytest.mark.parametrize("change", ["extra", "missing"])
def test_ragged_row(data_copy, change):
    path = data_copy / "observations.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[2] = lines[2] + ",surplus" if change == "extra" else lines[2].rsplit(",", 2)[0]
    path.write_text("\n".join(lines), encoding="utf-8")
    message = problems_of(data_copy)
    assert_names(message, "observations.csv", 3, None)
    assert "fields, as in the header" in message


def test_wrong_header(data_copy):
    path = data_copy / "metrics.csv"
    text = path.read_text(encoding="utf-8").replace("decimals", "places", 1)
    path.write_text(text, encoding="utf-8")
    message = problems_of(data_copy)
    assert_names(message, "metrics.csv", 1, None)
    assert "missing: decimals" in message


def test_every_problem_reported_at_once(data_copy):
    set_cell(data_copy / "observations.csv", ROW, "metric", "nope")
    set_cell(data_copy / "observations.csv", BOUND_ROW, "period", "2023Q9")
    message = problems_of(data_copy)
    assert "(2 problems)" in message


def test_correction_must_match_the_data(data_copy):
    path = data_copy / "corrections.csv"
    rows = read_rows(path)
    rows.append([ROW, "value", "8.7", "8.9", "a reason", "2026-03-01"])
    write_rows(path, rows)
    message = problems_of(data_copy)
    assert_names(message, "corrections.csv", len(rows), "new_value")
    set_cell(data_copy / "observations.csv", ROW, "value", "8.9")
    load_package(data_copy)  # the data now matches the latest correction


def test_validate_command_exits_non_zero_and_names_the_place(data_copy):
    line = set_cell(data_copy / "observations.csv", ROW, "period", "2025Q5")
    env = {**os.environ, "PACK_DATA_DIR": str(data_copy)}
    result = subprocess.run([sys.executable, "-m", "helpers.data"], capture_output=True, text=True, env=env, cwd=ROOT)
    assert result.returncode == 1
    assert f"data/observations.csv, line {line}, column 'period'" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_validate_command_passes_on_the_real_data():
    result = subprocess.run([sys.executable, "-m", "helpers.data"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout
    assert re.match(r"data package is valid: \d+ observations", result.stdout)


def test_article_rows_cite_paragraphs_of_their_section(data_copy):
    line = set_cell(data_copy / "observations.csv", ROW, "locator", "P30")
    message = problems_of(data_copy)
    assert_names(message, "observations.csv", line, "locator")
    assert "paragraphs of section S1 (P01 to P13)" in message


def test_rows_from_another_publication_cite_its_own_place(data_copy):
    # A new quarter's figure from a report the article never saw cites that report (Table 2),
    # while a row read in the article must still cite paragraphs.
    sources = read_rows(data_copy / "sources.csv")
    sources.append(["acme-ads-2026q1", "Acme Ads", "Quarterly ad prices", "2026-04-15", "", "third_party_research", "", "2026-04-20"])
    write_rows(data_copy / "sources.csv", sources)
    set_cell(data_copy / "observations.csv", ROW, "source_id", "acme-ads-2026q1")
    set_cell(data_copy / "observations.csv", ROW, "locator", "Table 2")
    load_package(data_copy)
    line = set_cell(data_copy / "observations.csv", BOUND_ROW, "locator", "Table 2")
    message = problems_of(data_copy)
    assert_names(message, "observations.csv", line, "locator")
    assert "article paragraphs" in message


def test_release_read_through_another_article_cites_its_own_place(data_copy):
    """Only the analysed article (datapackage.json's "article") forces paragraph locators: a
    company release read through a news site's verbatim copy, itself of kind 'article', cites the
    release's own place."""
    with (data_copy / "sources.csv").open("a", encoding="utf-8") as f:
        f.write("news-portal-copy,A news portal,Copy of a results release,2026-02-05,https://news.example/release,article,,2026-11-30\n")
        f.write("acme-q4-release,Acme Inc.,Acme Reports Fourth Quarter Results,2026-02-05,,company_release,news-portal-copy,2026-11-30\n")
    with (data_copy / "observations.csv").open("a", encoding="utf-8") as f:
        f.write("s2-acme-growth-2025q4,S2,amazon,WLD,,ecom_business_growth,2025Q4,12,,,exact,actual,acme-q4-release,Highlights,A test row.\n")
    load_package(data_copy)
    # ...while a figure read in the analysed article still must cite its paragraphs.
    line = set_cell(data_copy / "observations.csv", ROW, "locator", "Highlights")
    assert_names(problems_of(data_copy), "observations.csv", line, "locator")


def test_the_analysed_article_is_declared(data_copy):
    descriptor = json.loads((data_copy / "datapackage.json").read_text(encoding="utf-8"))
    descriptor.pop("article")
    (data_copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    assert '"article"' in problems_of(data_copy)
