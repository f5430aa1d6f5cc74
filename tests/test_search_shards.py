"""How the search index is cut into shards (site_gen/search.py), and which pages it covers."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURE_CONTENT, read_page
from test_incremental import Workspace

from site_gen import linking, pagefind_stable, search, urls
from site_gen.cache import BuildCache
from site_gen.content import load_archive
from site_gen.problems import Report
from site_gen.search import Shard, layout, pages_of
from site_gen.writer import OutputConflict, Writer


def test_two_tiers_the_recent_years_and_the_archive():
    """The newest two years are the main bundle (one edited recent meeting re-indexes only it);
    the older years are the archive, in as few shards as the cap allows, oldest first."""
    assert layout({1990: 100, 1991: 100, 1992: 150, 1993: 20}) == [
        Shard("1990-1991", (1990, 1991)), Shard("main", (1992, 1993))]
    assert layout({year: 90 for year in range(1990, 2036)}) == [
        Shard("1990-2033", tuple(range(1990, 2034))), Shard("main", (2034, 2035))]


def test_the_archive_is_cut_in_whole_years_and_the_recent_tier_stays_small():
    assert layout({1990: 100, 1991: 100, 1992: 150, 1993: 20, 1994: 30}, 250) == [
        Shard("1990-1991", (1990, 1991)), Shard("1992-1992", (1992,)), Shard("main", (1993, 1994))]
    # the newest year alone when two would be more than the recent tier holds
    assert layout({2000: 300, 2001: 300, 2002: 300}) == [Shard("2000-2001", (2000, 2001)), Shard("main", (2002,))]
    assert layout({2000: 900})[-1] == Shard("main", (2000,)), "the newest year, however large, is recent"
    # one shard per year, as the tests of incremental builds use it
    assert layout({2019: 1, 2020: 2, 2021: 3}, 1) == [
        Shard("2019-2019", (2019,)), Shard("2020-2020", (2020,)), Shard("main", (2021,))]


def test_without_meetings_everything_is_in_the_main_shard():
    assert layout({}) == [Shard("main", ())]
    page = "committees/cabinet/index.html"
    assert pages_of([Shard("main")], [page]) == {Shard("main"): [page]}


def test_the_shard_folders_are_beside_the_main_bundle():
    assert Shard("main", ()).folder == "pagefind"
    assert Shard("1990-1991", (1990, 1991)).folder == "pagefind-archive/1990-1991"


def test_exactly_the_searchable_pages_are_indexed(fixture_site):
    pages = sorted(p.relative_to(fixture_site).as_posix() for p in fixture_site.rglob("*.html")
                   if not p.relative_to(fixture_site).as_posix().startswith("pagefind"))
    for path in pages:
        body = read_page(fixture_site, "/" + path).select("[data-pagefind-body]")
        assert bool(body) == (urls.searchable(path) is not None), path
    shards = layout({2019: 1, 2020: 2}, 1)
    report = Report()
    years = search.page_years(linking.link(load_archive(FIXTURE_CONTENT, report), report))
    # the fixture's one issue and its one undefined indicator code were first met in 2020
    assert years == {"issues/housing-report/index.html": 2020, "indicators/pi-77/index.html": 2020}
    indexed = {shard.name: found for shard, found in pages_of(shards, pages, years).items()}
    # the recent tier: the newest year's meetings, and the issue and code its minutes brought
    assert indexed["main"] == ["indicators/pi-77/index.html", "issues/housing-report/index.html",
                               "meetings/2020/2020-01-15-scrutiny/index.html",
                               "meetings/2020/2020-02-12-scrutiny/index.html"]
    # the oldest shard: its year's meetings and the pages that go with no year
    old = indexed["2019-2019"]
    assert "meetings/2019/2019-11-05-cabinet/index.html" in old
    assert {page.split("/")[0] for page in old} == {"meetings", "committees", "indicators", "portfolios"}
    assert all(page.startswith("meetings/2019/") for page in old if page.startswith("meetings/"))
    assert sum(len(p) for p in indexed.values()) == sum(urls.searchable(p) is not None for p in pages)


def test_a_page_goes_with_the_year_it_began_in_or_else_the_oldest_shard():
    shards = layout({2018: 1, 2019: 1, 2020: 1}, 1)
    issue, committee = "issues/allotments/index.html", "committees/cabinet/index.html"
    assert pages_of(shards, [issue, committee], {issue: 2019}) == {
        Shard("2018-2018", (2018,)): [committee], Shard("2019-2019", (2019,)): [issue], Shard("main", (2020,)): []}
    # a year no shard holds (its meetings are drafts, say): the oldest shard
    assert pages_of(shards, [issue], {issue: 1990})[Shard("2018-2018", (2018,))] == [issue]


class TwoTiers(Workspace):
    SHARDS: dict = {}  # the layout a site is built with


def files(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in sorted(folder.rglob("*")) if p.is_file()}


def test_an_edited_meeting_reindexes_only_its_tier(tmp_path, monkeypatch):
    """A correction to recent minutes indexes the small recent tier again and leaves the archive's
    files as they were (not even written again); a correction to old minutes, the reverse. Each
    time the incremental build equals a cold build byte for byte (rebuild_and_compare)."""
    monkeypatch.setattr(search, "RECENT_YEARS", 1)  # the fixture's minutes are of two years: 2020 recent, 2019 old
    ws = TwoTiers(tmp_path, FIXTURE_CONTENT)
    archive, main = ws.site / "pagefind-archive" / "2019-2019", ws.site / "pagefind"
    assert (archive / "pagefind-entry.json").is_file()
    archive_files, main_files = files(archive), files(main)

    ws.edit(ws.meeting("2020-02-12-scrutiny"), "\n## ", "\nA correction about the allotments waiting list.\n\n## ")
    result = ws.rebuild_and_compare()
    assert result.search_index[0] == 1, "only the recent tier"
    assert files(archive) == archive_files
    assert files(main) != main_files

    main_files = files(main)
    ws.edit(ws.meeting("2019-11-05-cabinet"), "\n## ", "\nA correction about the allotments waiting list.\n\n## ")
    result = ws.rebuild_and_compare()
    assert result.search_index[0] == 1, "only the archive"
    assert files(main) == main_files
    assert files(archive) != archive_files


def test_new_minutes_of_an_old_issue_reindex_only_the_recent_tier(tmp_path, monkeypatch):
    """An issue first considered in old minutes is indexed with them, by its name: more recent
    minutes about it change its page's timeline, which is not searched, so they index only the
    recent tier again. Each time the incremental build equals a cold build byte for byte."""
    monkeypatch.setattr(search, "RECENT_YEARS", 1)
    ws = TwoTiers(tmp_path, FIXTURE_CONTENT)
    archive, main = ws.site / "pagefind-archive" / "2019-2019", ws.site / "pagefind"
    ws.edit(ws.meeting("2019-11-05-cabinet"), "    title: Budget\n", "    title: Budget\n    issue: housing-report\n")
    assert ws.rebuild_and_compare().search_index[0] == 2, "the issue moved from the recent tier to the archive"
    archive_files, main_files = files(archive), files(main)
    timeline = read_page(ws.site, "/issues/housing-report/").select("ol.timeline")[0]
    assert timeline.has_attr("data-pagefind-ignore")

    ws.edit(ws.meeting("2020-02-12-scrutiny"), "the update be noted;", "the update on housing be noted;")
    result = ws.rebuild_and_compare()
    assert "the update on housing be noted" in read_page(ws.site, "/issues/housing-report/").get_text()
    assert result.search_index[0] == 1, "only the recent tier"
    assert files(archive) == archive_files
    assert files(main) != main_files


def test_every_word_is_looked_up_in_the_one_chunk_that_holds_it(fixture_site):
    """The browser finds a query word's index chunk by the word ranges in the metadata, comparing
    the word as typed, unstemmed. Pagefind's ranges leave gaps ("notec"-"of", then "off"-"ofst":
    "ofsted" is in neither), and for a word in a gap it loads the chunks of the commonest words.
    The published ranges leave no gap: each chunk's range runs to just below the next one's."""
    bundle = fixture_site / "pagefind"
    meta = pagefind_stable.read(next(bundle.glob("pagefind.*.pf_meta")))
    chunks = meta[2]
    assert chunks[0][0] == "" and chunks[-1][1] == pagefind_stable.LAST
    for (_, to, _), (start, _, _) in zip(chunks, chunks[1:], strict=False):
        assert to < start and to.startswith(start[:-1]) and to.endswith(pagefind_stable.LAST)
    for first, last, name in chunks:
        words = [entry[0] for entry in pagefind_stable.read(bundle / "index" / f"{name}.pf_index")[0]]
        assert words and all(first <= word <= last for word in words), name

    def chunk_of(word: str) -> str:  # as Pagefind's search does: the first range that holds it
        return next(name for first, last, name in chunks if first <= word <= last)

    assert chunk_of("ofsted") == chunk_of("ofst") and chunk_of("inspection") == chunk_of("inspect")
    last = pagefind_stable.LAST
    assert pagefind_stable.contiguous([["a", "b", "x"], ["c", "of", "y"], ["off", "z", "z"]]) == [
        ["", "b" + last, "x"], ["c", "ofe" + last, "y"], ["off", last, "z"]]


def test_once_the_search_index_began_a_page_it_indexes_is_refused(tmp_path):
    """The search index begins while the rest of the site is made (after the last page kind that
    says SEARCHED): a page it indexes written after that would be left out of it, so the writer
    refuses it; other files are written as before."""
    writer = Writer(tmp_path / "_site", BuildCache.disabled())
    writer.start()
    try:
        writer.add("meetings/2020/2020-02-12-scrutiny/index.html", b"<p>before</p>")
        writer.close_searched()
        with pytest.raises(OutputConflict, match="the search indexes"):
            writer.add("committees/cabinet/index.html", b"<p>after</p>")
        with pytest.raises(OutputConflict, match="the search indexes"):
            writer.add("meetings/2021/2021-01-20-cabinet/index.html", b"<p>after</p>")
        writer.add("feed.xml", b"<feed/>")
        writer.add("meetings/2020/2020-02-12-scrutiny/index.json", b"{}")
    finally:
        writer.abort()
