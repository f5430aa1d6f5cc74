"""Names from the content reach the search UI as text: a committee whose name is markup
(`<img src=x onerror=...>`) shows that markup as letters, and no element is ever made from it.

Served without the Content-Security-Policy on purpose: the policy would stop an inline
handler from running, but the page must not build the element in the first place.
"""
from __future__ import annotations

import shutil

import pytest
from conftest import build_into
from invalid_sites import BASE

from .browser_helpers import result_links, search, wait_for_status
from .conftest import _serve

# markup, and markup written as entities (which Pagefind decodes when it indexes a value)
HOSTILE_NAME = ('Scrutiny <img src=x onerror="window.__ran = 1"> &lt;img src=y onerror="window.__ran = 2"&gt; '
                '& <b>Co</b>')

# Records every element added to the page after it starts, wherever it is added.
RECORD_ELEMENTS = """
window.__made = [];
new MutationObserver((records) => {
  for (const record of records) {
    for (const node of record.addedNodes) {
      if (node.nodeType !== 1) continue;
      for (const made of [node, ...node.querySelectorAll("*")]) {
        const where = made.tagName === "IMG" ? " in " + made.parentElement.outerHTML.slice(0, 200) : "";
        window.__made.push(made.tagName + where);
      }
    }
  }
}).observe(document, {childList: true, subtree: true});
"""


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    content = tmp_path_factory.mktemp("hostile") / "content"
    shutil.copytree(BASE, content)
    (content / "committees" / "scrutiny.yml").write_text(f"name: '{HOSTILE_NAME}'\n", encoding="utf-8")
    site = build_into(content, content.parent / "_site")
    yield from _serve(site, with_site_headers=False)


def test_a_committee_name_in_the_filters_is_text_not_markup(hostile_server, open_tab):
    tab = open_tab(hostile_server.url("/search/"))
    page = tab.page
    page.evaluate(RECORD_ELEMENTS)
    search(page, "Performance")
    label = page.locator(".search-filters__option label", has_text="Scrutiny")
    label.first.wait_for(state="attached", timeout=10_000)
    page.wait_for_timeout(500)  # an image's error event, had one been made, would have fired by now
    made = page.evaluate("window.__made")
    assert not [tag for tag in made if tag.split()[0] in ("IMG", "B")], (
        f"elements made from the committee's name: {made}"
    )
    inside = page.evaluate("[...document.querySelectorAll('#main img, #main b')].map(e => e.parentElement.outerHTML)")
    assert inside == []
    assert page.evaluate("window.__ran") is None
    shown = label.first.text_content().strip()
    assert shown.startswith("Scrutiny ") and "& " in shown and "Co" in shown
    # the filter still narrows the results to that committee
    if page.locator("#search-filters").get_attribute("open") is None:
        page.locator("#search-filters summary").click()
    label.first.click()
    wait_for_status(page, "with these filters")
    assert page.locator(".search-filters__box:checked").count() == 1


def test_a_committee_name_in_result_titles_is_text_not_markup(hostile_server, open_tab):
    tab = open_tab(hostile_server.url("/search/"))
    page = tab.page
    page.evaluate(RECORD_ELEMENTS)
    search(page, "Co")
    titles = [title for title, _ in result_links(page)]
    assert any("Scrutiny" in title and "img" in title for title in titles), titles
    page.wait_for_timeout(500)
    made = page.evaluate("window.__made")
    assert not [tag for tag in made if tag.split()[0] in ("IMG", "B")], (
        f"elements made from the committee's name: {made}"
    )
    assert page.evaluate("window.__ran") is None
