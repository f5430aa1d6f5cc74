"""What Pagefind is given of each page (search.searchable_view): only what it reads, and the
index it writes from that is the one it writes from the whole pages, byte for byte; and how its
answer, which holds the index files, is read and written as it arrives."""
from __future__ import annotations

import base64
from pathlib import Path

import orjson
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


def encoded(answer: dict) -> bytes:
    return base64.b64encode(orjson.dumps(answer)) + b","


FILES = {"pagefind-entry.json": b'{"version":"1.5.2"}', "index/en_1.pf_index": bytes(range(256)) * 40,
         "fragment/en_2.pf_fragment": b"\x1f\x8b" + b"x" * 4099, "empty": b""}


def get_files(number: int = 3) -> dict:
    return {"message_id": number, "payload": {"type": "GetFiles", "files": [
        {"path": name, "content": base64.b64encode(data).decode()} for name, data in FILES.items()]}}


@pytest.mark.parametrize("size", [1, 3, 7, 64, 1 << 20])
def test_the_index_files_are_written_as_they_arrive_in_pieces_of_any_size(tmp_path, size):
    stream = (encoded({"message_id": 0, "payload": {"type": "NewIndex", "index_id": 0}})
              + encoded({"message_id": 1, "payload": {"type": "Error", "message": "a, b"}}) + encoded(get_files()))
    answer = search.Answer(tmp_path)
    answers = [found for start in range(0, len(stream), size) for found in answer.take(stream[start:start + size])]
    assert [a["payload"]["type"] for a in answers] == ["NewIndex", "Error", "GetFiles"]
    assert answers[1]["payload"]["message"] == "a, b"
    assert answers[2]["payload"]["written"] == len(FILES)
    assert bundle_files(tmp_path) == FILES


@pytest.mark.parametrize("path", ["../outside", "/etc/passwd", "a/../../b", ""])
def test_a_file_named_outside_the_bundle_is_refused(tmp_path, path):
    answer = {"message_id": 3, "payload": {"type": "GetFiles", "files": [{"path": path, "content": ""}]}}
    with pytest.raises(search.SearchIndexError, match="outside its folder"):
        search.Answer(tmp_path / "bundle").take(encoded(answer))
    assert not (tmp_path / "outside").exists() and not (tmp_path / "b").exists()


def test_a_cut_or_garbled_answer_is_an_error_not_a_partial_index(tmp_path):
    whole = encoded(get_files())
    inner = base64.b64decode(whole[:-1])
    cut = base64.b64encode(inner[:len(inner) // 2]).rstrip(b"=")
    cut = cut[:len(cut) // 4 * 4]
    with pytest.raises(search.SearchIndexError):
        search.Answer(tmp_path / "a").take(base64.b64encode(base64.b64decode(cut)) + b",")
    garbled = base64.b64encode(inner.replace(b'"content":"', b'"content":"!!', 1)) + b","
    with pytest.raises(search.SearchIndexError, match="could not be read"):
        search.Answer(tmp_path / "b").take(garbled)
