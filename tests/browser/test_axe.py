"""axe-core finds no WCAG 2.2 A/AA violations on any page kind, on a phone or a desktop.

axe is injected as a script, which the site's CSP would rightly block: these pages
are served without the header (test_search.py and test_csp.py cover the policy).
"""
from __future__ import annotations

import pytest

from browser_helpers import AXE_JS, PAGE_KINDS, describe_violations, require, run_axe, search

WIDTHS = {"phone": 320, "desktop": 1280}


@pytest.fixture(scope="module")
def axe_js():
    return require(AXE_JS, "run `npm ci` at the repository root (scripts/test.sh does)")


@pytest.fixture
def servers(sample_server, browser_server):
    return {"sample": sample_server, "browser": browser_server}


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_no_axe_violations(kind, width, servers, open_tab, axe_js):
    site, url = PAGE_KINDS[kind]
    tab = open_tab(servers[site].url(url), width=width)
    violations = run_axe(tab.page, axe_js)
    assert not violations, f"axe on {kind} ({url}) at {width}px:\n{describe_violations(violations)}"


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_no_axe_violations_in_search_results(width, browser_server, open_tab, axe_js):
    """The Pagefind UI as a resident sees it: results, sub-results and filters."""
    tab = open_tab(browser_server.url("/search/"), width=width)
    search(tab.page, "mobile library")
    tab.page.locator(".pagefind-ui__filter-checkbox").first.check()
    tab.page.wait_for_timeout(300)
    violations = run_axe(tab.page, axe_js)
    assert not violations, f"axe on search results at {width}px:\n{describe_violations(violations)}"
