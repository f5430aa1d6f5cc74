"""Open data for search engines: sitemap.xml lists every HTML page and nothing else; robots.txt points at it.

"Every page" is found by walking the built site's *.html files, so a page added by
any later change is covered without touching this test. 404.html is not a page to
index and is the one HTML file left out.
"""
from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import build_into, without_history
from opendata_support import BASE, CONTENT, DRAFT, html_pages, url_of

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("opendata")
    return build_into(without_history(CONTENT, folder), folder / "_site", with_search=False)


def entries(site: Path) -> dict[str, str | None]:
    """loc -> lastmod (None when absent)."""
    root = ET.fromstring((site / "sitemap.xml").read_bytes())
    assert root.tag == f"{SITEMAP}urlset"
    found = {}
    for url in root:
        assert url.tag == f"{SITEMAP}url"
        assert {child.tag for child in url} <= {f"{SITEMAP}loc", f"{SITEMAP}lastmod"}
        loc = url.findtext(f"{SITEMAP}loc")
        assert loc not in found, f"{loc} listed twice"
        found[loc] = url.findtext(f"{SITEMAP}lastmod")
    return found


def base_of(site: Path) -> str:
    return BASE if "minutes.fixture" in (site / "robots.txt").read_text() else "https://council-minutes.example.org"


@pytest.mark.parametrize("which", ["fixture", "sample"])
def test_the_sitemap_lists_every_page_and_nothing_else(site, sample_site, which):
    built = site if which == "fixture" else sample_site  # the sample is built with its search index
    base = base_of(built)
    pages = {base + url_of(path) for path in html_pages(built) if path != "404.html"}
    assert set(entries(built)) == pages
    assert len(pages) > 20


def test_meeting_pages_are_dated_by_the_meeting_or_its_approval(site):
    found = entries(site)
    assert found[f"{BASE}/meetings/2021/2021-11-03-planning/"] == "2021-11-03"
    assert found[f"{BASE}/meetings/2021/2021-03-24-planning/"] == "2021-03-31"  # approved on 31 March
    assert found[f"{BASE}/meetings/2021/2021-03-31-planning/"] == "2021-06-16"  # approved on 16 June


def test_listing_pages_are_dated_by_the_newest_meeting_they_list(site):
    found = entries(site)
    assert found[f"{BASE}/"] == "2022-01-12"
    assert found[f"{BASE}/meetings/2021/"] == "2021-11-03"
    assert found[f"{BASE}/committees/licensing/"] == "2021-10-31"
    assert found[f"{BASE}/issues/housing-delivery/"] == "2021-10-27"
    assert found[f"{BASE}/decisions/"] == "2021-11-03"
    # no meetings, or content that says nothing of when it changed: no lastmod rather than a guess
    for url in ("committees/standards/", "indicators/", "indicators/hou-1/", "portfolios/housing/", "search/",
                "accessibility/", "data/"):
        assert found[f"{BASE}/{url}"] is None, url
    for lastmod in filter(None, found.values()):
        datetime.date.fromisoformat(lastmod)


def test_robots_txt_points_at_the_sitemap(site, sample_site):
    for built in (site, sample_site):
        lines = (built / "robots.txt").read_text(encoding="utf-8").splitlines()
        assert "User-agent: *" in lines and "Disallow:" in lines and "Disallow: /" not in lines
        assert f"Sitemap: {base_of(built)}/sitemap.xml" in lines


def test_a_preview_with_drafts_is_not_for_indexing(tmp_path):
    built = build_into(CONTENT, tmp_path / "drafts", with_search=False, include_drafts=True)
    assert "Disallow: /" in (built / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert f"{BASE}/meetings/2021/{DRAFT}/" in entries(built)


def test_the_sitemap_is_byte_identical_across_builds(site, tmp_path):
    again = build_into(without_history(CONTENT, tmp_path / "copy"), tmp_path / "again", with_search=False)
    for name in ("sitemap.xml", "robots.txt"):
        assert (again / name).read_bytes() == (site / name).read_bytes()
