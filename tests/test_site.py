"""The static site: built from the committed notebooks, opened in a real browser, fetching nothing.

The browser is Debian's Chromium (/usr/bin/chromium, or PACK_CHROMIUM) driven by Playwright's Python
package; nothing is downloaded at run time (no `playwright install`). Without Chromium the browser
tests are skipped with the command that installs it, except under CI (CI=true), where they fail.
Pages are opened as file:// URLs: no server, no port. Each page is visited once, in a laptop's window
(1280 px) and then a phone's; a screenshot of what a reader sees first goes to build/screenshots/, for
a person to look at (`make screenshots` saves whole pages).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pytest

from helpers.pack import site as pack_site
from tests.conftest import ROOT, read_rows, write_rows

CHROMIUM = Path(os.environ.get("PACK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SITE = ROOT / "build" / "site-test"
SCREENSHOTS = ROOT / "build" / "screenshots"
BUILD = [sys.executable, "-m", "helpers.pack.site"]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
LOCAL_SCHEMES = ("file:", "data:", "about:")
PHONE = 390  # CSS pixels: a small phone held upright
DESKTOP = 1280  # CSS pixels: a laptop's window, where every table must fit without scrolling sideways
THUMBNAIL_MIN_WIDTH = 480  # CSS pixels: a chart's labels stay legible on the index at this width or more


def build_site(out: Path, *notebooks: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*BUILD, "--out", str(out), *map(str, notebooks)], capture_output=True, text=True, timeout=300, cwd=ROOT)


def first_bullet(path: Path) -> str:
    """Read independently of the build script: the first '- ' line printed under '## Key findings'."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    start = next(i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and "## Key findings" in "".join(c["source"]))
    code = next(c for c in cells[start + 1 :] if c["cell_type"] == "code")
    text = "".join(next(o["data"]["text/plain"] for o in code["outputs"] if "data" in o))
    return next(line[2:] for line in text.splitlines() if line.startswith("- "))


def png_outputs(path: Path) -> int:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return sum("image/png" in o.get("data", {}) for c in cells if c["cell_type"] == "code" for o in c["outputs"])


@pytest.fixture(scope="module")
def site() -> Path:
    """Built once per run by the command itself, as `make site` runs it."""
    result = build_site(SITE)
    assert result.returncode == 0, result.stderr
    return SITE


@pytest.fixture(scope="module")
def builder():
    """The build script imported, for the builds that follow the first: it saves starting Python
    and importing nbconvert again for each (over a second apiece), and a build in this process
    matching the one above also shows the output does not depend on the process (hash seeds)."""
    return pack_site


# --- the build, without a browser -----------------------------------------------------------


def test_build_writes_one_page_per_notebook_and_the_index(site):
    pages = sorted(p.name for p in site.glob("*.html"))
    assert pages == sorted(["index.html", *(p.stem + ".html" for p in NOTEBOOKS)])
    for path in NOTEBOOKS:
        if png_outputs(path):
            assert (site / "img" / f"{path.stem}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_build_is_deterministic(site, builder, tmp_path):
    again = tmp_path / "again"
    assert builder.main(["--out", str(again)]) == 0
    first = {p.relative_to(site): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in sorted(again.rglob("*")) if p.is_file()}
    assert first.keys() == second.keys()
    changed = [str(k) for k in first if first[k] != second[k]]
    assert not changed, f"building twice changed {changed}"


def test_pages_hide_code_and_keep_the_notebooks_untouched(site):
    page = (site / NOTEBOOKS[0].with_suffix(".html").name).read_text(encoding="utf-8")
    assert 'class="jp-CodeMirrorEditor' not in page and "from helpers import" not in page
    nb = json.loads(NOTEBOOKS[0].read_text(encoding="utf-8"))
    assert any("from helpers import" in "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


def test_a_notebook_without_findings_stops_the_build_and_keeps_the_old_site(builder, tmp_path, capsys):
    broken = tmp_path / NOTEBOOKS[0].name
    nb = json.loads(NOTEBOOKS[0].read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    broken.write_text(json.dumps(nb), encoding="utf-8")
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("previous build", encoding="utf-8")
    assert builder.main(["--out", str(out), str(broken)]) == 1
    stderr = capsys.readouterr().err
    assert NOTEBOOKS[0].name in stderr and "Key findings" in stderr and "helpers.pack.runner" in stderr
    assert [p.name for p in out.iterdir()] == ["index.html"] and (out / "index.html").read_text() == "previous build"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([broken.name, "site"]), "no staging folder left behind"


def test_the_build_refuses_a_page_that_would_fetch_from_the_internet(builder):
    check = builder.check_offline
    for fetched in [
        '<script src="https://cdn.jsdelivr.net/npm/mathjax"></script>',
        '<link rel="stylesheet" href="//fonts.example/css">',
        "div { background: url('http://x/y.png') }",
    ]:
        with pytest.raises(builder.SiteError, match="01-x.ipynb.*offline"):
            check(f"<html>{fetched}</html>", "01-x.ipynb")
    check('<a href="https://example.com/">a link the reader may click</a><img src="data:image/png;base64,AA">', "01-x.ipynb")


FIGURES_TABLE = """*Figures of this section*

| id | entity | as stated | value | low | high | source |
| --- | --- | --- | --- | --- | --- | --- |
| s1-a | Amazon | more than 35% |  | 35 |  | Innovation-Insight <b>x</b> |
"""


def test_a_figures_table_folds_its_stored_columns_behind_a_toggle(builder):
    html_text = builder.output_markdown_html(FIGURES_TABLE)
    assert html_text.count('<details class="pack-stored-toggle">') == 1 and '<div class="pack-table pack-folds-stored">' in html_text
    assert '<th class="pack-col-value pack-stored">value</th>' in html_text and '<td class="pack-col-low pack-stored">35</td>' in html_text
    assert '<td class="pack-col-as-stated">more than 35%</td>' in html_text and '<th class="pack-col-id">id</th>' in html_text
    assert "<b>x</b>" not in html_text and "&lt;b&gt;x&lt;/b&gt;" in html_text, "a cell's raw HTML stays text"
    # A table without the stated column (the stored figures would be the only ones) folds nothing.
    plain = builder.output_markdown_html(FIGURES_TABLE.replace("as stated", "note"))
    assert "pack-stored" not in plain and "<details" not in plain and '<div class="pack-table">' in plain


# --- in the browser ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        how = "install it with `sudo apt-get install chromium` (Debian/Ubuntu), or set PACK_CHROMIUM to a Chromium binary"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {CHROMIUM} is missing: .ci/run installs it first; {how}")
        pytest.skip(f"no Chromium at {CHROMIUM}: {how}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, timeout=60_000)
        yield browser
        browser.close()


class Visit:
    """One page opened in a fresh context: every request, console error and page error recorded."""

    def __init__(self, browser, url: str, width: int = 1280):
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=True)
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url} {r.failure}"))
        # A dialog is a script that ran (alert() from markup in the data, say): recorded and dismissed.
        self.page.on("dialog", lambda d: (self.errors.append(f"dialog: {d.message}"), d.dismiss()))
        # 'load' waits for every image and stylesheet; the pages run no script that fetches later,
        # so waiting for network idle (half a second per page) would add nothing.
        self.response = self.page.goto(url, wait_until="load", timeout=30_000)

    def images(self) -> list[dict]:
        return self.page.eval_on_selector_all(
            "img", "imgs => imgs.map(i => ({src: i.currentSrc.slice(0, 80), complete: i.complete, width: i.naturalWidth, alt: i.alt}))"
        )

    def links(self) -> list[str]:
        return self.page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")

    def overflow(self, width: int | None = None) -> int:
        """How many pixels the page is wider than the window (0: nothing forces sideways scrolling)."""
        if width:
            self.page.set_viewport_size({"width": width, "height": 900})
        return self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")

    def check_loaded_offline(self) -> None:
        assert self.errors == [], self.errors
        external = [u for u in self.requests if not u.startswith(LOCAL_SCHEMES)]
        assert external == [], f"requests that leave the machine: {external}"
        local = [u for u in self.requests if u.startswith("file:")]
        assert all(Path(unquote(urlparse(u).path)).is_file() for u in local), local
        images = self.images()
        broken = [i for i in images if not (i["complete"] and i["width"] > 0)]
        assert broken == [], f"images that did not decode: {broken}"

    def close(self) -> None:
        self.context.close()


def resolve(link: str) -> tuple[Path, str]:
    url, fragment = urldefrag(link)
    assert url.startswith("file:"), f"link out of the site: {link}"
    return Path(unquote(urlparse(url).path)), fragment


def save_screenshot(page, name: str) -> None:
    """What a reader sees first, saved for a person to look at; the whole page with PACK_SCREENSHOTS=full
    (`make screenshots`): a long page takes seconds to draw whole, and no assertion reads it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=os.environ.get("PACK_SCREENSHOTS") == "full")
    assert path.stat().st_size > 10_000, f"{path} looks blank"


# What a reader sees in a laptop's window, measured by the browser after layout: how wide the
# document is, which elements are wider than the window (a box that scrolls by itself, like the
# folded rows under a chart, by its own width), each table against the box holding it
# (and whether that box scrolls), and which header cells are shown (the stored columns of a figures
# table are hidden until its toggle opens).
LAYOUT = """() => {
    const doc = document.documentElement;
    const name = e => e.tagName.toLowerCase() + (typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
    return {
        width: doc.scrollWidth, window: doc.clientWidth,
        // A box that scrolls by itself (the folded rows a chart plots: fixed-width text) counts by its own width.
        wider: [...document.querySelectorAll('body *')]
            .filter(e => (['auto', 'scroll'].includes(getComputedStyle(e).overflowX) ? e.clientWidth : e.scrollWidth) > doc.clientWidth)
            .map(e => name(e) + ' ' + e.scrollWidth + 'px'),
        tables: [...document.querySelectorAll('table')].map(t => ({
            columns: [...t.rows[0].cells].map(c => c.textContent.trim()),
            width: t.scrollWidth, box: t.parentElement.clientWidth,
            scrolls: ['auto', 'scroll'].includes(getComputedStyle(t.parentElement).overflowX),
            shown: [...t.rows[0].cells].filter(c => c.getClientRects().length > 0).map(c => c.textContent.trim())})),
    };
}"""
STORED = {"value", "low", "high"}


PAGES = ["index", *(p.stem for p in NOTEBOOKS)]


@pytest.mark.parametrize("name", PAGES)
def test_page_in_the_browser(site, browser, name):
    """One visit per page, as a reader makes it in a laptop's window and then on a phone: it loads
    offline without an error, fits the window, and shows what its notebook holds."""
    visit = Visit(browser, (site / f"{name}.html").as_uri(), width=DESKTOP)
    try:
        visit.check_loaded_offline()
        save_screenshot(visit.page, name)
        layout = visit.page.evaluate(LAYOUT)
        assert layout["width"] <= layout["window"], f"the page is {layout['width']} px wide in a {layout['window']} px window"
        assert layout["wider"] == [], f"wider than the window: {layout['wider'][:10]}"
        too_wide = [f"{' | '.join(t['columns'])[:100]}: {t['width']} px in {t['box']} px" for t in layout["tables"] if t["width"] > t["box"] + 1]
        assert too_wide == [], f"tables that do not fit their box: {too_wide}"
        if name == "index":
            check_index_page(site, visit)
            check_index_cards(visit.page)
        else:
            notebook = ROOT / "notebooks" / f"{name}.ipynb"
            check_notebook_page(visit, notebook)
            check_figures_tables_fold(visit.page, layout)
        assert visit.errors == []
    finally:
        visit.close()


def check_index_page(site: Path, visit: Visit) -> None:
    page = visit.page
    sections = [line.split(",") for line in (ROOT / "data" / "sections.csv").read_text(encoding="utf-8").splitlines()[1:]]
    title = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))["title"]
    assert page.title() == title and " ".join(page.locator("h1").inner_text().split()) == " ".join(title.replace(": ", " ", 1).split())
    cards = page.locator(".pack-card")
    assert cards.count() == len(sections), "one card per section of data/sections.csv"
    for path in NOTEBOOKS:
        card = page.locator(".pack-card", has=page.locator(f'h2 a[href="{path.stem}.html"]'))
        assert card.count() == 1, f"no card links {path.stem}.html"
        title = next(row[1] for row in sections if row[-1] == path.name)
        assert card.locator("h2").inner_text() == title
        # The headline is the notebook's printed finding, figures and all (Markdown emphasis aside).
        shown = card.locator(".pack-headline").inner_text().strip()
        assert shown == first_bullet(path).replace("**", "").replace("`", "").strip()
        thumbs = card.locator("img")
        assert thumbs.count() == (1 if png_outputs(path) else 0)
    images = visit.images()
    assert len(images) == sum(1 for p in NOTEBOOKS if png_outputs(p))
    assert all(i["alt"] for i in images), "every thumbnail has alt text"
    links = visit.links()
    assert links, "the index links its pages"
    for link in links:
        target, fragment = resolve(link)
        assert target.is_file(), f"broken link {link}"
        assert target.resolve().is_relative_to(site.resolve()), f"link leaves the site: {link}"
    assert visit.overflow() <= 0
    assert visit.overflow(width=PHONE) <= 0, "the index scrolls sideways on a phone"
    visit.overflow(width=DESKTOP)  # back to the laptop's window for the checks that follow


def check_notebook_page(visit: Visit, notebook: Path) -> None:
    page = visit.page
    assert visit.response is not None and visit.response.ok
    assert page.locator("h1").first.inner_text().strip(), "the notebook's title is on the page"
    assert page.locator(".jp-InputArea-editor").count() == 0, "code is hidden"
    charts = visit.images()
    assert len(charts) == png_outputs(notebook), "every chart of the notebook is on the page"
    assert all(i["alt"] and i["alt"] != "Chart" for i in charts), [i["alt"] for i in charts]
    for link in visit.links():
        target, fragment = resolve(link)
        assert target.is_file(), f"broken link {link}"
    # Readable: one column about 900 px wide, charts and tables inside it.
    width = page.evaluate("document.querySelector('main').getBoundingClientRect().width")
    assert 600 <= width <= 900, width
    assert visit.overflow() <= 0, "something makes the page scroll sideways"
    # Charts, tables and text outputs end inside the column, or scroll inside a box that does.
    outside = page.evaluate(
        """() => {
            const main = document.querySelector('main');
            const right = main.getBoundingClientRect().right + 1;
            const box = e => { for (let a = e; a && a !== main; a = a.parentElement) {
                if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX)) return a; } return e; };
            return [...document.querySelectorAll('main img, main table, main pre')]
                .filter(e => box(e).getBoundingClientRect().right > right).map(e => e.tagName);
        }"""
    )
    assert outside == [], f"wider than the column: {outside}"
    assert visit.overflow(width=PHONE) <= 0, "the page scrolls sideways on a phone"
    visit.overflow(width=DESKTOP)  # back to the laptop's window for the checks that follow


def check_figures_tables_fold(page, layout: dict) -> None:
    """The stored value, low and high of a figures table are folded; opened (a click, no script of
    ours), they show, and the page still does not scroll sideways: a table too wide for thirteen
    columns scrolls inside its own box."""
    figures = [t for t in layout["tables"] if {"as stated", *STORED} <= set(t["columns"])]
    assert figures, "every section lists its figures, as stated and as stored"
    assert all(not STORED & set(t["shown"]) for t in figures), "the stored value, low and high are folded by default"
    toggles = page.locator(".pack-stored-toggle > summary")
    assert toggles.count() == len(figures)
    for i in range(toggles.count()):
        toggles.nth(i).click()
    opened = page.evaluate(LAYOUT)
    assert opened["width"] <= opened["window"], "opening the stored columns makes the page scroll sideways"
    shown = [t for t in opened["tables"] if {"as stated", *STORED} <= set(t["columns"])]
    assert all(STORED <= set(t["shown"]) for t in shown), [t["shown"] for t in shown]
    assert all(t["width"] <= t["box"] + 1 or t["scrolls"] for t in shown), [(t["width"], t["box"]) for t in shown]


def check_index_cards(page) -> None:
    """The thumbnails are legible (the chart nearly as drawn) and open their section; every headline
    is shown whole: it wraps, and nothing clips it or cuts it short with an ellipsis."""
    thumbs = page.eval_on_selector_all(
        ".pack-card img",
        """imgs => imgs.map(i => ({alt: i.alt, width: i.getBoundingClientRect().width, link: i.closest('a') && i.closest('a').getAttribute('href'),
                                 page: i.closest('.pack-card').querySelector('h2 a').getAttribute('href')}))""",
    )
    assert len(thumbs) == sum(1 for p in NOTEBOOKS if png_outputs(p))
    small = [(t["page"], round(t["width"])) for t in thumbs if t["width"] < THUMBNAIL_MIN_WIDTH]
    assert small == [], f"thumbnails narrower than {THUMBNAIL_MIN_WIDTH} px: {small}"
    assert all(t["alt"] and t["link"] == t["page"] for t in thumbs), thumbs
    cut = page.eval_on_selector_all(
        ".pack-headline",
        """hs => hs.filter(h => { const s = getComputedStyle(h);
                 return h.scrollHeight > h.clientHeight + 1 || h.scrollWidth > h.clientWidth + 1 || s.whiteSpace.startsWith('nowrap')
                     || s.textOverflow === 'ellipsis' || s.webkitLineClamp !== 'none'; }).map(h => h.innerText.slice(0, 60))""",
    )
    assert cut == [], f"headlines not shown whole: {cut}"


# --- a report made as of an earlier period (make quarter) ------------------------------------------


def as_of_copy(path: Path, folder: Path, as_of: str, missing: str | None = None) -> Path:
    """A committed notebook as run_notebooks writes it for --as-of: the injected parameters cell,
    and, given `missing`, its key findings stopped by NotInData with that text."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    injected = {
        "cell_type": "code",
        "execution_count": None,
        "id": "injected",
        "metadata": {"tags": ["injected-parameters"]},
        "outputs": [],
        "source": f"# Parameters injected for this run\nAS_OF = {as_of!r}",
    }
    at = next(i for i, c in enumerate(nb["cells"]) if "parameters" in c["metadata"].get("tags", []))
    nb["cells"].insert(at + 1, injected)
    if missing:
        start = next(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "markdown" and "## Key findings" in "".join(c["source"]))
        findings = next(c for c in nb["cells"][start + 1 :] if c["cell_type"] == "code")
        note = f"Not in the data as viewed: {missing}. This part shows once data/ holds it (or at a later AS_OF)."
        findings["outputs"] = [{"output_type": "error", "ename": "NotInData", "evalue": missing, "traceback": [note]}]
    target = folder / path.name
    target.write_text(json.dumps(nb), encoding="utf-8")
    return target


def test_a_report_as_of_an_earlier_period_says_so_and_shows_missing_parts_as_notes(builder, tmp_path):
    first = as_of_copy(NOTEBOOKS[0], tmp_path, "2025Q3", missing="no figure of tariff_rate")
    second = as_of_copy(NOTEBOOKS[1], tmp_path, "2025Q3")
    out = tmp_path / "site"
    assert builder.main(["--out", str(out), str(first), str(second)]) == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "As of 2025Q3." in index and "make quarter Q=2025Q3" in index and "committed notebooks" not in index
    assert "Not in the data as viewed: no figure of tariff_rate." in index, "the card says which rows were missing"
    assert first_bullet(NOTEBOOKS[1]).split("**")[0][:40] in index, "a notebook with its findings keeps its headline"
    page = (out / first.with_suffix(".html").name).read_text(encoding="utf-8")
    assert 'class="pack-as-of"' in page and "executed as of 2025Q3" in page
    assert '<div class="pack-not-in-data' in page and "no figure of tariff_rate" in page
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in page, "a missing part is a note, not an error box"


def test_a_site_of_notebooks_run_as_of_different_periods_is_refused(builder, tmp_path, capsys):
    first = as_of_copy(NOTEBOOKS[0], tmp_path, "2025Q3")
    assert builder.main(["--out", str(tmp_path / "site"), str(first), str(NOTEBOOKS[1])]) == 1
    assert "executed as of different periods (2025Q3, every row)" in capsys.readouterr().err


# --- text from data is shown as text ---------------------------------------------------------------


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


@pytest.fixture(scope="module")
def injected(tmp_path_factory):
    """Every notebook executed on a copy of data/ whose free text holds markup, and the site built from
    them: (injected names, executed notebooks folder, site folder)."""
    root = tmp_path_factory.mktemp("injected")
    shutil.copytree(ROOT / "data", root / "data")
    names = inject_markup(root / "data")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PACK_DATA_DIR", str(root / "data"))  # inherited by the kernels and read by the builder
        run = subprocess.run(
            # As make notebooks runs it: the site is rendered by the run, from the notebooks it executed.
            [sys.executable, "-m", "helpers.pack.runner", "--jobs", "2", "--out", str(root / "notebooks"), "--site", str(root / "site"), *map(str, NOTEBOOKS)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=600,
        )
        assert run.returncode == 0, run.stderr[-3000:]
    return names, root / "notebooks", root / "site"


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


def test_markup_in_the_data_is_escaped_in_the_stored_markdown(injected):
    names, executed, _ = injected
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


def test_markup_in_the_data_is_text_on_every_page(injected, browser):
    names, executed, site = injected
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


def test_raw_html_in_a_stored_markdown_output_is_shown_as_text(builder, tmp_path):
    """A notebook that prints Markdown of its own (not through helpers.outputs.display) holding raw HTML:
    the builder shows it as text on the card and on the page."""
    nb = json.loads(NOTEBOOKS[0].read_text(encoding="utf-8"))
    start = next(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "markdown" and "## Key findings" in "".join(c["source"]))
    findings = next(c for c in nb["cells"][start + 1 :] if c["cell_type"] == "code")
    raw = '- Growth <img src=x onerror=alert(1)> <b id="inj-raw">x</b> [a](javascript:alert(1))'
    findings["outputs"] = [{"output_type": "display_data", "metadata": {}, "data": {"text/markdown": raw, "text/plain": raw}}]
    path = tmp_path / NOTEBOOKS[0].name
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert builder.main(["--out", str(tmp_path / "site"), str(path)]) == 0
    for name in ("index.html", f"{path.stem}.html"):
        html_text = (tmp_path / "site" / name).read_text(encoding="utf-8")
        assert "<img src=x" not in html_text and '<b id="inj-raw"' not in html_text and 'href="javascript:' not in html_text, name
        assert "&lt;img src=x onerror=alert(1)&gt;" in html_text, f"{name}: the raw HTML is shown as text"
