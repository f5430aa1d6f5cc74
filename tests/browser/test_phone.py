"""Reading on a phone (375 px): tables, the header, a link to an agenda item."""
from __future__ import annotations

import pytest

PHONE = 375
MEETING = "/meetings/2020/2020-12-09-children-families-scrutiny/"

# every kind of page with a table, in the archive that has one
TABLE_PAGES = [
    ("sample", "/decisions/"),
    ("sample", "/indicators/"),
    ("sample", "/indicators/cfse-29/"),
    ("sample", "/data/"),
    ("browser", "/changes/"),
    ("browser", "/meetings/2023/2023-11-07-cabinet/"),  # a wide table in the minutes
]


@pytest.mark.parametrize("site, url", TABLE_PAGES, ids=[url for _, url in TABLE_PAGES])
def test_every_table_shows_every_column_without_sideways_scrolling(site, url, sample_server_csp,
                                                                   browser_server_csp, open_tab):
    server = sample_server_csp if site == "sample" else browser_server_csp
    tab = open_tab(server.url(url), width=PHONE, height=812)
    page = tab.page
    cells = page.evaluate("""() => [...document.querySelectorAll("main table td, main table tbody th")].map(cell => {
        const box = cell.getBoundingClientRect();
        const label = getComputedStyle(cell, "::before").content;
        return {text: cell.textContent.trim().slice(0, 40), left: box.left, right: box.right, width: box.width,
                label: cell.tagName === "TD" ? label : null, scrolls: cell.closest(".table-wrap")
                  ? cell.closest(".table-wrap").scrollWidth > cell.closest(".table-wrap").clientWidth : false};
    })""")
    assert cells, f"{url} has no table"
    outside = [
        cell for cell in cells if cell["text"] and (cell["left"] < 0 or cell["right"] > PHONE or cell["width"] == 0)
    ]
    assert not outside, f"{url}: cells outside the {PHONE} px screen: {outside[:5]}"
    assert not any(cell["scrolls"] for cell in cells), f"{url}: a table still scrolls sideways"
    unlabelled = [
        cell for cell in cells if cell["label"] is not None and cell["text"] and cell["label"] in ("none", "normal")
    ]
    assert not unlabelled, f"{url}: cells without their column's name: {unlabelled[:5]}"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    assert tab.problems() == []


def test_tables_are_tables_on_a_wide_screen(sample_server_csp, open_tab):
    tab = open_tab(sample_server_csp.url("/decisions/"), width=1280)
    assert tab.page.evaluate("getComputedStyle(document.querySelector('main table')).display") == "table"
    assert tab.page.evaluate("getComputedStyle(document.querySelector('main td'), '::before').content") in (
        "none",
        "normal",
    )


@pytest.mark.parametrize("url", ["/", MEETING, "/indicators/cfse-29/", "/search/"])
def test_header_and_navigation_take_at_most_120_px(url, sample_server_csp, open_tab):
    tab = open_tab(sample_server_csp.url(url), width=PHONE, height=812)
    page = tab.page
    height = page.evaluate("document.querySelector('.site-header').getBoundingClientRect().bottom")
    assert height <= 120, f"{url}: the header and navigation are {height} px tall"
    menu = page.get_by_text("Menu", exact=True)
    assert menu.is_visible()
    nav_link = page.locator(".site-menu").get_by_role("link", name="Decisions")
    assert not nav_link.is_visible()
    menu.click()
    assert nav_link.is_visible()
    assert tab.problems() == []


def test_menu_works_without_javascript(sample_server, open_tab):
    tab = open_tab(sample_server.url("/"), width=PHONE, javascript=False)
    page = tab.page
    page.get_by_text("Menu", exact=True).click()
    page.locator(".site-menu").get_by_role("link", name="Indicators").click()
    page.wait_for_url("**/indicators/")


def test_a_linked_item_shows_its_meeting_and_is_highlighted(sample_server_csp, open_tab):
    tab = open_tab(sample_server_csp.url(MEETING + "#item-5"), width=PHONE, height=812)
    page = tab.page
    context = page.locator("#item-5 + .item__context")
    assert context.is_visible()
    assert context.inner_text() == ("Item 5 of the Children & Families Scrutiny Committee meeting of "
                                    "9 December 2020 · Approved minutes")
    assert context.locator("time").get_attribute("datetime") == "2020-12-09"
    box = context.bounding_box()
    assert box and 0 <= box["y"] < 812, f"the meeting's context is not on screen: {box}"
    highlight = page.evaluate("getComputedStyle(document.getElementById('item-5')).backgroundColor")
    assert highlight not in ("rgba(0, 0, 0, 0)", "transparent")
    # an item not linked to shows neither
    other = open_tab(sample_server_csp.url(MEETING), width=PHONE)
    assert other.page.locator("#item-5 + .item__context").is_hidden()
    assert tab.problems() == []


def test_the_meeting_opens_with_its_decisions(sample_server_csp, open_tab):
    tab = open_tab(sample_server_csp.url(MEETING), width=PHONE, height=812)
    page = tab.page
    summary = page.locator("#decisions-summary")
    assert summary.inner_text() == "Decisions"
    link = page.locator(".decisions-summary__link")
    assert link.first.get_attribute("href") == "#item-5"
    first_item = page.locator("#item-5").bounding_box()
    assert summary.bounding_box()["y"] < first_item["y"]
    assert summary.bounding_box()["y"] < 2 * 812, "the decisions are not within two screens"
    link.first.click()
    assert page.url.endswith("#item-5")
    assert tab.problems() == []
