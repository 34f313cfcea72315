"""The static site: built from the committed notebooks, opened in a real browser, fetching nothing.

The browser is Debian's Chromium driven by Playwright (tests/browser.py: without Chromium the browser
tests are skipped with the command that installs it, except under CI, where they fail).
Pages are opened as file:// URLs: no server, no port. Each page is visited once, in a laptop's window
(1280 px) and then a phone's; a screenshot of what a reader sees first goes to build/screenshots/, for
a person to look at (`make screenshots` saves whole pages).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pytest

from helpers.pack import site as pack_site
from tests.browser import Visit
from tests.conftest import ROOT, first_bullet

SITE = ROOT / "build" / "site-test"
SCREENSHOTS = ROOT / "build" / "screenshots"
BUILD = [sys.executable, "-m", "helpers.pack.site"]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
PHONE = 390  # CSS pixels: a small phone held upright
DESKTOP = 1280  # CSS pixels: a laptop's window, where every table must fit without scrolling sideways
THUMBNAIL_MIN_WIDTH = 480  # CSS pixels: a chart's labels stay legible on the index at this width or more


def build_site(out: Path, *notebooks: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*BUILD, "--out", str(out), *map(str, notebooks)], capture_output=True, text=True, timeout=300, cwd=ROOT)


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


# --- text from data is shown as text (a whole run on markup-laden data: tests/test_carry_forward.py) ---------


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
