"""Each kind of bad input gets one clear error naming the file, the CSV line and the column."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass

import pytest

from helpers.data import DataValidationError, load_package
from helpers.pack import runner as pack_runner
from tests.conftest import DATA, ROOT, read_rows, set_cell, write_rows

ROW = "s1-global-ecom-growth-2025"  # an exact figure of section 1
BOUND_ROW = "s1-global-ecom-growth-2023"  # a 'less than' figure
SHOPEE_ROW = "s2-shopee-growth-2025"  # entity shopee
EVENT_ROW = "s3-ev-temu-enters-colombia"  # an event dated 2025


@dataclass
class ValidateRun:
    """`python -m helpers.data` (make validate) started on a data folder, and the line it was spoiled on."""

    process: subprocess.Popen
    line: int | None = None

    def result(self) -> subprocess.CompletedProcess:
        stdout, stderr = self.process.communicate(timeout=120)
        return subprocess.CompletedProcess(self.process.args, self.process.returncode, stdout, stderr)


@pytest.fixture(scope="module", autouse=True)
def validate_runs(tmp_path_factory):
    """The command on data/ and on two spoiled copies, each in a fresh interpreter, all started when
    the module starts: a run is about a second of interpreter start and imports, which then overlaps
    the in-process tests instead of adding to them. A test reads its run's result."""

    def start(data_dir=None) -> subprocess.Popen:
        env = os.environ if data_dir is None else {**os.environ, "PACK_DATA_DIR": str(data_dir)}
        command = [sys.executable, "-m", "helpers.data"]
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)

    runs = {"real": ValidateRun(start())}
    for name, (column, value) in {"bad period": ("period", "2025Q5"), "fraction": ("value", "0.088")}.items():
        copy = tmp_path_factory.mktemp("validate") / "data"
        shutil.copytree(DATA, copy)
        line = set_cell(copy / "observations.csv", ROW, column, value)
        runs[name] = ValidateRun(start(copy), line)
    yield runs
    for run in runs.values():
        if run.process.poll() is None:
            run.process.kill()
        run.process.communicate()


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
    assert pkg.warnings == (), "\n".join(map(str, pkg.warnings))


def edit_lines(path, change) -> None:
    """Change a file as an editor would, line by line: change(lines) edits the list in place."""
    lines = path.read_text(encoding="utf-8").split("\n")
    change(lines)
    path.write_text("\n".join(lines), encoding="utf-8")


def line_of(path, row_id: str) -> int:
    """The physical line (1-based) that starts with row_id."""
    return next(i for i, text in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if text.startswith(row_id + ","))


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


def test_duplicate_id_names_the_line_of_the_first(data_copy):
    path = data_copy / "observations.csv"
    rows = read_rows(path)
    rows.insert(40, list(rows[11]))  # line 12, pasted again as line 41
    write_rows(path, rows)
    message = problems_of(data_copy)
    assert "(1 problem)" in message, message
    assert_names(message, "observations.csv", 41, "id")
    assert f"got {rows[11][0]!r}; expected a unique key (it repeats line 12); delete this copy of line 12" in message


def test_duplicate_label_names_the_line_of_the_first(data_copy):
    path = data_copy / "entities.csv"
    rows = read_rows(path)
    rows.append(["shopee-too", rows[5][1], rows[5][2]])
    write_rows(path, rows)
    message = problems_of(data_copy)
    assert_names(message, "entities.csv", len(rows), "label")
    assert "a unique value (it repeats line 6)" in message


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


def test_validate_command_exits_non_zero_and_names_the_place(validate_runs):
    run = validate_runs["bad period"]  # a copy of data/ whose ROW has the period 2025Q5
    result = run.result()
    assert result.returncode == 1
    assert f"data/observations.csv, line {run.line}, column 'period'" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_validate_command_passes_on_the_real_data(validate_runs):
    result = validate_runs["real"].result()
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


# --- mistakes a new user makes by hand ---------------------------------------------------------


def test_percent_typed_as_a_fraction_warns_naming_the_fix(data_copy, capsys, validate_runs):
    # 8.8 (percent) typed as 0.088: the series' other figures are 17.1 and a bound of 10. It could
    # be a real 0.088% (growth can stall), so it is a warning that names the row and the fix, and
    # the load, make validate and the notebook runner all go on.
    line = set_cell(data_copy / "observations.csv", ROW, "value", "0.088")
    pkg = load_package(data_copy)
    (warning,) = pkg.warnings
    text = str(warning)
    assert text.startswith(f"data/observations.csv, line {line}, column 'value': got '0.088'"), text
    assert "a percent typed as a fraction?" in text and "from 10 to 17.1" in text
    assert "write 8.8 if 8.8% is meant" in text

    run = validate_runs["fraction"]  # make validate on a copy of data/ with the same change
    assert run.line == line
    result = run.result()
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("data package is valid")
    assert f"warning: {text}" in result.stdout

    pack_runner.validate_data()  # does not stop the run
    assert f"warning: {text}" in capsys.readouterr().err


def test_percent_fraction_warning_also_comes_with_errors(data_copy):
    set_cell(data_copy / "observations.csv", ROW, "value", "0.088")
    set_cell(data_copy / "observations.csv", BOUND_ROW, "period", "2023Q9")
    message = problems_of(data_copy)
    assert "(1 problem)" in message and "warnings, not errors" in message and "write 8.8 if 8.8% is meant" in message


@pytest.mark.parametrize(
    ("row_id", "value", "why"),
    [
        (ROW, "0.001", "a hundred times it (0.1) is far below the series' other figures (10, 17.1)"),
        (ROW, "1.5", "not below 1"),
        ("s1-amazon-cpc-us-2025", "0.5", "the metric is in dollars, not percent"),
        ("s2-shopee-growth-2025", "0.3", "no other figure in its series (shopee, WLD, growth)"),
    ],
)
def test_percent_fraction_warning_spares_what_is_plausible(data_copy, row_id, value, why):
    set_cell(data_copy / "observations.csv", row_id, "value", value)
    assert load_package(data_copy).warnings == (), why


def test_blank_line_is_reported_and_later_lines_stay_physical(data_copy):
    path = data_copy / "observations.csv"
    edit_lines(path, lambda lines: lines.insert(10, ""))  # line 11 is now blank
    later = line_of(path, SHOPEE_ROW)
    assert later > 11
    edit_lines(path, lambda lines: lines.__setitem__(later - 1, lines[later - 1].replace(",actual,", ",final,", 1)))
    message = problems_of(data_copy)
    assert "data/observations.csv, line 11: a blank line: delete it" in message, message
    # A row after the blank line is named by the line an editor shows, not one line too early.
    assert f"data/observations.csv, line {later}, column 'status': got 'final'" in message, message
    assert "(2 problems)" in message


def test_blank_lines_at_the_end_are_harmless(data_copy):
    path = data_copy / "observations.csv"
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n\n\n", encoding="utf-8")
    load_package(data_copy)


def test_line_of_spaces_is_named(data_copy):
    edit_lines(data_copy / "events.csv", lambda lines: lines.insert(5, "   "))
    message = problems_of(data_copy)
    assert "data/events.csv, line 6: a line of only spaces: delete it" in message, message


def test_lines_after_a_line_break_in_quotes_stay_physical(data_copy):
    path = data_copy / "observations.csv"
    set_cell(path, "s1-us-inflation-2022-06", "note", "first line\nsecond line")
    set_cell(path, SHOPEE_ROW, "status", "final")
    message = problems_of(data_copy)
    assert_names(message, "observations.csv", line_of(path, SHOPEE_ROW), "status")


def test_header_pasted_again_is_one_problem(data_copy):
    path = data_copy / "observations.csv"
    edit_lines(path, lambda lines: lines.insert(30, lines[0]))
    message = problems_of(data_copy)
    assert "(1 problem)" in message, message
    assert "data/observations.csv, line 31: a repeated header row: delete line 31" in message


@pytest.mark.parametrize(
    ("row_id", "column", "bad", "meant"),
    [
        (SHOPEE_ROW, "entity", "Shopee", "shopee"),
        (SHOPEE_ROW, "entity", "shopee ", "shopee"),
        (SHOPEE_ROW, "entity", "shoppe", "shopee"),
        ("s2-tiktok-shop-growth-2025", "entity", "tiktok_shop", "tiktok-shop"),
        (ROW, "market", "wld", "WLD"),
        ("s1-instagram-cpm-us-2024q4", "metric", "ad-cpm", "ad_cpm"),
        (ROW, "source_id", "Chuhai-Cankao-Ecom-Growth", "chuhai-cankao-ecom-growth"),
        (ROW, "qualifier", "Exact", "exact"),
        (ROW, "status", "actuals", "actual"),
    ],
)
def test_near_miss_of_a_key_gets_did_you_mean(data_copy, row_id, column, bad, meant):
    line = set_cell(data_copy / "observations.csv", row_id, column, bad)
    message = problems_of(data_copy)
    assert_names(message, "observations.csv", line, column)
    assert f"got {bad!r}" in message and f"did you mean {meant!r}?" in message, message


def test_unknown_key_far_from_any_gets_no_guess(data_copy):
    set_cell(data_copy / "observations.csv", ROW, "market", "XXX")
    assert "did you mean" not in problems_of(data_copy)


@pytest.mark.parametrize(
    ("bad", "meant"),
    [
        ("Q3 2025", "2025Q3"),
        ("2025 Q3", "2025Q3"),
        ("Q3-2025", "2025Q3"),
        ("2025-Q3", "2025Q3"),
        ("3Q25", "2025Q3"),
        ("2025q3", "2025Q3"),
        ("Q1 2025/Q3 2025", "2025Q1/2025Q3"),
        ("2021-2025", "2021/2025"),
        ("2025/2021", "2021/2025"),
        ("2025-6", "2025-06"),
    ],
)
def test_period_in_another_spelling_gets_did_you_mean(data_copy, bad, meant):
    line = set_cell(data_copy / "observations.csv", ROW, "period", bad)
    message = problems_of(data_copy)
    assert_names(message, "observations.csv", line, "period")
    assert f"got {bad!r}" in message and f"did you mean {meant!r}?" in message, message


def test_event_date_in_another_spelling_gets_did_you_mean(data_copy):
    line = set_cell(data_copy / "events.csv", EVENT_ROW, "date", "Q3 2025")
    message = problems_of(data_copy)
    assert_names(message, "events.csv", line, "date")
    assert "did you mean '2025Q3'?" in message
