"""Draft meetings: without --drafts they appear nowhere (no page, feed, calendar, data
file, search entry or link); with --drafts they are marked "Draft" wherever they appear.

tests/fixtures/drafts_site has two drafts: one between two published meetings of
the Cabinet (sharing their issue, portfolio and indicator, and approving the
first one's minutes), and the only meeting of the Scrutiny Committee and of 2024.
Every word a draft adds is spelt with "zzdraft", so a leak is easy to find.
"""
from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, build_into

CONTENT = ROOT / "tests" / "fixtures" / "drafts_site" / "content"
DRAFTS = {"/meetings/2023/2023-02-14-cabinet/": "2023-02-14-cabinet",
          "/meetings/2024/2024-05-01-scrutiny/": "2024-05-01-scrutiny"}
# what only the drafts put into a site: their slugs, words, the issue and indicator only they mention
TRACES = [b"zzdraft", b"2023-02-14-cabinet", b"2024-05-01-scrutiny", b"res-99", b"res.99",
          b"meetings/2024", b"tag--draft", b"notice--draft"]
# the nearest element around a link that must say "Draft" too
AROUND = ("li", "tr", "dd", "p", "td", "th")


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    return build_into(CONTENT, tmp_path_factory.mktemp("drafts") / "published")


@pytest.fixture(scope="module")
def preview(tmp_path_factory) -> Path:
    return build_into(CONTENT, tmp_path_factory.mktemp("drafts") / "preview", include_drafts=True)


def files(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*") if p.is_file())


def readable(path: Path) -> bytes:
    """The file's bytes; Pagefind's index files unzipped, so that the search index is searched too."""
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def test_the_fixture_has_drafts_and_they_are_valid(preview):
    for url in DRAFTS:
        assert (preview / url.strip("/") / "index.html").is_file()


def test_without_drafts_no_file_of_the_site_mentions_a_draft(published):
    assert (published / "meetings/2023/2023-01-10-cabinet/index.html").is_file()  # the site is there
    assert (published / "pagefind").is_dir()                                     # with its search index
    leaks = {}
    for path in files(published):
        if path.relative_to(published).as_posix() == "assets/site.css":
            continue  # the style of the Draft tag, not a draft
        data = readable(path).lower()
        found = [trace.decode() for trace in TRACES if trace in data]
        if found:
            leaks[path.relative_to(published).as_posix()] = found
    assert leaks == {}


def test_without_drafts_nothing_is_made_for_them(published):
    assert not (published / "meetings/2024").exists()                    # a year with only a draft
    assert not (published / "issues/zzdraft-only-issue").exists()        # an issue only a draft raises
    assert not (published / "indicators/res-99").exists()                # a code only a draft mentions
    assert (published / "committees/scrutiny/index.html").is_file()     # the committee itself is not a draft
    # the meeting the draft approved still says it was approved, without linking to the draft
    soup = BeautifulSoup((published / "meetings/2023/2023-01-10-cabinet/index.html").read_text(encoding="utf-8"),
                         "html5lib")
    assert "Approved as a correct record on 14 February 2023" in soup.get_text(" ", strip=True)
    # previous and next skip the draft
    assert soup.select_one('a[rel="next"]')["href"] == "/meetings/2023/2023-03-14-cabinet/"


def test_with_drafts_every_page_that_shows_a_draft_marks_it(preview):
    for url in DRAFTS:
        page = BeautifulSoup((preview / url.strip("/") / "index.html").read_text(encoding="utf-8"), "html5lib")
        assert page.select_one(".notice--draft") and "Draft" in page.title.get_text()
    unmarked = []
    pages_with_drafts = set()
    for path in preview.rglob("*.html"):
        url = "/" + path.relative_to(preview).as_posix().removesuffix("index.html")
        if url in DRAFTS:
            continue
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html5lib")
        for link in soup.find_all("a", href=True):
            if not any(link["href"].startswith(draft) for draft in DRAFTS):
                continue
            pages_with_drafts.add(url)
            around = link.find_parent(AROUND) or link.parent
            if not around.select(".tag--draft"):
                unmarked.append(f"{url}: {' '.join(around.get_text().split())[:100]}")
    assert unmarked == []
    # the drafts are linked from everywhere a published meeting would be
    for url in ("/", "/meetings/2023/", "/meetings/2024/", "/committees/cabinet/", "/committees/scrutiny/",
                "/issues/budget-monitoring/", "/issues/zzdraft-only-issue/", "/decisions/", "/portfolios/resources/",
                "/indicators/res-1/", "/indicators/res-99/", "/meetings/2023/2023-01-10-cabinet/",
                "/meetings/2023/2023-03-14-cabinet/"):
        assert url in pages_with_drafts, f"{url} does not show the drafts"


def test_with_drafts_feeds_calendars_and_search_say_draft(preview):
    for feed in preview.rglob("feed.xml"):
        for entry in re.findall(r"<entry>.*?</entry>", feed.read_text(encoding="utf-8"), re.DOTALL):
            if any(slug in entry for slug in DRAFTS.values()):
                title = re.search(r"<title[^>]*>(.*?)</title>", entry, re.DOTALL).group(1)
                assert "draft" in title.lower(), f"{feed.relative_to(preview)}: {title}"
    for calendar in preview.rglob("*.ics"):
        text = calendar.read_text(encoding="utf-8").replace("\r\n ", "")  # unfold long lines
        for event in re.findall(r"BEGIN:VEVENT.*?END:VEVENT", text, re.DOTALL):
            if any(slug in event for slug in DRAFTS.values()):
                assert re.search(r"^SUMMARY:.*\(draft\)", event, re.MULTILINE), calendar.relative_to(preview)
    # the search result's title of a draft meeting
    fragments = [readable(p).decode("utf-8", "replace") for p in (preview / "pagefind" / "fragment").iterdir()]
    for url in DRAFTS:
        fragment = next(f for f in fragments if f'"url":"{url}"' in f)
        assert re.search(r'"title":"[^"]*\(Draft\)"', fragment), fragment[:300]


# -- a draft never stops publication ---------------------------------------------------------

def broken_draft_site(tmp_path: Path) -> Path:
    """The fixture with a slip in a draft: a misspelt key and an item heading with no item."""
    import shutil
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    draft = content / "meetings" / "2024" / "2024-05-01-scrutiny.md"
    text = draft.read_text(encoding="utf-8")
    assert "\nstatus: draft\n" in text
    draft.write_text(
        text.replace("\nstatus: draft\n", "\nstatus: draft\nvenu: Town Hall\n", 1) + "\n## 77. Not an item\n",
        encoding="utf-8",
    )
    return content


def test_a_draft_with_errors_is_left_out_and_the_rest_publishes(tmp_path):
    from conftest import run_cli
    content = broken_draft_site(tmp_path)
    shown = "content/meetings/2024/2024-05-01-scrutiny.md"
    built = run_cli("--content", str(content), "--out", str(tmp_path / "_site"), cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    lines = built.stderr.splitlines()
    assert f"{shown}:1: warning: left out: draft with errors (2 errors)" in lines
    assert f"{shown}:5: warning: unknown key `venu` in a meeting" in lines
    assert (tmp_path / "_site" / "meetings" / "2023" / "2023-03-14-cabinet" / "index.html").is_file()
    assert not (tmp_path / "_site" / "meetings" / "2024").exists()
    # the same errors are errors where drafts are shown: check, a --drafts build, serve
    checked = run_cli("check", "--content", str(content), cwd=tmp_path)
    assert checked.returncode == 1
    assert f"{shown}:5: unknown key `venu` in a meeting" in checked.stdout.splitlines()
    assert "left out" not in checked.stdout
    with_drafts = run_cli("--drafts", "--content", str(content), "--out", str(tmp_path / "preview"), cwd=tmp_path)
    assert with_drafts.returncode == 1
    assert f"{shown}:5: unknown key `venu` in a meeting" in with_drafts.stderr.splitlines()


def test_a_draft_whose_front_matter_cannot_be_read_is_left_out_too(tmp_path):
    from conftest import run_cli
    content = broken_draft_site(tmp_path)
    draft = content / "meetings" / "2024" / "2024-05-01-scrutiny.md"
    draft.write_text(
        draft.read_text(encoding="utf-8").replace("\nstatus: draft\n", "\nstatus: draft\ntitle: a: b\n", 1),
        encoding="utf-8",
    )
    built = run_cli("--content", str(content), "--out", str(tmp_path / "_site"), cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert "warning: left out: draft with errors (1 error)" in built.stderr


def test_a_draft_naming_no_approving_meeting_does_not_stop_publication(tmp_path):
    from conftest import run_cli
    content = broken_draft_site(tmp_path)
    draft = content / "meetings" / "2024" / "2024-05-01-scrutiny.md"
    draft.write_text(draft.read_text(encoding="utf-8").replace("\nvenu: Town Hall\n", "\napproved_on: 2024-06-05\n")
                     .replace("\n## 77. Not an item\n", ""), encoding="utf-8")
    assert run_cli("check", "--content", str(content), cwd=tmp_path).returncode == 1
    built = run_cli("--content", str(content), "--out", str(tmp_path / "_site"), cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert (
        "content/meetings/2024/2024-05-01-scrutiny.md:1: warning: left out: draft with errors (1 error)" in built.stderr
    )
    assert "warning: approved_on 2024-06-05 names no meeting of `scrutiny`" in built.stderr
