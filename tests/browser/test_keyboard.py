"""The keyboard alone: the skip link comes first and works, and focus is always visible."""
from __future__ import annotations

MEETING = "/meetings/2020/2020-12-09-children-families-scrutiny/"
FOCUS_YELLOW = "rgb(255, 221, 0)"


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_main_content(sample_server, open_tab):
    tab = open_tab(sample_server.url(MEETING), width=375)
    page = tab.page
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, "the skip link stays off screen when focused"
    assert skip.evaluate("e => getComputedStyle(e).backgroundColor") == FOCUS_YELLOW
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the next stop is inside the main content
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")
    assert tab.problems() == []


def test_focused_controls_are_highlighted(sample_server, open_tab):
    tab = open_tab(sample_server.url(MEETING))
    page = tab.page
    for selector in ["#main a[href='#item-5']", ".site-nav--row a", ".site-footer a", ".header-search__button"]:
        page.locator(selector).first.focus()
        page.keyboard.press("Shift+Tab")  # arrive by keyboard, so :focus-visible applies too
        page.keyboard.press("Tab")
        style = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
                                        return [s.backgroundColor, s.outlineStyle, s.outlineColor]; }""")
        assert FOCUS_YELLOW in style, f"{selector} has no visible focus: {style}"
    search_box = page.locator("#header-search-input")
    search_box.focus()
    outline = search_box.evaluate("e => [getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineColor]")
    assert outline == ["solid", FOCUS_YELLOW]
