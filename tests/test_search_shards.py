"""How the search index is cut into shards (site_gen/search.py), and which pages it covers."""
from __future__ import annotations

from conftest import read_page

from site_gen import urls
from site_gen.search import Shard, layout, pages_of


def test_years_are_grouped_oldest_first_without_splitting_a_year():
    assert layout({1990: 100, 1991: 100, 1992: 150, 1993: 20}, 300) == [
        Shard("issues"), Shard("reference"), Shard("1990-1991", (1990, 1991)), Shard("main", (1992, 1993))]
    assert layout({2000: 500, 2001: 500}, 300, issues=False) == [
        Shard("reference"), Shard("2000-2000", (2000,)), Shard("main", (2001,))]


def test_a_small_newest_shard_joins_the_one_before():
    """Scores are per shard: a handful of new meetings alone would outrank everything else."""
    assert layout({2000: 290, 2001: 10}, 300)[-1] == Shard("main", (2000, 2001))


def test_without_meetings_everything_is_in_the_main_shard():
    assert layout({}, 300) == [Shard("main", ())]
    assert pages_of([Shard("main")], ["committees/cabinet/index.html"]) == {
        Shard("main"): ["committees/cabinet/index.html"]
    }


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
    indexed = {shard.name: found for shard, found in pages_of(shards, pages).items()}
    assert indexed["2019-2019"] == ["meetings/2019/2019-11-05-cabinet/index.html"]
    assert all(page.startswith("meetings/2020/") for page in indexed["main"])
    assert "committees/scrutiny/index.html" in indexed["reference"]
    assert all(page.startswith("issues/") for page in indexed["issues"]) and indexed["issues"]
    assert sum(len(p) for p in indexed.values()) == sum(urls.searchable(p) is not None for p in pages)
