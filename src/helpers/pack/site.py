"""Render the pack's static site from the committed, executed notebooks (nothing is re-executed).

    python -m helpers.pack.site                         # every notebooks/NN-*.ipynb -> site/
    python -m helpers.pack.site --out build/site nb.ipynb

One HTML page per notebook, code hidden (the notebooks keep it), and site/index.html with one card
per section of data/sections.csv: its title, its headline finding (the first bullet the notebook's
"Key findings" cell printed from data/) and its first chart (site/img/). The pages fetch nothing:
nbconvert's lab template with its CDN scripts (require.js, MathJax, mermaid) removed, the house CSS
inlined, charts embedded. Tables carry a class per column so the CSS can size them to fit the
column, and a figures table folds its stored value, low and high behind a toggle (a <details>
the CSS reads; no script). Text is shown as text: whatever the builder takes from a notebook (the
headline, a chart's title as alt text) is escaped into its HTML, and raw HTML inside a stored
Markdown output (the helpers escape their own; a notebook may print other Markdown) is shown as
text, not run. Building twice gives identical files. The site is written to a temporary
folder next to --out and swapped in only when every page rendered, so a failed build leaves the
previous site as it was.
"""

from __future__ import annotations

import argparse
import base64
import functools
import gc
import html
import json
import os
import re
import shutil
import struct
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
from jinja2 import Environment, FileSystemLoader, select_autoescape
from nbconvert import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

from helpers.data import REPO_DATA_DIR, DataValidationError, load_package
from helpers.pack.notebook import KEY_FINDINGS, MISSING_AS_OF, injected_as_of

ROOT = REPO_DATA_DIR.parent  # the repository: notebooks/, data/, site/
NOTEBOOK_GLOB = "[0-9][0-9]-*.ipynb"
CHART_PREFIX = "Chart data: "
# Anything a browser would fetch by itself from another host: scripts, styles, images, fonts.
FETCHED_URL = re.compile(
    r"""(\bsrc\s*=\s*["']?\s*(https?:)?//)|(url\(\s*["']?\s*(https?:)?//)|(@import\b)|(<link\b[^>]*\bhref\s*=\s*["']?\s*(https?:)?//)""",
    re.IGNORECASE,
)


class SiteError(Exception):
    """A notebook the site cannot be built from; the message names the file and what is missing."""


@dataclass(frozen=True)
class Card:
    section: str
    number: int
    title: str
    notebook: str
    page: str | None = None
    headline_html: str = ""
    thumbnail: str | None = None
    thumbnail_alt: str = ""
    thumbnail_width: int = 0
    thumbnail_height: int = 0


def templates_dir() -> Path:
    return Path(__file__).resolve().parent / "templates"


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def as_of_of(nb: nbformat.NotebookNode) -> str | None:
    """The period a notebook was executed as of (the injected parameters cell), or None."""
    return injected_as_of(nb)


# A figures table gives each figure as the article states it ('as stated') and as stored (value and
# bounds): the stored columns fold behind a toggle, so the table fits the column without them.
STATED_COLUMN = "as stated"
STORED_COLUMNS = ("value", "low", "high")
STORED_TOGGLE = (
    '<details class="pack-stored-toggle"><summary><span class="pack-when-closed">Show</span>'
    '<span class="pack-when-open">Hide</span> the stored value, low and high columns</summary></details>\n'
)


def column_class(name: str) -> str:
    """A CSS class naming a table column ('as stated' -> 'pack-col-as-stated'), for the column widths."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return f"pack-col-{slug}" if slug else "pack-col"


def table_html(renderer: IPythonRenderer, token: dict, state: object) -> str:
    """A Markdown table with every cell classed by its column's name, in a box of its own; a figures
    table also gets the toggle for its stored columns (pure HTML and CSS: a <details> the CSS reads)."""
    parts = {child["type"]: child for child in token["children"]}
    head = parts["table_head"]["children"]
    rows = parts.get("table_body", {}).get("children", [])
    names = [html.unescape(re.sub(r"<[^>]*>", "", renderer.render_tokens(cell["children"], state))).strip().lower() for cell in head]
    folds = STATED_COLUMN in names and all(name in names for name in STORED_COLUMNS)

    column_classes = [column_class(name) + (" pack-stored" if folds and name in STORED_COLUMNS else "") for name in names]

    def cells(row: list[dict], tag: str) -> str:
        out = []
        for classes, cell in zip(column_classes, row):
            align = (cell.get("attrs") or {}).get("align")
            style = f' style="text-align:{align}"' if align in ("left", "right", "center") else ""
            out.append(f'  <{tag} class="{classes}"{style}>{renderer.render_tokens(cell["children"], state)}</{tag}>\n')
        return "<tr>\n" + "".join(out) + "</tr>\n"

    body = "".join(cells(row["children"], "td") for row in rows)
    table = f"<table>\n<thead>\n{cells(head, 'th')}</thead>\n<tbody>\n{body}</tbody>\n</table>\n"
    return f'<div class="pack-table{" pack-folds-stored" if folds else ""}">\n{STORED_TOGGLE if folds else ""}{table}</div>\n'


def output_markdown_html(markdown: str) -> str:
    """A stored Markdown output as HTML, with any raw HTML in it shown as text and no javascript:
    link: Markdown printed from data must never become live markup on the site. (mistune's own
    escape=True would escape the text's entities a second time: '&lt;' would show as '&lt;'.)
    Tables are written by table_html."""

    class RawHtmlAsText(IPythonRenderer):
        def block_html(self, raw: str) -> str:
            return f"<p>{html.escape(raw.strip())}</p>\n"

        def inline_html(self, raw: str) -> str:
            return html.escape(raw)

        def render_token(self, token: dict, state) -> str:
            if token["type"] == "table":
                return table_html(self, token, state)
            return super().render_token(token, state)

    return MarkdownWithMath(renderer=RawHtmlAsText(escape=False, allow_harmful_protocols=False)).render(markdown)


def headline(nb: nbformat.NotebookNode, name: str) -> str:
    """The first bullet printed by the code under '## Key findings', as HTML: Markdown rendered as
    the notebook printed it (raw HTML shown as text), plain text escaped; or, in a notebook run as
    of an earlier period, the note saying which rows it lacked, escaped."""
    cells = nb.cells
    starts = [i for i, c in enumerate(cells) if c.cell_type == "markdown" and KEY_FINDINGS in [line.strip() for line in _text(c.source).splitlines()]]
    if not starts:
        raise SiteError(f"{name}: no '{KEY_FINDINGS}' heading: every notebook prints its findings under that heading")
    for cell in cells[starts[0] + 1 :]:
        if cell.cell_type == "markdown" and any(line.startswith("## ") for line in _text(cell.source).splitlines()):
            break
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and out.get("ename") == MISSING_AS_OF:
                note = _text(out.get("traceback", [""])[0]) or f"Not in the data as viewed: {out.get('evalue', '')}."
                return f"<p>{html.escape(note)}</p>"
            data = out.get("data", {})
            markdown = "text/markdown" in data
            text = _text(data.get("text/markdown") or data.get("text/plain") or (out.get("text") if out.get("output_type") == "stream" else ""))
            for line in text.splitlines():
                if line.startswith("- "):
                    bullet = line[2:].strip()
                    return output_markdown_html(bullet).strip() if markdown else f"<p>{html.escape(bullet)}</p>"
    raise SiteError(
        f"{name}: the cell under '{KEY_FINDINGS}' has no stored bullet to show on the index: "
        f"execute the notebook (python -m helpers.pack.runner {name}) and build again"
    )


def first_chart(nb: nbformat.NotebookNode) -> tuple[bytes, str] | None:
    """The first image/png among the stored outputs, and the chart's title when its cell printed one."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            png = out.get("data", {}).get("image/png")
            if png:
                alt = "First chart of the section"
                for other in cell.outputs:
                    plain = _text(other.get("data", {}).get("text/plain"))
                    if other.get("output_type") == "execute_result" and plain.startswith(CHART_PREFIX):
                        alt = plain.splitlines()[0][len(CHART_PREFIX) :]
                return base64.b64decode(_text(png)), alt
    return None


def png_size(data: bytes) -> tuple[int, int]:
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise SiteError("a stored image/png output is not a PNG")
    return struct.unpack(">II", data[16:24])


# Where a match of FETCHED_URL can begin: the first two characters of its branches ('src', 'url(',
# '@import', '<link') in every case re.IGNORECASE accepts (U+017F, the long s, is an s; U+0130 and
# U+0131 are i's), as a pattern without the flag, which re looks for in C. No character is in both
# sets, so no match can begin inside another's first two (tests/test_site_build.py checks both).
FETCH_START = re.compile("[sS\u017fuU@<][rRiI\u0130\u0131lL]")


def first_fetched(html: str) -> re.Match | None:
    """FETCHED_URL.search(html), found by trying the pattern only where FETCH_START finds its first
    two characters: tried at every one of the millions of characters of a page of charts (nearly
    all base64), the search took a fifth of the build."""
    for start in FETCH_START.finditer(html):
        found = FETCHED_URL.match(html, start.start())
        if found:
            return found
    return None


def check_offline(html: str, name: str) -> None:
    m = first_fetched(html)
    if m:
        start = max(0, m.start() - 60)
        raise SiteError(f"{name}: the page would fetch from the internet ({html[start : m.end() + 60]!r}); the site must work offline")


# What nbconvert's HTMLExporter adds after rendering, by parsing each whole page with BeautifulSoup
# (about a third of the build): alt text on images (the pack_site template writes its own) and
# tabindex on every output, so a keyboard reaches it. The template's own output tags are matched
# here instead; text from data is escaped before it gets here, so it cannot look like one.
OUTPUT_TAG = re.compile(r'<div class="([^"<>]*\bjp-OutputArea-output\b[^"<>]*)"')


class PageExporter(HTMLExporter):
    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        # One page at a time: each page registers filters of its own (its code's lexer, its metadata).
        self.rendering = threading.Lock()

    def from_notebook_node(self, nb: nbformat.NotebookNode, resources: dict | None = None, **kw) -> tuple[str, dict]:
        with self.rendering:
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code", self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return OUTPUT_TAG.sub(r'<div class="\1" tabindex="0"', html), resources


@functools.cache
def page_exporter() -> HTMLExporter:
    """The exporter every build in this process uses, so that nbconvert's templates are compiled
    once (a fifth of a build). It checks each notebook against the schema once, after its
    preprocessors (the default is once after each of the twelve, eight of them switched off; the
    others change no cell's validity)."""
    exporter = PageExporter(
        template_name="pack_site",
        extra_template_basedirs=[str(templates_dir())],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        optimistic_validation=True,
    )
    exporter.register_filter("output_markdown_html", output_markdown_html)
    return exporter


@functools.cache
def home_environment() -> Environment:
    """The index's templates, compiled once per process (and again only if the file changes)."""
    return Environment(loader=FileSystemLoader(templates_dir() / "pack_site"), autoescape=select_autoescape(["html", "j2"]), keep_trailing_newline=True)


class SiteBuilder:
    """Renders pages one notebook at a time (the runner hands each over as it finishes executing)
    and writes the site once every page is rendered. Nothing is written before `write`."""

    def __init__(self) -> None:
        package = load_package()
        descriptor = json.loads((package.data_dir / "datapackage.json").read_text(encoding="utf-8"))
        self.sections = package.sections
        self.by_notebook = {row.notebook: row for row in self.sections.itertuples(index=False)}
        self.number_of = {row.notebook: i for i, row in enumerate(self.sections.itertuples(index=False), start=1)}
        self.house_css = (templates_dir() / "pack_site" / "house.css").read_text(encoding="utf-8")
        self.title = descriptor.get("title") or descriptor["name"]
        self.description = descriptor.get("description", "")
        self.exporter = page_exporter()
        self.pages: dict[str, tuple[Card, str, bytes | None, str | None]] = {}

    def check_names(self, names: list[str]) -> None:
        unknown = [n for n in names if n not in self.by_notebook]
        if unknown:
            raise SiteError(f"{', '.join(unknown)}: not named in data/sections.csv (column notebook); add the section row first")
        if len(set(names)) != len(names):
            raise SiteError("the same notebook name is given twice")

    def add(self, name: str, nb: nbformat.NotebookNode) -> None:
        """Render the page of one executed notebook (kept in memory until `write`)."""
        self.check_names([name])
        row = self.by_notebook[name]
        as_of = as_of_of(nb)
        stem = Path(name).stem
        card = dict(section=row.id, number=self.number_of[name], title=row.title, notebook=name, page=f"{stem}.html", headline_html=headline(nb, name))
        chart = first_chart(nb)
        png = None
        if chart:
            png, alt = chart
            width, height = png_size(png)
            card.update(thumbnail=f"img/{stem}.png", thumbnail_alt=alt, thumbnail_width=width, thumbnail_height=height)
        page_title = f"{row.title} · {self.title}" + (f" · as of {as_of}" if as_of else "")
        resources = {"metadata": {"name": page_title}, "house_css": self.house_css, "pack_title": self.title, "notebook_file": name, "as_of": as_of}
        html, _ = self.exporter.from_notebook_node(nb, resources=resources)
        check_offline(html, name)
        self.pages[name] = (Card(**card), html, png, as_of)

    def write(self, out: Path) -> list[Card]:
        """Write the pages, the images and the index into `out` (an empty folder); return the cards."""
        periods = {as_of for _, _, _, as_of in self.pages.values()}
        if len(periods) > 1:
            shown = ", ".join(sorted(p or "every row" for p in periods))
            raise SiteError(f"the notebooks were executed as of different periods ({shown}): render one period per site")
        (as_of,) = periods or {None}
        (out / "img").mkdir(parents=True)
        for card, page_html, png, _ in self.pages.values():
            if png is not None:
                (out / card.thumbnail).write_bytes(png)
            (out / card.page).write_text(page_html, encoding="utf-8")
        cards = [
            self.pages[row.notebook][0]
            if row.notebook in self.pages
            else Card(section=row.id, number=self.number_of[row.notebook], title=row.title, notebook=row.notebook)
            for row in self.sections.itertuples(index=False)
        ]
        home = home_environment().get_template("home.html.j2")
        index = home.render(title=self.title, description=self.description, cards=cards, house_css=self.house_css, as_of=as_of)
        check_offline(index, "index.html")
        (out / "index.html").write_text(index, encoding="utf-8")
        return cards


def read_notebook(path: Path) -> nbformat.NotebookNode:
    try:
        return nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises several kinds for a broken file
        raise SiteError(f"{path}: not a readable notebook ({exc})") from exc


def render(notebooks: list[Path], out: Path) -> list[Card]:
    """Write the site into `out` (an empty folder); return the index's cards."""
    builder = SiteBuilder()
    builder.check_names([p.name for p in notebooks])
    for path in notebooks:
        builder.add(path.name, read_notebook(path))
    return builder.write(out)


def swap_in(out: Path, write: Callable[[Path], list[Card]]) -> list[Card]:
    """Call `write` on an empty staging folder next to `out`, then put it in `out`'s place."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-building-", dir=out.parent))
    try:
        cards = write(staging / "site")
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
            os.replace(out, old / "site")
            os.replace(staging / "site", out)
            shutil.rmtree(old)
        else:
            os.replace(staging / "site", out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return cards


def build(notebooks: list[Path], out: Path) -> list[Card]:
    return swap_in(out, lambda folder: render(notebooks, folder))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path, help=f"default: notebooks/{NOTEBOOK_GLOB}")
    parser.add_argument("--out", type=Path, default=ROOT / "site", help="folder to write (default: site/)")
    args = parser.parse_args(argv)
    notebooks = sorted(args.notebooks or (ROOT / "notebooks").glob(NOTEBOOK_GLOB), key=lambda p: p.name)
    if not notebooks:
        print("error: no notebooks to render", file=sys.stderr)
        return 1
    missing = [str(p) for p in notebooks if not p.is_file()]
    if missing:
        print(f"error: no such notebook: {', '.join(missing)}", file=sys.stderr)
        return 1

    try:
        cards = build(notebooks, args.out)
    except DataValidationError as exc:
        print(exc, file=sys.stderr)
        print("the site was not built; fix the data and run again", file=sys.stderr)
        return 1
    except SiteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print(f"the site was not built; {args.out} is left as it was", file=sys.stderr)
        return 1
    pages = [c for c in cards if c.page]
    print(
        f"site: {len(pages)} page(s) and index.html in {args.out}"
        + (f" ({len(cards) - len(pages)} section(s) without a notebook yet)" if len(pages) < len(cards) else "")
    )
    return 0


if __name__ == "__main__":
    # What the imports made (pandas, nbconvert, their modules) lives as long as the command: frozen,
    # the collector stops searching it for reference cycles, which it did during the build and, for
    # a sixth of the command's time, once more on the way out.
    gc.freeze()
    raise SystemExit(main())
