"""What an issue (the same subject across meetings) is called: its file in content/issues/, or its items' titles."""
from __future__ import annotations

import shutil

from conftest import SAMPLE_CONTENT, build_into, read_page

from site_gen.linking import issue_title, sentence_case
from site_gen.models import Item

ISSUE = "/issues/portfolio-performance-and-resources/"


def entries(*titles):
    """(meeting, item) pairs, newest first, as linking gives them; the meeting is not looked at."""
    return [(None, Item(number=n, title=title, line=1)) for n, title in enumerate(titles, start=1)]


def test_an_issue_is_named_by_the_part_its_titles_share():
    assert issue_title(entries("Budget - Outturn 2023/24", "Budget - Setting 2023/24")) == "Budget"


def test_without_a_shared_part_an_issue_is_named_by_its_first_item_not_its_newest():
    assert issue_title(entries("Libraries strategy 2024 to 2028", "Mobile library timetable",
                               "Mobile library service review")) == "Mobile library service review"


def test_a_title_in_capitals_is_shown_in_sentence_case():
    assert issue_title(entries("PORTFOLIO PERFORMANCE AND RESOURCES 2020/21 (CFSE.29)")) == \
        "Portfolio performance and resources 2020/21 (CFSE.29)"
    assert sentence_case("Ofsted inspection of SEND services") == "Ofsted inspection of SEND services"
    assert sentence_case("2021/22 BUDGET") == "2021/22 Budget"


def test_an_issue_file_names_and_describes_the_issue(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    (content / "issues").mkdir()
    (content / "issues" / "portfolio-performance-and-resources.yml").write_text(
        'name: "Children’s services: performance and resources"\n'
        "description: How the portfolio is doing against its *priorities*, twice a year.\n", encoding="utf-8")
    site = build_into(content, tmp_path / "_site")
    page = read_page(site, ISSUE)
    assert page.h1.get_text(strip=True) == "Children’s services: performance and resources"
    assert page.find(class_="description").find("em").get_text() == "priorities"
    index = read_page(site, "/issues/")
    assert "Children’s services: performance and resources" in index.find("main").get_text()


def test_without_a_file_the_sample_issue_has_its_shared_title(sample_site):
    assert read_page(sample_site, ISSUE).h1.get_text(strip=True) == "Portfolio Performance and Resources"
