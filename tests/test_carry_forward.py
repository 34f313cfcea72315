"""Carrying the pack forward as an analyst does: rows for a new quarter, from a new publication, with
free text pasted from web pages.

On a private copy of data/ (PACK_DATA_DIR, inherited by the notebook kernels): a bad row must stop
the run with the file, line and column, before anything is written. Then one run carries the whole
pack forward: a new source, the next quarter of every quarterly series, and markup (live HTML, a
link, emphasis, a pipe, dollars) appended to every free-text cell of every table. Every notebook is
executed as of that quarter into a temporary folder, and the site is rendered by the run, as `make
quarter` does. Each new row must show its period and figure in its figures table, chart data and
watch list; no markup may be live in a notebook's Markdown or on any page, and all of it is shown as
text. (One run serves both: each run of every notebook costs seconds of kernel time.)
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import data
from helpers.core.formatting import format_observation
from helpers.core.periods import next_period, period_bounds
from helpers.outputs.watch import SERIES
from helpers.pack import runner as pack_runner
from tests.browser import Visit
from tests.conftest import ROOT, first_bullet, read_rows, write_rows

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


NEW_SOURCE = "test-next-quarter-releases"


def add_next_quarter(folder: Path) -> tuple[str, list[str], list[list[str]]]:
    """Append one new publication (not the article, citing its own place) and the next quarter of
    every quarterly series to the package in `folder`: (the quarter, the header, the rows added)."""
    obs = data.observations()
    quarterly = obs[obs["period_kind"] == "quarter"]
    latest = quarterly.sort_values(["end", "id"], kind="stable").groupby(SERIES, sort=False, dropna=False).tail(1)
    quarter = quarter_after_latest(obs)
    assert period_bounds(quarter)[0] > obs["end"].max(), "the new quarter must lie after every period in the data"
    with (folder / "sources.csv").open("a", encoding="utf-8") as f:
        f.write(f"{NEW_SOURCE},A results service,Next quarter's results of every company,,https://results.example/next,company_release,,2026-12-01\n")
    path = folder / "observations.csv"
    rows = read_rows(path)
    header, by_id = rows[0], {r[0]: r for r in rows[1:]}
    added = []
    for n, (_, row) in enumerate(latest.iterrows()):
        new = dict(zip(header, new_row(by_id[row["id"]], header, row, quarter, n)))
        new.update(source_id=NEW_SOURCE, locator=f"Highlights, line {n + 1}")
        added.append([new[h] for h in header])
    write_rows(path, rows + added)
    data.load_package(folder)  # valid, or the message names file, line and column
    return quarter, header, added


@pytest.fixture(scope="module")
def carried(tmp_path_factory):
    """The pack carried forward on a private copy of data/ (a new quarter, markup in the text) and
    every notebook executed as of that quarter, the site rendered by the run."""
    root = tmp_path_factory.mktemp("carried")
    shutil.copytree(ROOT / "data", root / "data")
    quarter, header, added = add_next_quarter(root / "data")
    names = inject_markup(root / "data")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PACK_DATA_DIR", str(root / "data"))  # inherited by the kernels and read by the builder
        run = subprocess.run(
            # As make quarter runs it: the site is rendered by the run, from the notebooks it executed.
            [sys.executable, "-m", "helpers.pack.runner", "--jobs", "2", "--as-of", quarter, "--out", str(root / "notebooks")]
            + ["--site", str(root / "site"), *map(str, NOTEBOOKS)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=600,
        )
        assert run.returncode == 0, run.stderr[-3000:]
        # What the notebooks must print for each new row, from the loader itself (not typed here).
        joined = data.observations(as_of=quarter).set_index("id")
    return {"quarter": quarter, "header": header, "added": added, "joined": joined, "names": names, "executed": root / "notebooks", "site": root / "site"}


def test_next_quarter_of_every_quarterly_series_reaches_its_tables_and_charts(carried):
    """Every new row shows, with its period and figure, in its section's figures table and a chart's
    data, and the watch list names the new quarter as the series' latest and the next one to add."""
    quarter, header, added, joined = carried["quarter"], carried["header"], carried["added"], carried["joined"]
    notebook_of = data.load_package().sections.set_index("id")["notebook"]
    texts = {nb.name: text_outputs(carried["executed"] / nb.name) for nb in NOTEBOOKS}
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


def payload(column: str) -> str:
    """Markup a cell pasted from a web page may hold: live HTML, a link, emphasis, a table pipe, maths."""
    return f'<b onmouseover="alert(1)" id="inj-{column}">x</b> <img src=x onerror=alert(1)> [a](javascript:alert(1)) *b* _c_ | $1 and $2'


INJECTED_ID = re.compile(r'id="inj-([a-z_-]+)"')


def literals_in_code() -> set[str]:
    """Every quoted string in the notebooks' code and the helpers: a cell holding one of these is a key
    the code selects rows by (segment="average"), not free text, and is left as it is."""
    sources = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "src" / "helpers").glob("*.py"))]
    sources += ["".join(c["source"]) for p in NOTEBOOKS for c in json.loads(p.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    return {m.group(2) for text in sources for m in re.finditer(r"""(["'])([^"'\n]+)\1""", text)}


def inject_markup(folder: Path) -> set[str]:
    """Append payload(table-column) to every filled free-text cell of every table of the data package
    in `folder` (strings without pattern, enum, format or key), and to the package's title and
    description; cells the validation refuses (a locator must name paragraphs, say) keep their value.
    Returns the 'table-column' names injected."""
    from helpers.data import DataValidationError, load_package

    descriptor_path = folder / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    keys = literals_in_code()
    # A value a correction names (a locator moved to another release, say) must equal the field it
    # corrects: it is compared by the validation, like a key, so it is left as it is on both sides.
    corrections = read_rows(folder / "corrections.csv")
    keys |= {row[corrections[0].index(c)] for row in corrections[1:] for c in ("old_value", "new_value")}
    original: dict[tuple[str, int, str], str] = {}
    tables = {}
    for resource in descriptor["resources"]:
        schema = resource["schema"]
        keyed = {f for fk in schema.get("foreignKeys", []) for f in fk["fields"]} | set(schema.get("primaryKey") or [])
        free = [
            f["name"]
            for f in schema["fields"]
            if f.get("type", "string") == "string"
            and not f.get("format")
            and f["name"] not in keyed
            and not {"pattern", "enum"} & set(f.get("constraints", {}))
        ]
        rows = read_rows(folder / resource["path"])
        for column in free:
            i = rows[0].index(column)
            for line, row in enumerate(rows[1:], start=2):
                if row[i] and row[i] not in keys:
                    original[(f"data/{resource['path']}", line, column)] = row[i]
                    row[i] += " " + payload(f"{resource['name']}-{column}")
        tables[resource["path"]] = rows
    for field in ("title", "description"):
        descriptor[field] += " " + payload(f"datapackage-{field}")
    descriptor_path.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    for path, rows in tables.items():
        write_rows(folder / path, rows)
    try:
        load_package(folder)
    except DataValidationError as refused:
        for problem in refused.problems:
            path = problem.file.removeprefix("data/")
            rows = tables[path]
            rows[problem.line - 1][rows[0].index(problem.column)] = original.pop((problem.file, problem.line, problem.column))
        for path, rows in tables.items():
            write_rows(folder / path, rows)
        load_package(folder)  # valid now, or this test has a bug: let it raise
    names = {f"{file.removeprefix('data/').removesuffix('.csv')}-{column}" for file, _, column in original}
    return names | {"datapackage-title", "datapackage-description"}


def outputs(path: Path, mime: str) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(o["data"][mime]) for c in cells for o in c.get("outputs", []) if mime in o.get("data", {})]


def unescaped(chars: str, line: str) -> list[str]:
    """The characters of `chars` (a regex class body) in `line` without a backslash before them."""
    return re.findall(rf"(?<!\\)[{chars}]", line)


def unescaped_markup(markdown: str) -> list[str]:
    """Markup in a stored Markdown output that the helpers' own structure never writes: raw HTML,
    an unescaped bracket, dollar or backtick, or a pipe beyond the table's own column pipes."""
    lines = markdown.splitlines()
    table = [line for line in lines if line.startswith("| ")]
    found = [f"raw HTML: {line[:120]}" for line in lines if "<" in line]
    found += [f"unescaped {chars}: {line[:120]}" for line in lines for chars in (r"\[\]", "$", "`") if unescaped(chars, line)]
    found += [f"a pipe from the data: {line[:120]}" for line in table if len(unescaped("|", line)) != len(unescaped("|", table[0]))]
    found += [f"a pipe from the data: {line[:120]}" for line in lines if not line.startswith("| ") and unescaped("|", line)]
    return found


def test_markup_in_the_data_is_escaped_in_the_stored_markdown(carried):
    names, executed = carried["names"], carried["executed"]
    assert {
        "observations-segment",
        "observations-note",
        "events-description",
        "metrics-label",
        "entities-label",
        "markets-name",
        "sources-publisher",
        "sources-title",
        "sections-title",
    } <= names, sorted(names)
    shown = set()
    for path in NOTEBOOKS:
        markdown, plain = outputs(executed / path.name, "text/markdown"), "\n".join(outputs(executed / path.name, "text/plain"))
        for text in markdown:
            assert not unescaped_markup(text), f"{path.name}: {unescaped_markup(text)}"
        found = {m for text in markdown for m in INJECTED_ID.findall(text)}
        assert found, f"{path.name}: no injected text reached its Markdown outputs"
        assert all(
            f'&lt;b onmouseover="alert(1)" id="inj-{m}"&gt;x&lt;/b&gt; &lt;img src=x onerror=alert(1)&gt; \\[a\\](javascript:alert(1)) \\*b\\* \\_c\\_ \\| \\$1 and \\$2'
            in "\n".join(markdown)
            for m in found
        )
        missing = [m for m in found if payload(m) not in plain]
        assert not missing, f"{path.name}: the plain-text twin must keep the text as it is: {missing}"
        shown |= found
    assert {"observations-segment", "events-description", "entities-label", "markets-name", "metrics-label", "sources-publisher"} <= shown, sorted(shown)


def test_markup_in_the_data_is_text_on_every_page(carried, browser):
    names, executed, site = carried["names"], carried["executed"], carried["site"]
    headlines = {m for path in NOTEBOOKS for m in INJECTED_ID.findall(first_bullet(executed / path.name))}
    pages = [(site / "index.html", headlines | {m for m in names if m.startswith(("datapackage-", "sections-"))})]
    for path in NOTEBOOKS:
        pages.append((site / f"{path.stem}.html", {m for text in outputs(executed / path.name, "text/markdown") for m in INJECTED_ID.findall(text)}))
    alts = []
    for page_file, expected in pages:
        visit = Visit(browser, page_file.as_uri())
        try:
            visit.check_loaded_offline()  # no error, no request for src=x, no dialog: no script ran
            page = visit.page
            live = page.evaluate("""() => [...document.querySelectorAll('[id^="inj-"], img[src="x"], [onmouseover], [onerror], a[href^="javascript:"]')]
                                        .map(e => e.outerHTML.slice(0, 120))""")
            assert live == [], f"{page_file.name}: markup from the data is live: {live}"
            text = page.evaluate("document.body.innerText")
            unseen = sorted(m for m in expected if payload(m) not in text)
            assert not unseen, f"{page_file.name}: injected text not shown as text: {unseen}"
            if page_file.name != "index.html":
                assert payload("sections-title") in page.title()
            alts += [i["alt"] for i in visit.images()]
        finally:
            visit.close()
    assert any('id="inj-' in alt for alt in alts), "a chart title holding injected text is alt text, as text"
