"""Every page works under the site's Content-Security-Policy: the browser reports no violation."""
from __future__ import annotations

import pytest

from .browser_helpers import csp_policy, html_files, url_of


@pytest.mark.parametrize("site", ["sample", "browser"])
def test_no_page_breaks_the_policy(site, request, open_tab):
    root = request.getfixturevalue(f"{site}_site")
    server = request.getfixturevalue(f"{site}_server_csp")
    tab = open_tab(server.url("/"))
    response = tab.page.goto(server.url("/"))
    assert response.headers["content-security-policy"] == csp_policy() == server.csp
    report = []
    for file in html_files(root):
        url = url_of(root, file)
        tab.page.goto(server.url(url), wait_until="load")
        if url == "/search/":
            tab.page.locator("#search-q").wait_for(state="visible")
        if tab.problems():
            report.append(f"{url}:\n  " + "\n  ".join(tab.problems()))
            tab.csp_violations.clear(), tab.console_errors.clear(), tab.page_errors.clear()
            tab.failed_requests.clear()
    assert not report, "\n".join(report)


def test_a_violation_would_be_caught(sample_server_csp, open_tab):
    """The listener works: an inline style attribute added to a page is reported."""
    tab = open_tab(sample_server_csp.url("/"))
    tab.page.evaluate("""document.querySelector("main").insertAdjacentHTML(
                           "beforeend", '<p style="color: red">inline style</p>')""")
    tab.page.wait_for_timeout(200)
    assert any("style-src" in violation for violation in tab.csp_violations), tab.problems()
