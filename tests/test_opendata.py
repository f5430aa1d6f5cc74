"""Open data: JSON (Open Civic Data shapes) validated against schemas/, Atom feeds per committee
and per issue parsed with feedparser, schema.org JSON-LD on meeting pages, the /data/ page,
and the search-engine metadata every page carries.
"""
from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import feedparser
import jsonschema
import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, build_into, read_page, without_history
from opendata_support import BASE, COMMITTEES, CONTENT, DRAFT, EXPECTED_UTC, PUBLISHED, html_pages, url_of

from site_gen import opendata, pipeline

SCHEMAS = ROOT / "schemas"
ATOM = "application/atom+xml"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("opendata")
    return build_into(without_history(CONTENT, folder), folder / "_site", with_search=False)


def load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def meeting_json(site: Path, slug: str) -> dict:
    return load(site / "meetings" / slug[:4] / slug / "meeting.json")


def validator(name: str) -> jsonschema.protocols.Validator:
    schema = load(SCHEMAS / name)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def data_files(site: Path) -> list[tuple[Path, str]]:
    """Every JSON file of the open data, with the schema it must follow."""
    files = [(p, "meeting.schema.json") for p in sorted(site.glob("meetings/*/*/meeting.json"))]
    files += [(site / "data" / name, opendata.SCHEMAS[name])
              for name in ("meetings.json", "committees.json", "indicators.json", "issues.json", "decisions.json")]
    return files


def urls_in(value):
    """Every string under a key named url or ending in _url, anywhere in a JSON value."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if (key == "url" or key.endswith("_url")) and isinstance(inner, str):
                yield inner
            else:
                yield from urls_in(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from urls_in(inner)


def local(site: Path, url: str) -> Path | None:
    """The built file behind one of the site's absolute URLs, else None (another site's)."""
    for base in (BASE, "https://council-minutes.example.org"):
        if url.startswith(base + "/"):
            path = url[len(base):].split("#", 1)[0]
            return site / (path.lstrip("/") + ("index.html" if path.endswith("/") else ""))
    return None


# -- JSON -------------------------------------------------------------------------------

def test_the_schemas_are_valid_and_published_beside_the_data(site):
    names = sorted(p.name for p in SCHEMAS.glob("*.schema.json"))
    assert names == sorted(set(opendata.SCHEMAS.values()))
    for name in names:
        jsonschema.Draft202012Validator.check_schema(load(SCHEMAS / name))
        assert (site / "data" / "schemas" / name).read_bytes() == (SCHEMAS / name).read_bytes()


@pytest.mark.parametrize("which", ["fixture", "sample"])
def test_every_json_file_validates_against_its_schema(site, sample_site, which):
    built = site if which == "fixture" else sample_site
    files = data_files(built)
    assert len(files) == len(list(built.glob("meetings/*/*/index.html"))) + 5
    for path, schema in files:
        data = load(path)
        errors = sorted(validator(schema).iter_errors(data), key=lambda e: list(e.path))
        assert not errors, f"{path}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
        assert data["schema"].endswith(f"/data/schemas/{schema}")
        for url in urls_in(data):  # every address of this site leads to a built file
            target = local(built, url)
            assert target is None or target.is_file(), f"{path}: {url}"


def test_json_is_written_one_way(site):
    for path, _ in data_files(site):
        text = path.read_text(encoding="utf-8")
        assert text == json.dumps(json.loads(text), ensure_ascii=False, sort_keys=True, indent=2) + "\n", path
    assert "Réussite" in (site / "meetings/2021/2021-03-24-planning/meeting.json").read_text(encoding="utf-8")


def test_one_meeting_json_per_published_meeting_and_nothing_from_drafts(site):
    found = sorted(p.parent.name for p in site.glob("meetings/*/*/meeting.json"))
    assert found == PUBLISHED
    index = load(site / "data" / "meetings.json")
    assert [m["slug"] for m in index["meetings"]] == PUBLISHED  # oldest first
    for path in site.rglob("*"):
        if path.suffix in (".json", ".ics", ".xml", ".txt"):
            assert DRAFT not in path.read_text(encoding="utf-8"), path
            assert "Secret draft item" not in path.read_text(encoding="utf-8"), path


def test_a_meeting_in_the_open_civic_data_event_shape(site):
    data = meeting_json(site, "2021-03-24-planning")
    assert data["name"] == "Planning & Highways Committee, 24 March 2021"
    assert data["classification"] == "committee-meeting"
    assert data["start_date"] == "2021-03-24T18:00:00+00:00" and data["all_day"] is False
    assert data["timezone"] == "Europe/London" and data["end_date"] == ""
    assert data["status"] == "passed"
    assert data["location"]["name"] == "Council Chamber, Town Hall"
    assert {(p["name"], p["entity_type"], p["note"]) for p in data["participants"]} == {
        ("Planning & Highways Committee", "organization", "host"), ("Councillor Ann Chair", "person", "chair"),
        ("Councillor Bob Member", "person", "member"), ("Councillor Cath Member", "person", "member"),
        ("Head of Planning", "person", "in attendance")}
    assert data["extras"]["apologies"] == ["Councillor Dan Absent"]
    assert data["extras"]["minutes_status"] == "approved" and data["extras"]["approved_on"] == "2021-03-31"
    assert data["extras"]["approved_at"] == f"{BASE}/meetings/2021/2021-03-31-planning/"
    first, second = data["agenda"]
    assert (first["order"], second["order"]) == ("1", "2")
    assert first["notes"] == ["Agreed.\n", "RESOLVED – That the minutes be approved as a correct record."]
    assert second["description"].startswith("Housing Delivery Test – Action Plan 2021")
    assert second["notes"][0] == "To consider a report of the Director of Place."
    assert second["notes"][-1] == "RESOLVED – That the action plan be approved."
    assert second["related_entities"] == [
        {"entity_type": "person", "name": "Eve Officer", "note": "contact officer: Planning Policy Manager"}]
    assert [(i["code"], i["defined"]) for i in second["extras"]["indicators"]] == [("HOU.1", True), ("HOU.9", False)]
    assert second["subjects"] == ["Housing Delivery Test"]
    assert second["extras"]["url"] == f"{BASE}/meetings/2021/2021-03-24-planning/#item-2"
    assert second["extras"]["issue"]["feed_url"] == f"{BASE}/issues/housing-delivery/feed.xml"
    assert second["extras"]["contacts"][0]["email"] == "eve.officer@fixture.example.gov.uk"
    assert data["documents"][0]["size"].endswith(" bytes")  # measured by the loader
    data["documents"][0]["size"] = "measured"
    pdf = f"{BASE}/meetings/2021/2021-03-24-planning/action-plan.pdf"
    xlsx = "https://www.gov.uk/government/publications/housing-delivery-test-2020-measurement.xlsx"
    spreadsheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert data["documents"] == [
        {"agenda_item": "2", "note": "Action plan", "media_type": "application/pdf", "size": "measured",
         "url": pdf, "date": "", "links": [{"url": pdf, "media_type": "application/pdf"}]},
        {"agenda_item": "2", "note": "Housing Delivery Test results", "size": "40 KB", "media_type": spreadsheet,
         "url": xlsx, "date": "", "links": [{"url": xlsx, "media_type": spreadsheet}]},
    ]  # a document with neither file nor address cannot be an OCD document (it needs a url)
    assert data["extras"]["unlinked_documents"] == [{"agenda_item": "2", "note": "Background paper", "size": "12 KB"}]


@pytest.mark.parametrize("slug", PUBLISHED)
def test_start_times_carry_the_uk_offset_of_their_day(site, slug):
    data = meeting_json(site, slug)
    expected = EXPECTED_UTC[slug]
    if expected is None:
        assert data["start_date"] == slug[:10] and data["all_day"] is True
    else:
        from datetime import datetime
        assert datetime.fromisoformat(data["start_date"]) == expected
        assert data["start_date"].endswith("+01:00" if expected.astimezone(opendata.ical.LONDON).dst() else "+00:00")


def test_status_comes_from_the_content_not_the_clock(site):
    assert meeting_json(site, "2022-01-12-planning")["status"] == "confirmed"  # only an agenda
    assert meeting_json(site, "2021-10-27-planning")["status"] == "confirmed"
    assert meeting_json(site, "2021-11-03-planning")["status"] == "passed"
    assert meeting_json(site, "2021-10-27-planning")["location"] is None


def test_the_bulk_files(site):
    index = load(site / "data" / "meetings.json")
    assert index["licence"] == "Open Government Licence v3.0"
    first = index["meetings"][0]
    assert first["json_url"] == f"{BASE}/meetings/2021/2021-03-24-planning/meeting.json"
    assert (first["items"], first["decisions"]) == (2, 2)
    committees = {c["slug"]: c for c in load(site / "data" / "committees.json")["committees"]}
    assert {slug: c["meeting_count"] for slug, c in committees.items()} == COMMITTEES
    assert committees["standards"]["latest_meeting"] is None
    assert committees["planning"]["latest_meeting"] == "2022-01-12"
    assert committees["planning"]["calendar_url"] == f"{BASE}/committees/planning/meetings.ics"
    indicators = load(site / "data" / "indicators.json")
    (hou,) = indicators["indicators"]
    assert hou["code"] == "HOU.1" and hou["portfolio"]["name"] == "Housing" and hou["priority"]["number"] == 1
    assert [v["actual"] for v in hou["values"]] == [812, 950.5]
    assert sorted({m["meeting"] for m in hou["mentions"]}) == ["2021-03-24-planning", "2021-03-31-planning"]
    assert [u["code"] for u in indicators["undefined"]] == ["HOU.9"]


def test_the_data_page_documents_every_file_and_the_licence(site):
    page = read_page(site, "/data/")
    links = {a["href"] for a in page.find_all("a", href=True)}
    for name in ("meetings.json", "committees.json", "indicators.json"):
        assert f"/data/{name}" in links and f"/data/schemas/{opendata.SCHEMAS[name]}" in links
    assert "/data/schemas/meeting.schema.json" in links and "/meetings.ics" in links
    for slug in COMMITTEES:
        assert {f"/committees/{slug}/meetings.ics", f"/committees/{slug}/feed.xml"} <= links
    licence = page.find("a", string="Open Government Licence v3.0")
    assert licence["href"].startswith("https://www.nationalarchives.gov.uk/")
    for path in html_pages(site):  # the footer links it everywhere
        footer = BeautifulSoup((site / path).read_text(encoding="utf-8"), "html5lib").find("footer")
        assert footer.find("a", href="/data/"), path


def test_json_is_byte_identical_across_builds(site, tmp_path):
    again = build_into(without_history(CONTENT, tmp_path / "copy"), tmp_path / "again", with_search=False)
    for path, _ in data_files(site):
        assert (again / path.relative_to(site)).read_bytes() == path.read_bytes(), path


# -- feeds ------------------------------------------------------------------------------

def feeds(site: Path) -> list[Path]:
    return sorted(site.rglob("feed.xml"))


def test_every_feed_parses(site, sample_site):
    for path in feeds(site) + feeds(sample_site):
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, f"{path}: {parsed.get('bozo_exception')}"
        assert parsed.version == "atom10", path
        for entry in parsed.entries:
            assert entry.id and entry.title and entry.link and entry.updated_parsed, path


def test_a_feed_per_committee_with_its_meetings_and_decisions(site):
    for slug, count in COMMITTEES.items():
        parsed = feedparser.parse((site / "committees" / slug / "feed.xml").read_bytes())
        assert len(parsed.entries) == count
        assert parsed.feed.link == f"{BASE}/committees/{slug}/"
    parsed = feedparser.parse((site / "committees" / "planning" / "feed.xml").read_bytes())
    assert parsed.entries[0].link == f"{BASE}/meetings/2022/2022-01-12-planning/"  # newest first
    march = next(e for e in parsed.entries if e.link.endswith("/2021-03-24-planning/"))
    assert "RESOLVED – That the action plan be approved." in march.content[0].value
    licensing = feedparser.parse((site / "committees" / "licensing" / "feed.xml").read_bytes())
    assert licensing.feed.title == "Licensing, Safety <and> Regulatory Committee: new minutes"


def test_a_feed_per_issue_with_each_item_and_its_decision(site):
    parsed = feedparser.parse((site / "issues" / "housing-delivery" / "feed.xml").read_bytes())
    assert [e.link for e in parsed.entries] == [
        f"{BASE}/meetings/2021/2021-10-27-planning/#item-1",
        f"{BASE}/meetings/2021/2021-03-31-planning/#item-1",
        f"{BASE}/meetings/2021/2021-03-24-planning/#item-2",
    ]
    assert "No decision recorded." in parsed.entries[0].content[0].value
    assert "a further report be brought in the autumn" in parsed.entries[1].content[0].value
    assert "To consider a report of the Director of Place." in parsed.entries[2].content[0].value
    assert parsed.entries[2].updated == "2021-03-24T18:00:00+00:00"
    assert parsed.entries[1].updated == "2021-03-31T18:00:00+01:00"


def test_pages_link_to_their_feeds(site):
    for slug in COMMITTEES:
        page = read_page(site, f"/committees/{slug}/")
        assert page.find("link", rel="alternate", type=ATOM, href=f"/committees/{slug}/feed.xml")
        assert page.find("a", href=f"/committees/{slug}/meetings.ics")
    page = read_page(site, "/issues/housing-delivery/")
    assert page.find("link", rel="alternate", type=ATOM, href="/issues/housing-delivery/feed.xml")
    assert page.find("a", href="/issues/housing-delivery/feed.xml")
    page = read_page(site, "/meetings/2021/2021-03-24-planning/")
    assert page.find("a", href="/meetings/2021/2021-03-24-planning/meeting.json")


# -- JSON-LD ----------------------------------------------------------------------------

def json_ld(site: Path, slug: str) -> tuple[dict, str]:
    html = (site / "meetings" / slug[:4] / slug / "index.html").read_text(encoding="utf-8")
    (script,) = BeautifulSoup(html, "html5lib").find_all("script", type="application/ld+json")
    return json.loads(script.string), script.string


@pytest.mark.parametrize("slug", PUBLISHED)
def test_every_meeting_page_has_a_schema_org_event(site, slug):
    data, text = json_ld(site, slug)
    assert data["@context"] == "https://schema.org" and data["@type"] == "Event"
    assert data["url"] == f"{BASE}/meetings/{slug[:4]}/{slug}/"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["organizer"]["@type"] == "GovernmentOrganization"
    assert data["organizer"]["parentOrganization"] == {"@type": "GovernmentOrganization", "url": f"{BASE}/",
                                                       "name": "Fixture Metropolitan Borough Council"}
    assert data["startDate"] == meeting_json(site, slug)["start_date"]
    if EXPECTED_UTC[slug]:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:00\+0[01]:00", data["startDate"])
    assert "<" not in text and ">" not in text and "&" not in text  # nothing can end the element


def test_attendance_mode_only_when_the_venue_says(site):
    modes = {slug: json_ld(site, slug)[0].get("eventAttendanceMode") for slug in PUBLISHED}
    assert modes["2021-03-28-licensing"] == "https://schema.org/OnlineEventAttendanceMode"
    assert modes["2021-06-16-planning"] == "https://schema.org/MixedEventAttendanceMode"
    assert modes["2021-03-24-planning"] == "https://schema.org/OfflineEventAttendanceMode"
    assert modes["2021-10-27-planning"] is None
    assert json_ld(site, "2021-03-28-licensing")[0]["location"]["@type"] == "VirtualLocation"
    assert json_ld(site, "2021-03-28-licensing")[0]["location"]["url"] == f"{BASE}/meetings/2021/2021-03-28-licensing/"
    assert json_ld(site, "2021-03-24-planning")[0]["location"] == {
        "@type": "Place", "name": "Council Chamber, Town Hall",
        "address": {"@type": "PostalAddress", "streetAddress": "Council Chamber, Town Hall", "addressCountry": "GB"}}


def test_script_breaking_text_stays_data(site):
    data, _ = json_ld(site, "2021-03-28-licensing")
    assert data["location"]["name"] == "Virtual meeting (Microsoft Teams) </script><script>alert('venue')</script>"
    page = read_page(site, "/meetings/2021/2021-03-28-licensing/")
    # one script element in the head, the JSON-LD, holding the whole venue as data
    (script,) = page.head.find_all("script")
    assert script["type"] == "application/ld+json"
    assert json.loads(script.string)["location"]["name"] == data["location"]["name"]
    assert opendata.script_json({"a": "</script><!--&"}) == '{\n  "a": "\\u003c/script\\u003e\\u003c!--\\u0026"\n}'


def test_json_ld_only_where_it_describes_the_page(site):
    """Meeting pages (Event), committee pages (GovernmentOrganization), /data/ (Dataset) and the
    home page (WebSite): one block each, nowhere else."""
    described = r"meetings/\d{4}/[^/]+/index\.html|committees/[^/]+/index\.html|data/index\.html|index\.html"
    for path in html_pages(site):
        count = (site / path).read_text(encoding="utf-8").count("application/ld+json")
        assert count == (1 if re.fullmatch(described, path) else 0), path


# -- search-engine metadata on every page (older than the open data: verified here too) --------

def test_every_page_has_a_canonical_link_and_open_graph(site):
    for path in html_pages(site):
        page = BeautifulSoup((site / path).read_text(encoding="utf-8"), "html5lib")
        if path == "404.html":  # served at any missing address, so it claims none
            assert not page.find_all("link", rel="canonical") and not page.find_all("meta", property="og:url")
            continue
        (canonical,) = page.find_all("link", rel="canonical")
        assert canonical["href"] == BASE + url_of(path), path
        for prop in ("og:title", "og:description", "og:url"):
            (meta,) = page.find_all("meta", property=prop)
            assert meta["content"].strip(), (path, prop)


def test_the_404_page_offers_search_and_browsing(site):
    page = read_page(site, "/404.html")
    form = page.find("form", role="search")
    assert form["action"] == "/search/" and form.find("input", attrs={"name": "q"})
    links = {a["href"] for a in page.find("main").find_all("a", href=True)}
    assert {"/", "/meetings/", "/committees/", "/decisions/"} <= links


def test_a_document_that_would_overwrite_meeting_json_is_reported(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    folder = content / "meetings" / "2021" / "2021-03-24-planning"
    (folder / "action-plan.pdf").rename(folder / "meeting.json")
    meeting = content / "meetings" / "2021" / "2021-03-24-planning.md"
    meeting.write_text(meeting.read_text(encoding="utf-8").replace("file: action-plan.pdf", "file: meeting.json"),
                       encoding="utf-8")
    result = pipeline.build(content, tmp_path / "_site", with_search=False)
    assert not result.ok and not (tmp_path / "_site").exists()
    (problem,) = result.report.errors
    # caught when loading, at the document's own line, so `check` reports it too
    assert problem.path == "content/meetings/2021/2021-03-24-planning.md"
    assert problem.message == "`meeting.json` is a name the site uses for the meeting's own page or data"
    assert meeting.read_text(encoding="utf-8").splitlines()[problem.line - 1].strip() == "file: meeting.json"


@pytest.mark.parametrize("rows", [
    {"entries": [{"b": [1, {"c": "line\nbreak \x00 ’"}], "a": None}, {"z": []}, {}], "empty": []},
    {"entries": [], "empty": []},
    {"entries": [[1, 2], "x", 3.5, {"nested": {"deep": [{"x": "y"}]}}], "empty": [{}]},
])
def test_streamed_json_is_what_json_of_the_whole_gives(rows):
    """A bulk file made one entry at a time is byte for byte the file of the whole data."""
    from site_gen.opendata import Rows, dumps, dumps_streamed
    whole = {"schema": "s", "aa": 1, **rows, "zz": {"k": [1]}}
    streamed = {key: Rows(iter(value)) if key in rows else value for key, value in whole.items()}
    written = io.BytesIO()
    dumps_streamed(streamed, written)
    assert written.getvalue() == dumps(whole)


def test_bulk_entries_kept_as_json_give_the_json_of_the_whole():
    """The bulk files are put together from each meeting's entries kept as JSON text: byte for byte
    the JSON of the whole."""
    from site_gen.opendata import Rows, WithList, dumps, dumps_streamed, encoded_entry

    def encoded(considered: dict, title: str = "A") -> dict:
        return {"schema": "s", "zz": 1, "issues": Rows([
            WithList({"slug": "a", "title": title}, "considerations", [encoded_entry({"x": 1}),
                                                                        encoded_entry(considered)]),
            WithList({"slug": "b", "title": "B"}, "considerations", [])], encoded=True),
            "decisions": Rows([encoded_entry({"d": ["line\nbreak ’"]})], encoded=True)}

    whole = {"schema": "s", "zz": 1, "decisions": [{"d": ["line\nbreak ’"]}], "issues": [
        {"slug": "a", "title": "A", "considerations": [{"x": 1}, {"y": [2, {"z": None}]}]},
        {"slug": "b", "title": "B", "considerations": []}]}
    written = io.BytesIO()
    dumps_streamed(encoded({"y": [2, {"z": None}]}), written)
    assert written.getvalue() == dumps(whole)


def test_a_feed_without_history_is_dated_by_the_start_of_the_newest_meeting():
    """Without git, an empty feed is dated by the newest meeting's start in UK time: the latest
    time of the newest day (here the day the clocks go forward), never a late meeting of the day before."""
    import datetime
    from types import SimpleNamespace

    from site_gen import feeds

    day, before = datetime.date(2024, 3, 31), datetime.date(2024, 3, 30)
    meetings = [SimpleNamespace(date=before, time="23:30"), SimpleNamespace(date=day, time="09:00"),
                SimpleNamespace(date=day, time="18:00"), SimpleNamespace(date=day, time=None)]
    assert feeds.Dates(meetings=meetings).newest_meeting == feeds.timestamp(day, "18:00") == "2024-03-31T18:00:00+01:00"
    assert feeds.Dates(meetings=meetings[:1]).newest_meeting == "2024-03-30T23:30:00+00:00"
    assert feeds.Dates(meetings=[]).newest_meeting is None
