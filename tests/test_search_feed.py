"""What Pagefind is given of each page (search.searchable_view): only what it reads, and the
index it writes from that is the one it writes from the whole pages, byte for byte."""
from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from markupsafe import escape

from site_gen import search

HOSTILE_TEXT = ('data-pagefind-ignore <div data-pagefind-ignore> </main> <img src="x"> '
                '"data-pagefind-filter="kind:Hostile" _pagefind/pagefind.js')


def bundle_files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file()}


def shards_of(site: Path) -> dict[str, list[str]]:
    """The searchable pages of a built site by the bundle that indexes them (as the build cut them)."""
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("index.html")
                   if b"data-pagefind-body" in p.read_bytes())
    shards = search.layout({int(page.split("/")[1]): 1 for page in pages if page.startswith("meetings/2")} or {0: 0})
    return {shard.folder: shard_pages for shard, shard_pages in search.pages_of(shards, pages).items() if shard_pages}


@pytest.mark.parametrize("site_name", ["fixture_site", "sample_site"])
def test_the_index_from_the_trimmed_pages_is_the_index_from_the_whole_pages(site_name, request, tmp_path):
    site: Path = request.getfixturevalue(site_name)
    trimmed_bytes = whole_bytes = 0
    for folder, pages in shards_of(site).items():
        for page in pages:
            whole = (site / page).read_bytes()
            trimmed_bytes += len(search.searchable_view(whole))
            whole_bytes += len(whole)
        whole_bundle, trimmed_bundle = tmp_path / "whole" / folder, tmp_path / "trimmed" / folder
        search.index_shard(site, pages, whole_bundle, view=lambda page: page)
        search.index_shard(site, pages, trimmed_bundle)
        assert bundle_files(trimmed_bundle) == bundle_files(whole_bundle)
        assert bundle_files(trimmed_bundle) == bundle_files(site / folder)  # and the build's own
    assert trimmed_bytes < whole_bytes * 0.7  # the cut did cut


def hostile_page(body_text: str, title: str = "A title",
                 ignored: str = "</div></p> <div><p data-pagefind-ignore>") -> bytes:
    """A page as base.html makes it, with text the templates escaped (markupsafe, as the site does)."""
    text, heading, hidden = (str(escape(value)).encode() for value in (body_text, title, ignored))
    return (b'<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n<title>' + heading + b'</title>\n'
            b'<meta name="search-title" data-pagefind-meta="title[content]" content="' + text + b'">\n'
            b'<meta name="search-kind" data-pagefind-filter="kind[content]" content="Meeting">\n'
            b'<link rel="stylesheet" href="/assets/site.css">\n</head>\n<body>\n<header>' + heading + b'</header>\n'
            b'<div class="page container">\n<main id="main" tabindex="-1" data-pagefind-body>\n'
            b'<h1 title="' + text + b'">' + text + b'</h1>\n'
            b'<div class="a" data-pagefind-ignore><div>' + hidden + b'</div><p>' + hidden + b'</p></div>\n'
            b'<p>' + text + b'</p>\n<p class="follow" data-pagefind-ignore>' + hidden + b'</p>\n'
            b'</main>\n</div>\n<footer>' + text + b'</footer>\n</body>\n</html>\n')


def test_escaped_text_that_looks_like_markup_is_kept_and_only_ignored_elements_are_cut():
    page = hostile_page(HOSTILE_TEXT)
    view = search.searchable_view(page)
    assert len(view) < len(page)
    parsed = BeautifulSoup(view, "html5lib")
    main = parsed.select_one("main[data-pagefind-body]")
    assert main is not None
    assert [el.name for el in main.find_all(recursive=False)] == ["h1", "p"]
    assert main.h1.get_text() == HOSTILE_TEXT and main.p.get_text() == HOSTILE_TEXT
    assert main.h1["title"] == HOSTILE_TEXT
    assert not parsed.select("[data-pagefind-ignore]")
    assert parsed.html["lang"] == "en-GB"
    assert [meta["name"] for meta in parsed.select("meta")] == ["search-title", "search-kind"]
    assert parsed.select_one("meta[name=search-title]")["content"] == HOSTILE_TEXT
    assert parsed.footer.get_text() == HOSTILE_TEXT  # after the body: Pagefind reads the text beside it


def test_a_page_whose_dropped_part_says_what_pagefind_reads_is_given_whole():
    page = hostile_page("words", title=HOSTILE_TEXT)  # escaped, but the cut does not tell text from tags there
    assert search.searchable_view(page) == page


def test_hostile_text_indexes_the_same_trimmed_or_whole(tmp_path):
    site = tmp_path / "site"
    made = [hostile_page(HOSTILE_TEXT), hostile_page("plain words", ignored=HOSTILE_TEXT),
            hostile_page("<p data-pagefind-ignore>x</p> & </div>"), hostile_page("words", title=HOSTILE_TEXT)]
    for number, page in enumerate(made):
        (site / f"p{number}").mkdir(parents=True)
        (site / f"p{number}" / "index.html").write_bytes(page)
    pages = [f"p{number}/index.html" for number in range(len(made))]
    search.index_shard(site, pages, tmp_path / "whole", view=lambda page: page)
    search.index_shard(site, pages, tmp_path / "trimmed")
    assert bundle_files(tmp_path / "trimmed") == bundle_files(tmp_path / "whole")


@pytest.mark.parametrize("inside", [b'<img src="/a.png" alt="a">', b'<span data-pagefind-filter="x:y"></span>'])
def test_an_ignored_element_pagefind_reads_from_is_kept(inside):
    page = hostile_page("words", ignored="hidden").replace(b'<p class="follow" data-pagefind-ignore>hidden',
                                         b'<p class="follow" data-pagefind-ignore>' + inside)
    view = search.searchable_view(page)
    assert inside in view
    assert b'<div class="a" data-pagefind-ignore>' not in view


def test_a_page_not_made_by_base_html_is_given_whole():
    page = b'<html><body><main data-pagefind-body><p data-pagefind-ignore>x</p></main></body></html>'
    assert search.searchable_view(page) == page
