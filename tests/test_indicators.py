"""Indicators as data — charts, direction of travel, the RAG rule, downloads and feeds.

Most tests read the fixture archive in tests/fixtures/indicators_site (invented figures),
built once for this module. Its indicator files mark each value whose rating the
site.yml rule disagrees with by a `# RAG differs` comment on that value's line.
"""
from __future__ import annotations

import csv
import io
import itertools
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from conftest import ROOT, SAMPLE_CONTENT, build_into, read_page, run_cli, without_history

from site_gen import charts, downloads, pipeline
from site_gen.indicators import direction, expected_rag
from site_gen.models import Indicator, IndicatorValue, RagRule, Source

CONTENT = ROOT / "tests" / "fixtures" / "indicators_site" / "content"
SHOWN = "content"  # how problem paths begin: the content folder's own name
BASE = "https://indicators.example.org"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("indicators")
    return build_into(without_history(CONTENT, folder), folder / "_site", with_search=False)


@pytest.fixture(scope="module")
def checked():
    return pipeline.check(CONTENT)


def value(period="P", actual=None, target=None, rag=None, note=None, line=1) -> IndicatorValue:
    return IndicatorValue(period, actual, target, rag, note, line)


def indicator(values, polarity="higher-is-better", unit=None, code="T.1") -> Indicator:
    return Indicator(code=code, title="Test", portfolio=None, priority=None, unit=unit, polarity=polarity,
                     aliases=(), description=None, values=tuple(values), source=Source("content/indicators/T.1.yml"))


def rag_warnings(report):
    return [p for p in report.warnings if "RAG rule" in p.message]


def chart_of(page):
    return page.find("svg", class_="chart__svg")


def points(polyline) -> list[tuple[float, float]]:
    return [tuple(float(n) for n in pair.split(",")) for pair in polyline["points"].split()]


# -- the chart -----------------------------------------------------------------

def test_chart_has_one_point_per_actual_value_in_period_order(site):
    page = read_page(site, "/indicators/asc-1/")
    svg = chart_of(page)
    assert svg is not None
    periods = ["2019/20 Q1", "2019/20 Q2", "2019/20 Q3", "2019/20 Q4", "2020/21 Q1", "2020/21 Q2"]
    actuals = [40, 48.8, 47, 50, 47.5, 52.5]
    line = points(svg.find("polyline", class_="chart__actual"))
    assert len(line) == len(actuals)
    xs = [x for x, _ in line]
    assert xs == sorted(xs) and len(set(xs)) == len(xs), "left to right, oldest first"
    # a higher actual is drawn higher (a smaller y), so the y order follows the values
    ys = [y for _, y in line]
    for (a1, y1), (a2, y2) in itertools.pairwise(zip(actuals, ys, strict=True)):
        assert (a2 > a1) == (y2 < y1)
    # one marker per value, in the same order, named in words
    markers = svg.find_all("g", class_="chart__point")
    assert [g.find("title").get_text().split(":")[0] for g in markers] == periods
    # the target line has a point for each target too
    assert len(points(svg.find("polyline", class_="chart__target"))) == 6


def test_chart_shows_rating_by_shape_and_words_not_colour_alone(site):
    svg = chart_of(read_page(site, "/indicators/asc-1/"))
    shapes = {"green": "circle", "amber": "polygon", "red": "rect"}
    ratings = ["red", "amber", "amber", "green", "amber", "green"]
    markers = svg.find_all("g", class_="chart__point")
    for marker, rating in zip(markers, ratings, strict=True):
        assert f"chart__point--{rating}" in marker["class"]
        assert marker.find(class_="chart__marker").name == shapes[rating]
        assert marker.find("title").get_text().endswith(rating)
    legend = read_page(site, "/indicators/asc-1/").find(class_="chart__legend").get_text(" ", strip=True)
    for words in ("Green (circle)", "Amber (triangle)", "Red (square)", "Target (dashed line)"):
        assert words in legend


def test_chart_is_accessible_inline_svg(site):
    page = read_page(site, "/indicators/asc-1/")
    svg = chart_of(page)
    assert svg["role"] == "img"
    ids = svg["aria-labelledby"].split()
    assert [svg.find(id=i).name for i in ids] == ["title", "desc"]
    assert "ASC.1" in svg.find("title").get_text()
    assert "table" in svg.find("desc").get_text()
    all_ids = [tag["id"] for tag in page.find_all(id=True)]
    assert len(all_ids) == len(set(all_ids)), "ids are unique on the page"
    # the values table, the chart's accessible equivalent, follows it
    assert svg.find_next("table")["id"] == "values-table"
    assert not page.find_all("script"), "no JavaScript on an indicator page"


def test_chart_markup_is_well_formed_xml_and_escapes_text(site):
    env2 = pipeline.check(CONTENT).linked.archive.indicators["ENV.2"]
    markup = str(charts.line_chart(env2, lambda n, unit: f"{n:g}"))
    root = ET.fromstring(markup)  # raises on anything unescaped
    labels = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert '2020/21 Q1 <revised> & "final"' in labels
    page = read_page(site, "/indicators/env-2/")
    assert page.find("revised") is None
    assert '2020/21 Q1 <revised> & "final"' in chart_of(page).get_text()


def test_chart_without_targets_or_with_one_target(site):
    env2 = chart_of(read_page(site, "/indicators/env-2/"))
    assert len(points(env2.find("polyline", class_="chart__actual"))) == 2
    assert env2.find("polyline", class_="chart__target") is None
    assert [g["class"] for g in env2.find_all("g", class_="chart__point")] == [
        ["chart__point", "chart__point--none"]
    ] * 2
    env1 = chart_of(read_page(site, "/indicators/env-1/"))
    assert len(points(env1.find("polyline", class_="chart__actual"))) == 2
    assert env1.find("polyline", class_="chart__target") is None  # one target: a mark, not a line
    assert len(env1.find_all("g", class_="chart__target-mark")) == 1


@pytest.mark.parametrize("url", ["/indicators/asc-4/", "/indicators/asc-5/", "/indicators/asc-9/"])
def test_no_chart_with_fewer_than_two_numeric_values(site, url):
    page = read_page(site, url)
    assert page.find("svg") is None or chart_of(page) is None
    assert page.find("figure", class_="chart") is None


def test_no_chart_function_level():
    assert charts.line_chart(indicator([]), lambda n, u: str(n)) is None
    assert charts.line_chart(indicator([value("A", actual=1.0, target=2.0)]), lambda n, u: str(n)) is None
    only_targets = indicator([value("A", target=1.0), value("B", target=2.0), value("C", actual=3.0)])
    assert charts.line_chart(only_targets, lambda n, u: str(n)) is None
    assert charts.sparkline(only_targets) is None
    two = indicator([value("A", actual=1.0), value("B", rag="red"), value("C", actual=3.0)])
    svg = ET.fromstring(str(charts.line_chart(two, lambda n, u: str(n))))
    assert svg.find("{http://www.w3.org/2000/svg}polyline").get("points").count(",") == 2


def test_sample_indicators_have_no_chart(sample_site):
    for url in ("/indicators/cfse-29/", "/indicators/cfse-5/"):
        assert chart_of(read_page(sample_site, url)) is None


def test_chart_is_deterministic():
    # within one process hash order never changes, so draw the chart in two
    # processes with different hash seeds, as two builds would
    program = ("import sys; sys.path.insert(0, sys.argv[1]); from site_gen import charts, pipeline; "
               "asc1 = pipeline.check(sys.argv[2]).linked.archive.indicators['ASC.1']; "
               "print(charts.line_chart(asc1, lambda n, unit: f\"{n:g}{unit or ''}\"))")
    drawn = [subprocess.run([sys.executable, "-c", program, str(ROOT), str(CONTENT)], capture_output=True, text=True,
                            check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")]
    assert drawn[0].startswith("<svg") and drawn[0] == drawn[1]


# -- direction of travel ---------------------------------------------------------

@pytest.mark.parametrize("polarity, first, last, word", [
    ("higher-is-better", 40, 50, "Improving"),
    ("higher-is-better", 50, 40, "Worsening"),
    ("lower-is-better", 50, 40, "Improving"),
    ("lower-is-better", 40, 50, "Worsening"),
    ("none", 40, 50, "Increasing"),
    ("none", 50, 40, "Decreasing"),
    ("higher-is-better", 40, 40, "No change"),
    ("none", 0.1 + 0.2, 0.3, "No change"),
])
def test_direction_wording_follows_polarity(polarity, first, last, word):
    values = [value("A", actual=first), value("B", rag="red"), value("C", actual=last)]
    travel = direction(values, polarity)
    assert travel.word == word
    assert (travel.previous.period, travel.latest.period) == ("A", "C")


def test_no_direction_with_fewer_than_two_actuals():
    assert direction([value("A", actual=1.0), value("B", target=3.0)], "higher-is-better") is None
    assert direction([], "none") is None


@pytest.mark.parametrize("url, word", [
    ("/indicators/asc-1/", "Improving"),   # higher is better, 47.5 -> 52.5
    ("/indicators/asc-2/", "Worsening"),   # lower is better, 27 -> 29
    ("/indicators/asc-3/", "Increasing"),  # no polarity, 1150 -> 1200
    ("/indicators/env-2/", "Improving"),   # lower is better, 310 -> 280
])
def test_indicator_page_words_the_direction(site, url, word):
    page = read_page(site, url)
    assert page.find(class_="direction").get_text(strip=True) == word
    row = read_page(site, "/indicators/").find("a", href=url).find_parent("tr")
    assert row.find(class_="direction").get_text(strip=True) == word


def test_latest_rating_is_a_tag(site):
    status = read_page(site, "/indicators/asc-4/").find(class_="indicator-status")
    assert "2020/21" in status.get_text()
    assert status.find("strong", class_="tag--red").get_text() == "Red – off target"
    assert read_page(site, "/indicators/asc-5/").find(class_="indicator-status") is None


# -- the RAG rule ------------------------------------------------------------------

def test_every_disagreement_is_warned_at_its_line(checked):
    expected = set()
    for path in sorted((CONTENT / "indicators").glob("*.yml")):
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if "# RAG differs" in text:
                expected.add((f"{SHOWN}/indicators/{path.name}", number))
    assert len(expected) == 3
    warned = rag_warnings(checked.report)
    assert {(p.path, p.line) for p in warned} == expected
    assert len(warned) == len(expected)
    messages = {(p.path, p.line): p for p in warned}
    q3 = messages[(f"{SHOWN}/indicators/ASC.1.yml", 12)]
    assert "the rating is amber but the RAG rule gives red" in q3.message
    assert "rag: red" in q3.hint and "site.yml:" in q3.hint


def test_check_command_prints_rag_warnings_as_file_line():
    result = run_cli("check", "--content", str(CONTENT))
    assert result.returncode == 0
    assert "content/indicators/ASC.2.yml:10: warning: ASC.2 2021/22: the rating is red but the RAG rule gives amber" \
        in result.stdout
    strict = run_cli("check", "--strict", "--content", str(CONTENT))
    assert strict.returncode == 1


@pytest.mark.parametrize("polarity, actual, target, rule, rag", [
    ("higher-is-better", 50, 50, RagRule(5, 1), "green"),
    ("higher-is-better", 47.5, 50, RagRule(5, 1), "amber"),   # exactly the tolerance short: amber
    ("higher-is-better", 47.4, 50, RagRule(5, 1), "red"),
    ("lower-is-better", 28, 28, RagRule(5, 1), "green"),
    ("lower-is-better", 29.4, 28, RagRule(5, 1), "amber"),
    ("lower-is-better", 29.5, 28, RagRule(5, 1), "red"),
    ("higher-is-better", 57, 60, RagRule(3, 1, "points"), "amber"),
    ("higher-is-better", 56.9, 60, RagRule(3, 1, "points"), "red"),
    ("higher-is-better", 0.1 + 0.2, 0.3, RagRule(0, 1), "green"),   # no float noise
    ("higher-is-better", -1, 0, RagRule(5, 1), "red"),              # 5% of 0 is no tolerance
    ("none", 10, 50, RagRule(5, 1), None),                          # no polarity: no check
    ("higher-is-better", None, 50, RagRule(5, 1), None),
    ("higher-is-better", 50, None, RagRule(5, 1), None),
    ("higher-is-better", 10, 50, None, None),                       # no rule: nothing checked
])
def test_expected_rag(polarity, actual, target, rule, rag):
    assert expected_rag(value(actual=actual, target=target), polarity, rule) == rag


def test_page_marks_values_whose_rating_differs(site):
    rows = read_page(site, "/indicators/asc-1/").find("table", id="values-table").tbody.find_all("tr")
    marked = [row.th.get_text(strip=True) for row in rows if "rag-differs" in (row.get("class") or [])]
    assert marked == ["2019/20 Q3"]
    note = rows[2].find(class_="rag-check").get_text(" ", strip=True)
    assert "would be red" in note
    # polarity none: the rule is not applied, and the page says so
    asc3 = read_page(site, "/indicators/asc-3/")
    assert not asc3.find_all(class_="rag-check")
    assert "not applied here" in asc3.get_text()


def copy_content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def test_without_a_rule_nothing_is_checked(tmp_path):
    content = copy_content(tmp_path)
    site_yml = content / "site.yml"
    text = site_yml.read_text(encoding="utf-8")
    site_yml.write_text(text[:text.index("rag_rule:")], encoding="utf-8")
    result = pipeline.check(content)
    assert not result.report.errors
    assert rag_warnings(result.report) == []
    out = build_into(content, tmp_path / "_site", with_search=False)
    assert not read_page(out, "/indicators/asc-1/").find_all(class_="rag-check")


@pytest.mark.parametrize("rule, line, message", [
    ("rag_rule:\n  amber_tolerance: 5\n  amber_tolerance_in: percentage\n", 3,
     "`amber_tolerance_in` must be one of percent, points"),
    ("rag_rule:\n  amber_tolerance: -1\n", 2, "`amber_tolerance` cannot be negative"),
    ("rag_rule:\n  amber_tolerance: five\n", 2, "`amber_tolerance` must be a number"),
    ("rag_rule:\n  amber_tolerance_in: points\n", 2, "rag_rule has no `amber_tolerance`"),  # the rule's first line
])
def test_bad_rule_is_an_error_at_its_line(tmp_path, rule, line, message):
    content = copy_content(tmp_path)
    site_yml = content / "site.yml"
    text = site_yml.read_text(encoding="utf-8")
    head = text[:text.index("rag_rule:")]
    site_yml.write_text(head + rule, encoding="utf-8")
    first = head.count("\n") + 1
    errors = pipeline.check(content).report.errors
    assert [(e.path, e.line) for e in errors] == [("content/site.yml", first + line - 1)]
    assert message in errors[0].message


def test_points_rule(tmp_path):
    content = copy_content(tmp_path)
    site_yml = content / "site.yml"
    text = site_yml.read_text(encoding="utf-8")
    site_yml.write_text(
        text[: text.index("rag_rule:")] + "rag_rule:\n  amber_tolerance: 3\n  amber_tolerance_in: points\n",
        encoding="utf-8",
    )
    warned = {(p.path.rsplit("/", 1)[1], p.line) for p in rag_warnings(pipeline.check(content).report)}
    # ASC.1 2019/20 Q3 (3 short) is now amber, as stated; ASC.2 2019/20 (2 over) amber, as stated;
    # ASC.2 2021/22 (1 over) is still amber, stated red; ASC.4 2019/20 (10 over) is now red, stated amber
    assert warned == {("ASC.2.yml", 10), ("ASC.4.yml", 7)}


# -- misspelt codes --------------------------------------------------------------------

def test_near_miss_code_gets_a_did_you_mean_hint():
    result = run_cli("check", "--content", str(CONTENT))
    assert "content/meetings/2020/2020-07-14-scrutiny.md:16: warning: `ACS.1` looks like a misspelt indicator code" \
        in result.stdout
    assert "hint: did you mean ASC.1? add it as an alias" in result.stdout


def test_sample_archive_near_miss_csfe_63():
    problems = pipeline.check(SAMPLE_CONTENT).report.warnings
    near = [p for p in problems if "`CSFE.63`" in p.message]
    assert len(near) == 1
    assert near[0].path == "content/meetings/2022/2022-09-07-children-families-scrutiny.md"
    assert near[0].hint.startswith("did you mean CFSE.63? add it as an alias")


# -- mentions, index ---------------------------------------------------------------------

def test_mentions_newest_first_with_sentence_and_item_link(site):
    mentions = read_page(site, "/indicators/asc-1/").find("ol", class_="mentions").find_all("li", recursive=False)
    links = [m.find("a")["href"] for m in mentions]
    assert links == [
        "/meetings/2021/2021-06-15-scrutiny/#item-1",
        "/meetings/2021/2021-02-09-scrutiny/#item-3",
        "/meetings/2021/2021-02-09-scrutiny/#item-3",
        "/meetings/2020/2020-07-14-scrutiny/#item-1",
    ]
    assert mentions[0].find("blockquote").get_text(strip=True) == "Members were pleased that ASC 1 was above target."


def test_index_groups_by_portfolio_and_priority_with_sparklines(site):
    page = read_page(site, "/indicators/")
    main = page.find("main")
    headings = [h.get_text(strip=True) for h in main.find_all(["h2", "h3"])]
    assert headings[:5] == ["Adult Social Care", "Priority 1: People live independently",
                            "Priority 2: Carers are supported", "No priority given", "Environment"]
    priority_1 = main.find("h3", string="Priority 1: People live independently").find_next("table")
    assert [a.get_text() for a in priority_1.select("tbody th a")] == ["ASC.1", "ASC.2"]
    asc1 = main.find("a", href="/indicators/asc-1/").find_parent("tr")
    spark = asc1.find("svg", class_="sparkline")
    assert spark["aria-hidden"] == "true"
    assert len(points(spark.find("polyline"))) == 6
    assert asc1.find("strong", class_="tag--green") is not None
    asc4 = main.find("a", href="/indicators/asc-4/").find_parent("tr")
    assert asc4.find("svg") is None and "Not enough figures" in asc4.get_text()
    undefined = main.find(id="undefined").find_next("ul")
    assert [a.get_text() for a in undefined.find_all("a")] == ["ASC.9"]


# -- downloads ---------------------------------------------------------------------------

def read_csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "a byte order mark, so that Excel reads UTF-8"
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b""), "every line ends CRLF (RFC 4180)"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_indicator_csv(site):
    rows = read_csv(site / "indicators" / "asc-1.csv")
    assert rows[0] == ["code", "title", "unit", "polarity", "period", "target", "actual", "rag", "note"]
    title = "Percentage of adults with learning disabilities in paid employment"
    assert rows[1] == ["ASC.1", title, "%", "higher-is-better", "2019/20 Q1", "50", "40", "red", ""]
    assert rows[2][4:7] == ["2019/20 Q2", "50", "48.8"]
    assert rows[5][8] == 'Revised, after the "audit" – see minutes'
    assert len(rows) == 7
    raw = (site / "indicators" / "asc-1.csv").read_bytes()
    assert b'"Revised, after the ""audit"" \xe2\x80\x93 see minutes"' in raw


def test_all_indicators_csv(site):
    rows = read_csv(site / "indicators" / "indicators.csv")
    assert rows[0][:4] == ["code", "title", "unit", "polarity"]
    codes = [row[0] for row in rows[1:]]
    assert codes == ["ASC.1"] * 6 + ["ASC.2"] * 3 + ["ASC.3"] * 2 + ["ASC.4"] * 2 + ["ENV.1"] * 2 + ["ENV.2"] * 2
    asc4 = [row for row in rows if row[0] == "ASC.4"]
    assert asc4[1] == ["ASC.4", "Permanent admissions to residential care", "", "lower-is-better", "2020/21", "", "",
                       "red", "Figures not yet published"]
    assert rows[-1][4] == '2020/21 Q1 <revised> & "final"'


def test_indicator_json(site):
    raw = (site / "indicators" / "asc-1.json").read_bytes()
    assert raw.endswith(b"}\n")
    assert "–".encode() in raw, "UTF-8, not \\u escapes"
    data = json.loads(raw)
    assert data["code"] == "ASC.1" and data["unit"] == "%" and data["polarity"] == "higher-is-better"
    assert data["url"] == f"{BASE}/indicators/asc-1/"
    assert data["portfolio"] == "adult-social-care" and data["priority"] == 1
    assert [v["actual"] for v in data["values"]] == [40, 48.8, 47, 50, 47.5, 52.5]
    assert data["values"][2]["rag"] == "amber" and data["values"][2]["rag_by_rule"] == "red"
    assert data["direction"] == {"word": "Improving", "from": "2020/21 Q1", "to": "2020/21 Q2", "change": 5}
    assert [m["date"] for m in data["mentions"]] == ["2021-06-15", "2021-02-09", "2021-02-09", "2020-07-14"]
    assert data["mentions"][0]["url"] == f"{BASE}/meetings/2021/2021-06-15-scrutiny/#item-1"
    assert raw.decode() == json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def test_downloads_are_linked_and_exist(site):
    page = read_page(site, "/indicators/asc-1/")
    hrefs = [a["href"] for a in page.select(".downloads a")]
    assert hrefs == ["/indicators/asc-1.csv", "/indicators/asc-1.json"]
    index = read_page(site, "/indicators/")
    assert [a["href"] for a in index.select(".downloads a")] == ["/indicators/indicators.csv"]
    for href in hrefs + ["/indicators/indicators.csv"]:
        assert (site / href.lstrip("/")).is_file()
    # an indicator without values has an empty CSV (header only) and no download of an undefined code
    assert read_csv(site / "indicators" / "asc-5.csv") == [list(downloads.COLUMNS)]
    assert not (site / "indicators" / "asc-9.csv").exists()


def test_indicator_outputs_are_byte_identical_across_builds(site, tmp_path):
    again = build_into(without_history(CONTENT, tmp_path), tmp_path / "_site", with_search=False)
    for name in ("indicators/index.html", "indicators/asc-1/index.html", "indicators/asc-1.csv",
                 "indicators/asc-1.json", "indicators/indicators.csv", "indicators/asc-1/feed.xml"):
        assert (site / name).read_bytes() == (again / name).read_bytes(), name


# -- feeds -------------------------------------------------------------------------------

def test_indicator_feed_lists_the_meetings_that_mention_it(site):
    feed = feedparser.parse((site / "indicators" / "asc-1" / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title.startswith("ASC.1: Percentage of adults")
    assert feed.feed.id == f"{BASE}/indicators/asc-1/feed.xml"
    assert [link.href for link in feed.feed.links if link.rel == "self"] == [f"{BASE}/indicators/asc-1/feed.xml"]
    entries = feed.entries
    assert [e.link for e in entries] == [f"{BASE}/meetings/2021/2021-06-15-scrutiny/#item-1",
                                         f"{BASE}/meetings/2021/2021-02-09-scrutiny/#item-3",
                                         f"{BASE}/meetings/2020/2020-07-14-scrutiny/#item-1"]
    assert len({e.id for e in entries}) == 3
    assert entries[2].updated == "2020-07-14T18:30:00+01:00"
    assert "would be reviewed in spring" in entries[1].content[0].value


@pytest.mark.parametrize("code", ["asc-5", "asc-9"])
def test_feeds_of_unmentioned_and_undefined_indicators_are_valid(site, code):
    feed = feedparser.parse((site / "indicators" / code / "feed.xml").read_bytes())
    assert not feed.bozo
    assert len(feed.entries) == (1 if code == "asc-9" else 0)


def test_indicator_pages_link_their_feed(site):
    for url in ("/indicators/asc-1/", "/indicators/asc-9/"):
        page = read_page(site, url)
        alternates = [link["href"] for link in page.find_all("link", rel="alternate", type="application/atom+xml")]
        assert f"{url}feed.xml" in alternates
        assert page.find("main").find("a", href=f"{url}feed.xml") is not None


def test_the_headline_shows_the_stated_rating_and_the_rules_when_they_differ(site):
    """ASC.2's latest rating (2021/22) is red; by the site's rule (1 over a target of 28, within
    5%) it is amber: the headline shows both, not only the table."""
    page = read_page(site, "/indicators/asc-2/")
    headline = page.find("ul", class_="indicator-status").find("li")
    assert " ".join(headline.get_text(" ").split()) == \
        "Latest rating (2021/22): Stated: Red · by the council’s rule: Amber why"
    # where they agree, the headline is the rating alone
    agreed = read_page(site, "/indicators/asc-3/").find("ul", class_="indicator-status")
    assert agreed is None or "by the council’s rule" not in agreed.get_text()
