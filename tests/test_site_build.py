"""How the site build finds what a page would fetch, quickly: the same answer as the whole pattern.

check_offline looks for FETCHED_URL only where FETCH_START finds the first two characters of one of
its branches. That gives the same match as FETCHED_URL.search as long as FETCH_START knows every
character re.IGNORECASE lets those two stand for, and no match can begin inside another candidate.
"""

from __future__ import annotations

import re
import sys

import pytest

from helpers.pack import site as pack_site

# One text each of FETCHED_URL's four branches matches, and how that branch begins.
BRANCHES = {"src": "src=//x", "url(": "url(//x", "@import": "@import 'x'", "<link": "<link href=//x"}
EVERY_CHARACTER = "".join(chr(code) for code in range(sys.maxunicode + 1))


def start_sets() -> tuple[set[str], set[str]]:
    """The characters FETCH_START accepts first and second, read from its pattern."""
    first, second = re.fullmatch(r"\[([^\]]+)\]\[([^\]]+)\]", pack_site.FETCH_START.pattern).groups()
    return set(first), set(second)


def test_fetch_start_knows_every_case_of_the_branches_first_two_characters():
    first, second = start_sets()
    assert pack_site.FETCHED_URL.pattern.count(")|(") == len(BRANCHES) - 1, "a branch was added: add it here"
    for branch, matched in BRANCHES.items():
        assert pack_site.FETCHED_URL.match(matched) and matched.startswith(branch)
        for position, accepted in ((0, first), (1, second)):
            cases = set(re.findall(re.escape(branch[position]), EVERY_CHARACTER, re.IGNORECASE))
            assert cases <= accepted, f"{branch!r}: FETCH_START misses {sorted(cases - accepted)}"
    assert not first & second, "a match could begin at a candidate's second character, which finditer skips"


@pytest.mark.parametrize(
    "html",
    [
        '<script src="https://cdn.example/x.js"></script>',
        "<img SRC = ' //host/y.png'>",
        "<img \u017frc=//host/y.png>",  # the long s: re.IGNORECASE takes it for an s
        "<style>@\u0130MPORT 'x.css';</style>",
        "div { background: URL( 'http://x/y.png') }",
        '<LINK rel="stylesheet" href="//fonts.example/css">',
        "xsrc=//no-boundary then src=//a-boundary",
        "srcsrc url url( <lin <link> @impor srsrc=//x",
        '<img src="data:image/png;base64,c3JjPS8vdXJsKC8v"> and later <img src="http://x">',
        '<a href="https://example.com/">a link</a><img src="data:image/png;base64,AA">',
        "",
    ],
)
def test_first_fetched_finds_what_the_whole_pattern_finds(html):
    expected = pack_site.FETCHED_URL.search(html)
    found = pack_site.first_fetched(html)
    assert (found and found.span()) == (expected and expected.span())
