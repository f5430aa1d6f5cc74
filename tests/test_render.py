"""Every page kind of the site contract, read back by parsing the HTML."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from conftest import read_page

MEETING_2020 = "/meetings/2020/2020-12-09-children-families-scrutiny/"
MEETING_2022 = "/meetings/2022/2022-09-07-children-families-scrutiny/"
FIXTURE_MEETING = "/meetings/2020/2020-01-15-scrutiny/"

SAMPLE_PAGES = [
    "/", MEETING_2020, MEETING_2022, "/meetings/", "/meetings/2020/", "/meetings/2022/",
    "/committees/", "/committees/children-families-scrutiny/", "/indicators/", "/indicators/cfse-29/",
    "/indicators/cfse-5/", "/indicators/cfse-62/", "/portfolios/", "/portfolios/children-families-education/",
    "/issues/", "/issues/portfolio-performance-and-resources/", "/decisions/", "/search/", "/accessibility/",
    "/changes/",
    "/404.html",
]


@pytest.mark.parametrize("url", SAMPLE_PAGES)
def test_every_page_kind_has_one_h1_and_landmarks(sample_site, url):
    page = read_page(sample_site, url)
    assert len(page.find_all("h1")) == 1
    assert page.find("main", id="main") is not None
    assert page.find("header") is not None and page.find("footer") is not None
    assert page.html["lang"] == "en-GB"
    assert page.find("a", class_="skip-link")["href"] == "#main"
    assert page.find("a", href="/accessibility/") is not None


def item_section(page, number):
    heading = page.find(id=f"item-{number}")
    assert heading is not None, f"no #item-{number}"
    return heading.find_parent("section")


def test_meeting_page_carries_every_fact_of_seed_001(sample_site):
    page = read_page(sample_site, MEETING_2020)
    assert page.h1.get_text(" ", strip=True) == "Children & Families Scrutiny Committee Wednesday 9 December 2020"
    assert page.h1.find("time")["datetime"] == "2020-12-09"
    item = item_section(page, 5)
    text = item.get_text(" ", strip=True)
    assert item.h2.get_text(" ", strip=True) == "5. Portfolio Performance and Resources - Mid-Year Report 2020/21"
    assert "To consider a report of the Director of Children’s Services." in text
    recommendations = [li.get_text(strip=True) for li in item.find("ol", class_="recommendations").find_all("li")]
    assert len(recommendations) == 5
    assert recommendations[0] == "Consider the Mid-Year Portfolio Performance and Resource Reports;"
    mails = [a["href"] for a in item.select("a[href^='mailto:']")]
    assert mails == ["mailto:gaynor.ward@stockport.gov.uk", "mailto:gill.dixon@stockport.gov.uk",
                     "mailto:peter.hughes@stockport.gov.uk"]
    assert [a["href"] for a in item.select("a[href^='tel:']")] == ["tel:01614743186", "tel:01614743886",
                                                                    "tel:01614743947"]
    documents = item.find("ul", class_="documents").get_text(" ", strip=True)
    assert "207 KB" in documents
    assert "Councillor Colin Foster" in page.find(id="attendance").find_parent("section").get_text()
    bullets = item.find(class_="item__minutes").find("ul").find_all("li", recursive=False)
    assert len(bullets) == 4
    decision = item.find(class_="decision").get_text(" ", strip=True)
    assert decision.endswith("RESOLVED – That the report be noted.")
    assert item.find("a", href="/issues/portfolio-performance-and-resources/") is not None


def test_meeting_page_of_seed_000_keeps_headings_and_codes(sample_site):
    page = read_page(sample_site, MEETING_2022)
    item = item_section(page, 4)
    headings = [h.get_text(strip=True) for h in item.find(class_="item__minutes").find_all(["h3", "h4"])]
    assert headings[0] == "Portfolio Summary"
    assert any(h.startswith("Priority Once") for h in headings)
    assert headings[-1] == "Financial Resources and Monitoring"
    links = {a.get_text(): a["href"] for a in item.find(class_="item__minutes").find_all("a", class_="indicator-code")}
    assert links["CFSE.5"] == "/indicators/cfse-5/"
    assert links["CFSE.62"] == "/indicators/cfse-62/"
    assert "CSFE.63" not in links, "a misspelt prefix is warned about, not guessed"
    assert "KS2" not in links and "KS2" in item.get_text()


def test_alias_links_to_the_indicator(sample_site):
    page = read_page(sample_site, MEETING_2020)
    link = page.find("a", string="CFSE29")
    assert link["href"] == "/indicators/cfse-29/"


def test_indicator_page_lists_mentions_with_sentence(sample_site):
    page = read_page(sample_site, "/indicators/cfse-29/")
    assert "Percentage of care leavers (19-21)" in page.h1.get_text()
    mentions = page.find("ol", class_="mentions").find_all("li", recursive=False)
    assert len(mentions) == 1
    link = mentions[0].find("a")
    assert link["href"] == MEETING_2020 + "#item-5"
    sentence = mentions[0].find("blockquote").get_text(" ", strip=True)
    assert sentence.startswith("Members enquired about Priority Two, CFSE29")
    assert "In response" not in sentence
    rating = page.find("table").find("tbody").find("tr")
    assert "Red – off target" in rating.get_text()


def test_undefined_code_gets_a_page_that_says_so(sample_site):
    page = read_page(sample_site, "/indicators/cfse-62/")
    assert "not yet defined" in page.get_text()
    assert page.find("ol", class_="mentions").find("a")["href"] == MEETING_2022 + "#item-4"
    index = read_page(sample_site, "/indicators/")
    undefined = [a.get_text() for a in index.find(id="undefined").find_next("ul").find_all("a")]
    assert undefined == ["CFSE.10", "CFSE.11", "CFSE.26", "CFSE.27", "CFSE.62"]


def test_indicators_index_groups_by_portfolio_and_priority(sample_site):
    page = read_page(sample_site, "/indicators/")
    assert page.find("h2").get_text(strip=True) == "Children, Families and Education"
    priorities = [h.get_text(strip=True) for h in page.find_all("h3")]
    assert priorities[0].startswith("Priority 1:") and priorities[1].startswith("Priority 2:")


def test_issue_history_is_newest_first(sample_site):
    page = read_page(sample_site, "/issues/portfolio-performance-and-resources/")
    links = [a["href"] for a in page.select(".timeline__heading a")]
    assert links == [MEETING_2022 + "#item-4", MEETING_2020 + "#item-5"]


def test_decisions_register(sample_site):
    page = read_page(sample_site, "/decisions/")
    rows = page.find("table").find("tbody").find_all("tr")
    assert [r.find("a")["href"] for r in rows] == [MEETING_2022 + "#item-4", MEETING_2020 + "#item-5"]
    assert all("RESOLVED – That the report be noted." in r.get_text(" ", strip=True) for r in rows)


def test_committee_and_year_pages_are_newest_first(sample_site):
    committee = read_page(sample_site, "/committees/children-families-scrutiny/")
    assert [a["href"] for a in committee.select(".meeting-list__title a")] == [MEETING_2022, MEETING_2020]
    year = read_page(sample_site, "/meetings/2020/")
    assert [a["href"] for a in year.select(".meeting-list__title a")] == [MEETING_2020]


def test_portfolio_page_lists_priorities_and_indicators(sample_site):
    page = read_page(sample_site, "/portfolios/children-families-education/")
    titles = [h.get_text(strip=True) for h in page.find_all("h3")]
    assert titles[0] == ("Priority 1: All babies and children are given the very best start in life "
                         "by their parents and carers and start school ready to learn")
    assert page.find("a", href="/indicators/cfse-29/") is not None


def test_home_page(sample_site):
    page = read_page(sample_site, "/")
    latest = [a["href"] for a in page.select(".meeting-list__title a")]
    assert latest == [MEETING_2022, MEETING_2020]
    assert page.find("form", action="/search/").find("input", attrs={"name": "q"}) is not None


def test_atom_feed_is_valid_rfc4287(sample_site):
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.parse(sample_site / "feed.xml").getroot()
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    for required in ("a:id", "a:title", "a:updated", "a:author/a:name"):
        assert feed.find(required, ns) is not None, required
    entries = feed.findall("a:entry", ns)
    assert [e.find("a:link", ns).get("href") for e in entries] == [
        "https://council-minutes.example.org" + MEETING_2022, "https://council-minutes.example.org" + MEETING_2020]
    for entry in entries:
        for required in ("a:id", "a:title", "a:updated"):
            assert entry.find(required, ns).text
        assert entry.find("a:content", ns).get("type") == "html"


def test_search_page_uses_pagefind_without_inline_script(sample_site):
    page = read_page(sample_site, "/search/")
    scripts = page.find_all("script")
    assert [s.get("src") for s in scripts] == ["/assets/search.js"]
    assert all(not s.string for s in scripts)
    assert (sample_site / "pagefind" / "pagefind.js").is_file()
    form = page.find("form", id="search-form")
    assert form is not None and form.get("action") == "/search/" and form.get("method") == "get"
    # the address's fields: ?q=&committee=&year=&kind=&sort=
    names = {field.get("name") for field in form.find_all(["input", "select"])}
    assert names == {"q", "committee", "year", "kind", "sort"}
    assert page.find(id="header-search-input") is None, "the header's search box is repeated on the search page"


def test_pagefind_filters_and_sort_on_meeting_pages(sample_site):
    page = read_page(sample_site, MEETING_2020)
    filters = {m["data-pagefind-filter"]: m["content"]
               for m in page.find_all("meta", attrs={"data-pagefind-filter": True})}
    assert filters == {"kind[content]": "Meeting", "committee[content]": "Children & Families Scrutiny Committee",
                       "year[content]": "2020"}
    assert page.find("meta", attrs={"data-pagefind-sort": True})["content"] == "2020-12-09"
    assert page.find("main").has_attr("data-pagefind-body")


# -- the fixture site: every feature, including hostile content -----------------

def test_items_are_in_numeric_order(fixture_site):
    page = read_page(fixture_site, FIXTURE_MEETING)
    ids = [h["id"] for h in page.select("h2.item__title")]
    assert ids == [f"item-{n}" for n in range(1, 11)]


def test_raw_html_and_template_syntax_are_text(fixture_site):
    page = read_page(fixture_site, FIXTURE_MEETING)
    main = page.find("main")
    assert main.find("script") is None and main.find("img") is None and main.find("b") is None
    text = main.get_text()
    assert "<script>alert('minutes')</script>" in text
    assert "<script>alert('summary')</script>" in text
    assert "{{ 7*7 }}" in text and "49" not in text
    assert "{{ config }}" in text
    assert "{% raw %}" in text


def test_dangerous_links_are_text(fixture_site):
    page = read_page(fixture_site, FIXTURE_MEETING)
    hrefs = [a["href"] for a in page.find_all("a", href=True)]
    assert not [h for h in hrefs if h.lower().startswith(("javascript:", "data:", "vbscript:"))]
    assert "[bad link](javascript:alert(1))" in page.get_text()


def test_codes_in_code_spans_and_links_are_not_linked(fixture_site):
    page = read_page(fixture_site, FIXTURE_MEETING)
    assert page.find("code").find("a") is None
    external = page.find("a", href="https://example.org/pi")
    assert external.find("a") is None and external.get_text() == "the PI.1 link"
    item10 = item_section(page, 10)
    codes = [a.get_text() for a in item10.find_all("a", class_="indicator-code")]
    assert codes[:4] == ["PI 1", "PI1", "pi 1", "PI.2"]
    assert "PIX.3" not in codes


def test_non_codes_are_never_linked(fixture_site):
    page = read_page(fixture_site, FIXTURE_MEETING)
    nine = item_section(page, 9)
    assert nine.find("a", class_="indicator-code") is None


def test_documents_copied_and_sized(fixture_site):
    page = read_page(fixture_site, FIXTURE_MEETING)
    link = page.find("a", string="Report to the committee")
    assert link["href"] == FIXTURE_MEETING + "report.pdf"
    assert (fixture_site / FIXTURE_MEETING.strip("/") / "report.pdf").read_bytes().startswith(b"%PDF")
    assert "bytes" in link.find_parent("li").get_text()
    background = page.find(string=lambda s: s and "Background paper" in s).find_parent("li")
    assert background.find("a") is None and "12 KB" in background.get_text()


def test_approval_links_the_approving_meeting(fixture_site):
    page = read_page(fixture_site, FIXTURE_MEETING)
    links = [a for a in page.find("main").find_all("a", href="/meetings/2020/2020-02-12-scrutiny/")
             if a.get_text(" ", strip=True) == "meeting of 12 February 2020"]
    assert links and links[0].find("time")["datetime"] == "2020-02-12"


def test_unconfirmed_minutes_say_so(fixture_site):
    page = read_page(fixture_site, "/meetings/2020/2020-02-12-scrutiny/")
    assert page.find(class_="tag").get_text() == "Unconfirmed minutes"
    assert "These minutes await approval." in page.find(class_="notice").get_text()
    decision = item_section(page, 1).find(class_="decision").get_text(" ", strip=True)
    assert decision == ("Decision RESOLVED – That the minutes of the meeting held on 15 January 2020 "
                        "be approved as a correct record.")
    multi = item_section(page, 2).find(class_="decision")
    assert len(multi.find("ol").find_all("li")) == 2


def test_bom_and_crlf_file_renders(fixture_site):
    page = read_page(fixture_site, "/meetings/2019/2019-11-05-cabinet/")
    assert "The café budget was agreed." in item_section(page, 3).get_text()


def test_previous_and_next_meeting_of_the_same_committee(fixture_site):
    page = read_page(fixture_site, FIXTURE_MEETING)
    assert page.find("a", rel="next")["href"] == "/meetings/2020/2020-02-12-scrutiny/"
    assert page.find("a", rel="prev") is None


def test_drafts_are_not_published_by_default(fixture_site):
    assert not (fixture_site / "meetings" / "2021").exists()
    assert "Secret draft item" not in (fixture_site / "feed.xml").read_text()


def test_templates_own_text_has_no_control_characters():
    """Pages are cleaned of control characters as a whole (what the content and git give); the
    templates' own text must then have none that the cleaning would take out."""
    from site_gen.render import TEMPLATES
    from site_gen.safetext import CONTROL_RE

    templates = sorted(TEMPLATES.rglob("*.html"))
    assert templates
    for template in templates:
        assert CONTROL_RE.search(template.read_text(encoding="utf-8")) is None, template
