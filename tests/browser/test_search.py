"""Search in a real browser: the search page (search.html, assets/search.js on Pagefind's API), its filters,
sort and address, the header box, relevance on known queries, and the page without JavaScript.

Each flow runs twice: plainly, and with the site's Content-Security-Policy header
(and netlify.toml's other headers), where any violation, console error, script error
or failed request the browser reports fails the test.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from .browser_helpers import (
    all_results,
    result_count,
    result_links,
    search,
    sub_result_links,
    wait_for_results,
    wait_for_status,
)

MEETING = "/meetings/2020/2020-12-09-children-families-scrutiny/"
INDICATOR = "/indicators/cfse-29/"

with_and_without_csp = pytest.mark.parametrize("csp", [False, True], ids=["no-csp", "csp"])


@pytest.fixture
def sample(request, sample_server, sample_server_csp):
    return sample_server_csp if request.node.callspec.params.get("csp") else sample_server


@pytest.fixture
def archive(request, browser_server, browser_server_csp):
    return browser_server_csp if request.node.callspec.params.get("csp") else browser_server


@with_and_without_csp
def test_care_leavers_finds_the_indicator_and_the_meeting_item(csp, sample, open_tab):
    tab = open_tab(sample.url("/search/"))
    page = tab.page
    search(page, "care leavers")

    results = result_links(page)
    hrefs = [href for _, href in results]
    assert INDICATOR in hrefs, f"CFSE.29 is not among the results: {results}"
    assert MEETING in hrefs, f"the meeting of 9 December 2020 is not among the results: {results}"
    titles = dict((href, title) for title, href in results)
    assert "CFSE.29" in titles[INDICATOR]
    assert titles[MEETING] == "Children & Families Scrutiny Committee, 9 December 2020"
    assert page.locator(".search-result__excerpt mark").count() > 0, "results have no highlighted excerpts"

    item_results = [(title, href) for title, href in sub_result_links(page) if href == MEETING + "#item-5"]
    assert item_results == [
        ("Item 5: Portfolio Performance and Resources - Mid-Year Report 2020/21", MEETING + "#item-5")
    ], f"no sub-result names and lands on item 5: {sub_result_links(page)}"
    meeting = page.locator(".search-result").filter(has=page.locator(f'h2 a[href="{MEETING}"]'))
    assert meeting.locator(".search-result__meta").inner_text() == "Meeting · 9 December 2020 · Approved minutes"
    assert meeting.locator("time").get_attribute("datetime") == "2020-12-09"
    page.locator(f'.search-result__items a[href="{MEETING}#item-5"]').first.click()
    page.wait_for_url(re.compile(re.escape(MEETING) + "#item-5$"))
    assert page.url.endswith(MEETING + "#item-5")
    target = page.locator("#item-5")
    assert target.count() == 1
    assert page.evaluate("document.querySelector(':target') && document.querySelector(':target').id") == "item-5"
    assert target.is_visible()
    box = target.bounding_box()
    assert box is not None and 0 <= box["y"] < 200, f"item 5 is not scrolled into view: {box}"
    assert "Portfolio Performance and Resources" in target.inner_text()
    assert tab.problems() == []


@with_and_without_csp
def test_committee_filter_narrows_the_results(csp, archive, open_tab):
    tab = open_tab(archive.url("/search/"))
    page = tab.page
    search(page, "mobile library")
    everything = result_count(page)
    committees = {committee_of(href) for _, href in all_results(page)}
    assert {"cabinet", "planning-committee"} <= committees - {None}, f"both committees should match first: {committees}"

    open_filters(page)
    page.get_by_label("Planning Committee", exact=True).check()
    wait_for_status(page, r"with these filters")
    narrowed = result_count(page)
    assert 0 < narrowed < everything
    assert {committee_of(href) for _, href in all_results(page)} == {"planning-committee"}
    assert query_of(page) == {"q": ["mobile library"], "committee": ["Planning Committee"]}

    page.get_by_label("Planning Committee", exact=True).uncheck()
    page.get_by_label("2024", exact=True).check()
    page.wait_for_function("""() => {
        const links = [...document.querySelectorAll(".search-result__title a")];
        return links.length > 0 && links.every(a => a.getAttribute("href").includes("/2024/"));
    }""")
    assert all("/2024/" in href for _, href in all_results(page)), all_results(page)
    assert tab.problems() == []


def test_a_sharded_index_finds_what_one_index_finds(browser_server_csp, sharded_server_csp, browser_site_sharded,
                                                     open_tab):
    """Older minutes in their own index shard (site_gen/search.py) are found, filtered and sorted as in one index."""
    assert (browser_site_sharded / "pagefind-archive" / "2023-2023" / "pagefind-entry.json").is_file()
    found = {}
    for name, server in (("one index", browser_server_csp), ("sharded", sharded_server_csp)):
        for sort in ("", "newest", "oldest"):
            tab = open_tab(server.url("/search/?q=mobile+library" + (f"&sort={sort}" if sort else "")))
            wait_for_results(tab.page, "mobile library")
            found[name, sort] = [href for _, href in all_results(tab.page)]
            assert tab.problems() == []
    for sort in ("", "newest", "oldest"):
        if sort:
            assert found["sharded", sort] == found["one index", sort], sort
        else:
            assert sorted(found["sharded", sort]) == sorted(found["one index", sort])
    assert {"2023", "2024"} <= {href.split("/")[2] for href in found["sharded", ""] if href.startswith("/meetings/")}

    tab = open_tab(sharded_server_csp.url("/search/?q=mobile+library&year=2023"))
    wait_for_results(tab.page, "mobile library")
    in_2023 = [href for _, href in all_results(tab.page)]
    assert sorted(in_2023) == sorted(href for href in found["one index", ""] if "/2023/" in href)
    assert tab.problems() == []


def test_an_issue_is_found_by_its_name_in_one_index_and_sharded(browser_server_csp, sharded_server_csp, open_tab):
    """An issue page's timeline is not searched: its name is what finds it, in whichever shard it is
    indexed (with the year of its first meeting)."""
    for server in (browser_server_csp, sharded_server_csp):
        tab = open_tab(server.url("/search/?q=mobile+library+service+review"))
        wait_for_results(tab.page, "mobile library service review")
        assert "/issues/mobile-library/" in [href for _, href in all_results(tab.page)]
        assert tab.problems() == []


@with_and_without_csp
def test_sort_by_date(csp, archive, open_tab):
    """Newest first and oldest first put the meetings in date order; pages without a date follow them."""
    tab = open_tab(archive.url("/search/?q=street+cleansing"))
    page = tab.page
    wait_for_results(page, "street cleansing")
    relevance = [href for _, href in all_results(page)]
    for sort, newest_first in (("newest", True), ("oldest", False)):
        page.get_by_label("Sort by").select_option(sort)
        wait_for_status(page, "newest first" if newest_first else "oldest first")
        hrefs = [href for _, href in all_results(page)]
        assert sorted(hrefs) == sorted(relevance)
        dates = [href.split("/")[3][:10] for href in hrefs if href.startswith("/meetings/")]
        assert len(dates) >= 5
        assert dates == sorted(dates, reverse=newest_first), hrefs
        shown = page.eval_on_selector_all(".search-result time", "times => times.map(t => t.getAttribute('datetime'))")
        assert shown == dates
        assert query_of(page)["sort"] == [sort]
    assert tab.problems() == []


@with_and_without_csp
def test_the_address_holds_the_search_and_back_restores_it(csp, archive, open_tab):
    tab = open_tab(archive.url("/search/"))
    page = tab.page
    search(page, "mobile library")
    assert query_of(page) == {"q": ["mobile library"]}
    open_filters(page)
    page.get_by_label("Cabinet", exact=True).check()
    wait_for_status(page, "with these filters")
    page.get_by_label("Sort by").select_option("oldest")
    wait_for_status(page, "oldest first")
    assert query_of(page) == {"q": ["mobile library"], "committee": ["Cabinet"], "sort": ["oldest"]}
    before = result_links(page)
    assert before and all("-cabinet/" in href for _, href in before if href.startswith("/meetings/"))

    page.locator(".search-result__title a").first.click()
    page.wait_for_url(re.compile(re.escape(before[0][1]) + "$"))
    page.go_back()
    wait_for_status(page, "oldest first")
    assert result_links(page) == before
    assert page.locator("#search-q").input_value() == "mobile library"
    assert page.get_by_label("Cabinet", exact=True).is_checked()
    assert page.get_by_label("Sort by").input_value() == "oldest"

    # a shared link shows the same search
    other = open_tab(archive.url("/search/?q=mobile+library&committee=Cabinet&sort=oldest"))
    wait_for_status(other.page, "oldest first")
    assert result_links(other.page) == before
    assert other.page.get_by_label("Cabinet", exact=True).is_checked()

    # a new search is a new entry in the history: Back returns to the one before
    search(page, "depot")
    page.go_back()
    wait_for_status(page, "oldest first")
    assert page.locator("#search-q").input_value() == "mobile library"
    assert result_links(page) == before
    assert tab.problems() == [] and other.problems() == []


def test_the_count_is_announced_in_a_polite_live_region(archive_csp, open_tab):
    tab = open_tab(archive_csp.url("/search/"))
    page = tab.page
    status = page.locator("#search-status")
    assert status.get_attribute("role") == "status"  # implies aria-live="polite"
    assert status.get_attribute("aria-live") in (None, "polite")
    search(page, "mobile library")
    count = len(all_results(page))
    assert status.inner_text() == f"{count} results for ‘mobile library’."
    search(page, "zebra crossing")
    assert status.inner_text().startswith("No results for ‘zebra crossing’.")
    assert page.locator("#search-results").is_hidden()
    assert tab.problems() == []


# the first result a resident should see for a query, in the sample archive and the browser fixture
KNOWN_BEST = [
    ("sample", "CFSE.29", "/indicators/cfse-29/"),
    ("sample", "CFSE29", "/indicators/cfse-29/"),
    ("sample", "care leavers", "/indicators/cfse-29/"),
    ("sample", "Ofsted", "/meetings/2022/2022-09-07-children-families-scrutiny/"),
    ("browser", "depot", "/meetings/2023/2023-03-28-planning-committee/"),
    ("browser", "LIB.1", "/indicators/lib-1/"),
    ("browser", "café", "/meetings/2023/2023-07-11-planning-committee/"),
]


@pytest.mark.parametrize("site, query, best", KNOWN_BEST, ids=[f"{site}:{query}" for site, query, _ in KNOWN_BEST])
def test_the_known_best_page_comes_first(site, query, best, sample_server_csp, browser_server_csp, open_tab):
    server = sample_server_csp if site == "sample" else browser_server_csp
    tab = open_tab(server.url("/search/"))
    search(tab.page, query)
    results = result_links(tab.page)
    assert results and results[0][1] == best, f"{query!r}: {results}"
    assert tab.problems() == []


def test_a_word_is_not_found_by_a_shorter_word_it_begins_with(sample_server_csp, open_tab):
    """Pagefind falls back to the longest indexed word a missing word begins with ("Ofsted" -> "of",
    "safegaurding" -> "safe"), in each index shard on its own: such pages are not results."""
    tab = open_tab(sample_server_csp.url("/search/"))
    page = tab.page
    search(page, "Ofsted")
    assert [href for _, href in result_links(page)] == ["/meetings/2022/2022-09-07-children-families-scrutiny/"]
    for query in ("safegaurding", "ofstedx"):
        search(page, query)
        assert result_count(page) == 0, f"{query!r}: {result_links(page)}"
    assert tab.problems() == []


def test_results_are_on_the_first_screen_of_a_phone(sample_server_csp, open_tab):
    tab = open_tab(sample_server_csp.url("/search/?q=care+leavers"), width=375, height=812)
    page = tab.page
    wait_for_results(page, "care leavers")
    assert page.locator("#search-filters").get_attribute("open") is None, "the filters start closed on a phone"
    first = page.locator(".search-result__title a").first.bounding_box()
    assert first is not None and first["y"] + first["height"] <= 812, f"the first result starts at {first}"
    assert page.locator("#header-search-input").count() == 0, "the header's search box is repeated on /search/"
    page.locator("#search-filters summary").click()
    assert page.get_by_label("Children & Families Scrutiny Committee", exact=True).is_visible()
    assert tab.problems() == []


@with_and_without_csp
def test_header_search_box_runs_the_query_on_the_search_page(csp, sample, open_tab):
    tab = open_tab(sample.url(MEETING), width=375)
    page = tab.page
    page.get_by_role("search").first.get_by_label("Search the minutes").fill("care leavers")
    page.get_by_role("search").first.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/search/\?q=care\+leavers$"))
    wait_for_results(page, "care leavers")
    assert page.locator("#search-q").input_value() == "care leavers"
    assert INDICATOR in [href for _, href in result_links(page)]
    page.locator("#search-q").press("Enter")  # pressing Enter again stays on the page
    page.wait_for_timeout(300)
    assert "/search/" in page.url
    assert tab.problems() == []


def test_search_page_without_javascript_offers_browsing(sample_server, open_tab):
    tab = open_tab(sample_server.url("/search/?q=care+leavers"), javascript=False)
    page = tab.page
    fallback = page.locator("#search-fallback")
    assert fallback.is_visible()
    text = " ".join(fallback.inner_text().split())
    assert "Search needs JavaScript" in text
    # a static page cannot read its address: it says where the words are kept, and how to see results
    assert "The words you searched for are kept in this page’s address" in text and "reload the page" in text
    assert page.url.endswith("/search/?q=care+leavers")
    for name, href in [("by committee", "/committees/"), ("Children & Families Scrutiny Committee",
                                                             "/committees/children-families-scrutiny/"),
                       ("by year", "/meetings/"), ("2020", "/meetings/2020/"), ("2022", "/meetings/2022/"),
                       ("decisions register", "/decisions/")]:
        link = fallback.get_by_role("link", name=name, exact=True)
        assert link.is_visible() and link.get_attribute("href") == href
    # a form that cannot search is not offered: the page says why and where to go instead
    assert page.locator("#search-form").is_hidden()
    assert page.locator("#search-results").is_hidden()


@with_and_without_csp
def test_search_page_with_javascript_hides_the_fallback(csp, sample, open_tab):
    tab = open_tab(sample.url("/search/"))
    tab.page.locator("#search-q").wait_for(state="visible")
    assert tab.page.locator("#search-fallback").is_hidden()
    assert tab.problems() == []


# -- helpers --

@pytest.fixture
def archive_csp(browser_server_csp):
    return browser_server_csp


def open_filters(page) -> None:
    panel = page.locator("#search-filters")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()


def query_of(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def committee_of(href: str) -> str | None:
    """The committee of a meeting or committee page; None for other pages (issues span committees)."""
    match = re.search(r"/meetings/\d{4}/\d{4}-\d{2}-\d{2}-([a-z0-9-]+)/|/committees/([a-z0-9-]+)/", href)
    return (match.group(1) or match.group(2)) if match else None
