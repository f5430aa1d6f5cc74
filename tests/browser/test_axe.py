"""axe-core finds no WCAG 2.2 A/AA violations on any page, on a phone or a desktop.

axe is injected as a script, which the site's CSP would rightly block: these pages
are served without the header (test_search.py and test_csp.py cover the policy).
One browser page per width is reused for speed; each test navigates it afresh.
"""
from __future__ import annotations

import pytest

from .browser_helpers import (
    AXE_JS,
    NOT_FOUND_URL,
    PAGE_KINDS,
    describe_violations,
    html_files,
    kind_of,
    require,
    run_axe,
    search,
    url_of,
    wait_for_status,
)

PHONE, DESKTOP = 320, 1280
AXE_URL = "/__tests__/axe.min.js"  # answered by the browser itself (context.route), never by the site


@pytest.fixture(scope="module")
def axe_page(browser):
    """page_at(width) -> a page whose add_script_tag(url=AXE_URL) loads axe-core."""
    source = require(AXE_JS, "run `npm ci` at the repository root (scripts/test.sh does)").read_bytes()
    contexts, pages = [], {}

    def page_at(width: int):
        if width not in pages:
            context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB")
            context.route("**" + AXE_URL, lambda route: route.fulfill(
                body=source, content_type="text/javascript", headers={"Cache-Control": "max-age=3600"}))
            contexts.append(context)
            pages[width] = context.new_page()
        return pages[width]

    yield page_at
    for context in contexts:
        context.close()


@pytest.fixture
def servers(sample_server, browser_server):
    return {"sample": sample_server, "browser": browser_server}


def axe_violations(page, url: str) -> list[dict]:
    page.goto(url, wait_until="load")
    return run_axe(page, AXE_URL)


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_page_kind_on_a_phone(kind, servers, axe_page):
    site, url = PAGE_KINDS[kind]
    page = axe_page(PHONE)
    violations = axe_violations(page, servers[site].url(url))
    assert not violations, f"axe on {kind} ({url}) at {PHONE}px:\n{describe_violations(violations)}"
    # WCAG 1.4.10 Reflow: nothing but a table's own scrolling box is wider than the phone
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE, f"{url} is {width}px wide on a {PHONE}px phone: it scrolls sideways"


def test_page_kinds_name_every_kind_of_page(sample_site, browser_site):
    """A new kind of page is added to PAGE_KINDS, so that it is checked on a phone too."""
    named = {kind_of("/404.html" if url == NOT_FOUND_URL else url) for _, url in PAGE_KINDS.values()}
    built = {kind_of(url_of(root, file)): url_of(root, file)
             for root in (sample_site, browser_site) for file in html_files(root)}
    missing = sorted(url for kind, url in built.items() if kind not in named)
    assert not missing, f"add a page of each of these kinds to PAGE_KINDS (browser_helpers.py): {missing}"


@pytest.mark.parametrize("site", ["sample", "browser"])
def test_every_page_on_a_desktop(site, servers, axe_page, sample_site, browser_site):
    """Every page the build wrote, so a new kind of page is checked the day it appears."""
    root = {"sample": sample_site, "browser": browser_site}[site]
    report = []
    for file in html_files(root):
        url = url_of(root, file)
        violations = axe_violations(axe_page(DESKTOP), servers[site].url(url))
        if violations:
            report.append(f"{url}:\n{describe_violations(violations)}")
    assert not report, f"axe at {DESKTOP}px:\n" + "\n".join(report)


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_search_results(width, browser_server, axe_page):
    """The search page as a resident sees it: results, agenda items, the filters open and one applied."""
    page = axe_page(width)
    page.goto(browser_server.url("/search/"))
    search(page, "mobile library")
    filters = page.locator("#search-filters")
    if filters.get_attribute("open") is None:  # the filters start closed on a phone
        filters.locator("summary").click()
    page.get_by_label("Cabinet", exact=True).check()
    wait_for_status(page, "with these filters")
    assert page.locator(".search-result__items a").count() > 0
    violations = run_axe(page, AXE_URL)
    assert not violations, f"axe on search results at {width}px:\n{describe_violations(violations)}"


def test_axe_would_find_a_violation(sample_server, axe_page):
    """The harness is not vacuous: an image without a text alternative is reported."""
    page = axe_page(DESKTOP)
    page.goto(sample_server.url("/"))
    page.evaluate("""document.querySelector("main").append(Object.assign(document.createElement("img"),
                                                                              {src: "data:,"}))""")
    assert "image-alt" in [violation["id"] for violation in run_axe(page, AXE_URL)]
