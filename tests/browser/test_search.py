"""Search in a real browser: Pagefind's UI, its filters, the header box, and the page without JavaScript.

Each flow runs twice: plainly, and with the site's Content-Security-Policy header
(and netlify.toml's other headers), where any violation, console error, script error
or failed request the browser reports fails the test.
"""
from __future__ import annotations

import re
import time

import pytest

from .browser_helpers import result_count, result_links, search, sub_result_links, wait_for_results

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
    assert page.locator(".pagefind-ui__result-excerpt mark").count() > 0, "results have no highlighted excerpts"

    item_results = [(title, href) for title, href in sub_result_links(page) if href == MEETING + "#item-5"]
    assert item_results, f"no sub-result lands on item 5: {sub_result_links(page)}"
    page.locator(f'.pagefind-ui__result-nested a[href="{MEETING}#item-5"]').first.click()
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

    planning = page.get_by_label(re.compile(r"^Planning Committee \(\d+\)$"))
    try:
        planning.wait_for(state="visible", timeout=10_000)
    except Exception:
        panel = page.locator(".pagefind-ui__drawer").inner_text() if page.locator(".pagefind-ui__drawer").count() else ""
        pytest.fail(f"no 'Planning Committee' filter; the filters show {panel!r}; problems: {tab.problems()}")
    planning.check()
    page.wait_for_function(f"""() => {{
        const m = document.querySelector(".pagefind-ui__message");
        return m && !m.textContent.startsWith("{everything} result");
    }}""")
    narrowed = result_count(page)
    assert 0 < narrowed < everything
    assert {committee_of(href) for _, href in all_results(page)} == {"planning-committee"}

    page.get_by_label(re.compile(r"^Planning Committee \(\d+\)$")).uncheck()
    page.get_by_label(re.compile(r"^2024 \(\d+\)$")).check()
    # the count alone may not change (as many 2024 results as Planning ones): wait for the results
    page.wait_for_function("""() => {
        const links = [...document.querySelectorAll(".pagefind-ui__result-link[href]")];
        return links.length > 0 && links.every(a => a.getAttribute("href").includes("/2024/"));
    }""")
    assert all("/2024/" in href for _, href in all_results(page)), all_results(page)
    assert tab.problems() == []


def test_a_sharded_index_finds_what_one_index_finds(browser_server_csp, sharded_server_csp, browser_site_sharded,
                                                     open_tab):
    """Older minutes in their own index shard (site_gen/search.py) are found and filtered as in one index."""
    assert (browser_site_sharded / "pagefind-archive" / "2023-2023" / "pagefind-entry.json").is_file()
    found = {}
    for name, server in (("one index", browser_server_csp), ("sharded", sharded_server_csp)):
        tab = open_tab(server.url("/search/"))
        search(tab.page, "mobile library")
        found[name] = sorted(href for _, href in all_results(tab.page))
        assert tab.problems() == []
    assert found["sharded"] == found["one index"]
    assert {"2023", "2024"} <= {href.split("/")[2] for href in found["sharded"] if href.startswith("/meetings/")}

    page = tab.page  # the sharded site: a year whose meetings are only in the merged shard
    page.get_by_label(re.compile(r"^2023 \(\d+\)$")).check()
    page.wait_for_function("""() => {
        const links = [...document.querySelectorAll(".pagefind-ui__result-link[href]")];
        return links.length > 0 && links.every(a => a.getAttribute("href").includes("/2023/"));
    }""")
    in_2023 = [href for _, href in all_results(page)]
    assert sorted(in_2023) == [href for href in found["one index"] if "/2023/" in href]
    assert tab.problems() == []


def test_every_filter_is_offered_when_a_filter_index_loads_slowly(browser_site, browser_server, open_tab):
    """On a slow connection Pagefind's UI would list only the filters loaded by its first results;
    search.js runs the search again once every filter index has loaded."""
    for chunk in sorted((browser_site / "pagefind" / "filter").iterdir()):
        tab = open_tab(browser_server.url("/"))

        def slowly(route):
            time.sleep(1.5)
            route.continue_()

        tab.page.route(f"**/pagefind/filter/{chunk.name}", slowly)
        tab.page.goto(browser_server.url("/search/"))
        search(tab.page, "mobile library")
        tab.page.wait_for_function("""() => [...document.querySelectorAll(".pagefind-ui__filter-name")]
                                           .map(e => e.textContent.trim()).join() === "Committee,Kind,Year" """,
                                   timeout=10_000)
        assert tab.problems() == []


@with_and_without_csp
def test_header_search_box_runs_the_query_on_the_search_page(csp, sample, open_tab):
    tab = open_tab(sample.url(MEETING), width=375)
    page = tab.page
    page.get_by_role("search").first.get_by_label("Search the minutes").fill("care leavers")
    page.get_by_role("search").first.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/search/\?q=care\+leavers$"))
    wait_for_results(page, "care leavers")
    assert page.locator(".pagefind-ui__search-input").input_value() == "care leavers"
    assert INDICATOR in [href for _, href in result_links(page)]
    page.locator(".pagefind-ui__search-input").press("Enter")  # pressing Enter again stays on the page
    page.wait_for_timeout(300)
    assert "/search/" in page.url
    assert tab.problems() == []


def test_search_page_without_javascript_offers_browsing(sample_server, open_tab):
    tab = open_tab(sample_server.url("/search/"), javascript=False)
    page = tab.page
    fallback = page.locator("#search-fallback")
    assert fallback.is_visible()
    assert "Search needs JavaScript" in fallback.inner_text()
    for name, href in [("by committee", "/committees/"), ("Children & Families Scrutiny Committee",
                                                             "/committees/children-families-scrutiny/"),
                       ("by year", "/meetings/"), ("2020", "/meetings/2020/"), ("2022", "/meetings/2022/")]:
        link = fallback.get_by_role("link", name=name, exact=True)
        assert link.is_visible() and link.get_attribute("href") == href
    assert page.locator("#search").inner_html().strip() == ""


@with_and_without_csp
def test_search_page_with_javascript_hides_the_fallback(csp, sample, open_tab):
    tab = open_tab(sample.url("/search/"))
    tab.page.locator(".pagefind-ui__search-input").wait_for(state="visible")
    assert tab.page.locator("#search-fallback").is_hidden()
    assert tab.problems() == []


# -- helpers --

def all_results(page) -> list[tuple[str, str]]:
    """Every result, pressing "Load more results" until Pagefind has shown them all."""
    more = page.locator(".pagefind-ui__button")
    while more.count() and more.first.is_visible():
        shown = page.locator(".pagefind-ui__result").count()
        more.first.click()
        page.wait_for_function(f"document.querySelectorAll('.pagefind-ui__result').length > {shown}")
    page.wait_for_function("""() => [...document.querySelectorAll(".pagefind-ui__result")]
                                      .every(r => r.querySelector(".pagefind-ui__result-link[href]"))""")
    return result_links(page)


def committee_of(href: str) -> str | None:
    """The committee of a meeting or committee page; None for other pages (issues span committees)."""
    match = re.search(r"/meetings/\d{4}/\d{4}-\d{2}-\d{2}-([a-z0-9-]+)/|/committees/([a-z0-9-]+)/", href)
    return (match.group(1) or match.group(2)) if match else None
