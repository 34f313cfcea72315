"""The browser the site tests drive: Debian's Chromium (/usr/bin/chromium, or PACK_CHROMIUM) through
Playwright's Python package, nothing downloaded at run time (no `playwright install`). Without
Chromium a browser test is skipped with the command that installs it, except under CI (CI=true),
where it fails. Shared by the site tests and the carry-forward tests (markup in the data, on every page).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

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
LOCAL_SCHEMES = ("file:", "data:", "about:")


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
