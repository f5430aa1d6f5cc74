"""Every open-data output read back with the clients its users have, not only checked as a format:

- JSON: jsonschema, against the schemas published in /data/schemas/ (written from the Open
  Civic Data Event and Popolo Organization specifications);
- calendars: icalendar with recurring-ical-events (Python), ical.js and node-ical (Node);
- feeds: feedparser;
- JSON-LD: extruct (as a crawler extracts it) and pyld (expanded as linked data);
- CSV: Python's csv as Excel's UTF-8 reading does (a byte order mark), and frictionless,
  through the data package;
- the bulk zip: zipfile; the CORS headers: netlify.toml's patterns.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import json
import os
import shutil
import subprocess
import tomllib
import zipfile
from pathlib import Path

import extruct
import feedparser
import frictionless
import icalendar
import jsonschema
import pytest
import recurring_ical_events
from bs4 import BeautifulSoup
from conftest import ROOT, build_into, read_page, run_cli
from opendata_support import BASE, CONTENT, EXPECTED_UTC, HOST, PUBLISHED, html_pages
from pyld import jsonld

from site_gen import ical, linking, opendata, urls
from site_gen.content import load_archive
from site_gen.models import DEFAULT_LICENCE, DEFAULT_LICENCE_URL
from site_gen.problems import Report

UTC = datetime.timezone.utc
SCHEMAS = ROOT / "schemas"
NODE_READER = ROOT / "tests" / "node" / "read_calendar.js"
SCHEMA_ORG = "http://schema.org/"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_into(CONTENT, tmp_path_factory.mktemp("clients") / "_site", with_search=False)


def load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def validate(data, schema_name: str) -> None:
    schema = load(SCHEMAS / schema_name)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def json_files(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.json") if "pagefind" not in p.parts[len(site.parts)])


# -- Open Civic Data ---------------------------------------------------------------------

def test_meeting_json_is_an_open_civic_data_event(site):
    data = load(site / "meetings/2021/2021-03-24-planning/meeting.json")
    validate(data, "meeting.schema.json")
    # the OCD field names, and an OCD id made from the archive's address and the page's
    assert "start_time" not in data and data["start_date"] == "2021-03-24T18:00:00+00:00" and data["end_date"] == ""
    assert data["id"] == opendata.ocd_id("event", BASE, "/meetings/2021/2021-03-24-planning/")
    assert data["id"].startswith("ocd-event/")
    organization = data["organization"]
    assert organization["classification"] == "committee" and organization["name"] == "Planning & Highways Committee"
    assert organization["parent_id"] == opendata.ocd_id("organization", BASE, "/")
    assert {"scheme": "slug", "identifier": "planning"} in organization["identifiers"]
    assert organization["sources"][0]["url"] == f"{BASE}/committees/planning/"
    host, chair = data["participants"][:2]
    assert (host["entity_type"], host["note"], host["organization_id"]) == ("organization", "host", organization["id"])
    assert (chair["honorific_prefix"], chair["given_name"], chair["family_name"]) == ("Councillor", "Ann", "Chair")
    attending = next(p for p in data["participants"] if p["note"] == "in attendance")
    assert "family_name" not in attending  # "Head of Planning" is a role, not a name to split
    assert all(d["media_type"] for d in data["documents"])
    assert all(e["entity_type"] in ("person", "organization", "bill", "vote_event")
               for item in data["agenda"] for e in item["related_entities"])


def test_ids_are_stable_and_the_index_gives_them_with_each_json_address(site, tmp_path):
    index = load(site / "data" / "meetings.json")
    for entry in index["meetings"]:
        own = load(site / entry["json_url"][len(BASE) + 1:])
        assert own["id"] == entry["id"] and own["extras"]["slug"] == entry["slug"]
    assert len({m["id"] for m in index["meetings"]}) == len(PUBLISHED)
    again = build_into(CONTENT, tmp_path / "again", with_search=False)
    assert load(again / "data" / "meetings.json")["meetings"] == index["meetings"]


def test_committees_json_is_a_popolo_organization_list(site):
    data = load(site / "data" / "committees.json")
    validate(data, "committees.schema.json")
    council = data["organization"]
    assert council["classification"] == "legislature" and council["name"] == "Fixture Metropolitan Borough Council"
    for committee in data["committees"]:
        assert committee["classification"] == "committee" and committee["parent_id"] == council["id"]
        assert committee["sources"] and committee["identifiers"]
    planning = next(c for c in data["committees"] if c["slug"] == "planning")
    meeting = load(site / "meetings/2021/2021-03-24-planning/meeting.json")
    assert meeting["organization"]["id"] == planning["id"]


def test_issues_and_decisions_json(site):
    decisions = load(site / "data" / "decisions.json")
    validate(decisions, "decisions.schema.json")
    dates = [d["date"] for d in decisions["decisions"]]
    assert dates == sorted(dates, reverse=True) and dates[-1] == "2021-03-24"  # newest first
    assert all(d["decision"] for d in decisions["decisions"])
    issues = load(site / "data" / "issues.json")
    validate(issues, "issues.schema.json")
    (housing,) = [i for i in issues["issues"] if i["slug"] == "housing-delivery"]
    assert [c["meeting"] for c in housing["considerations"]] == [
        "2021-10-27-planning", "2021-03-31-planning", "2021-03-24-planning"]


def test_a_cancelled_meeting_is_cancelled_everywhere():
    """However the content comes to mark it: any meeting whose status is `cancelled`."""
    report = Report()
    linked = linking.link(load_archive(CONTENT, report), report)
    meeting = next(m for m in linked.meetings if m.slug == "2021-03-24-planning")
    cancelled = dataclasses.replace(meeting, status="cancelled")
    title = lambda m: f"Planning, {m.date}"  # noqa: E731
    event = ical.event(linked, cancelled, title)
    assert str(event["STATUS"]) == "CANCELLED" and "This meeting was cancelled." in str(event["DESCRIPTION"])
    assert str(ical.event(linked, meeting, title)["STATUS"]) == "CONFIRMED"
    data = opendata.OpenData(linked, title)
    assert data.meeting(cancelled)["status"] == "cancelled"
    assert json.loads(data.json_ld(cancelled))["eventStatus"] == "https://schema.org/EventCancelled"


# -- licence ----------------------------------------------------------------------------

def test_the_licence_is_in_every_output(site, sample_site):
    """The sample archive sets none of its own: it gets the Open Government Licence."""
    for built in (site, sample_site):
        for path in json_files(built):
            data = load(path)
            if "schema" in data and "publisher" in data:  # our data files (not the schemas, not the data package)
                assert (data["licence"], data["licence_url"]) == (DEFAULT_LICENCE, DEFAULT_LICENCE_URL), path
        for path in built.rglob("feed.xml"):
            parsed = feedparser.parse(path.read_bytes())
            assert DEFAULT_LICENCE in parsed.feed.rights and DEFAULT_LICENCE_URL in parsed.feed.rights, path
        for path in built.rglob("*.ics"):
            calendar = icalendar.Calendar.from_ical(path.read_bytes())
            assert str(calendar["X-LICENSE"]) == DEFAULT_LICENCE_URL, path
            assert DEFAULT_LICENCE in str(calendar["DESCRIPTION"])
            for event in calendar.walk("VEVENT"):
                assert f"Licence: {DEFAULT_LICENCE} ({DEFAULT_LICENCE_URL})" in str(event["DESCRIPTION"])
        package = load(built / "datapackage.json")
        assert package["licenses"] == [{"name": "OGL-UK-3.0", "title": DEFAULT_LICENCE, "path": DEFAULT_LICENCE_URL}]
        for path in html_pages(built):
            footer = BeautifulSoup((built / path).read_text(encoding="utf-8"), "html5lib").find("footer")
            assert footer.find("a", href=DEFAULT_LICENCE_URL, string=DEFAULT_LICENCE), path


def test_strict_check_warns_when_the_licence_is_not_stated(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    site_yml = content / "site.yml"
    stated = site_yml.read_text(encoding="utf-8")
    site_yml.write_text("\n".join(line for line in stated.splitlines() if not line.startswith("licence")) + "\n",
                        encoding="utf-8")
    strict = run_cli("check", "--content", str(content), "--strict", "--no-cache")
    assert strict.returncode == 1
    warning = [line for line in strict.stdout.splitlines() if "licence" in line]
    assert warning[0] == (f"{content.name}/site.yml:1: warning: `licence` is not set: the open data says it is "
                          f"published under the {DEFAULT_LICENCE}") or warning[0].endswith(
        f"site.yml:1: warning: `licence` is not set: the open data says it is published under the {DEFAULT_LICENCE}")
    assert "hint: add `licence: Open Government Licence v3.0` to site.yml" in strict.stdout
    assert "licence" not in run_cli("check", "--content", str(content), "--no-cache").stdout  # only --strict asks
    site_yml.write_text(stated, encoding="utf-8")
    assert "`licence` is not set" not in run_cli("check", "--content", str(content), "--strict", "--no-cache").stdout


# -- harvest -------------------------------------------------------------------------------

def test_the_bulk_download_holds_every_open_data_file_and_is_deterministic(site, tmp_path):
    path = site / "data" / "open-data.zip"
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        for info in archive.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert archive.read(info) == (site / info.filename).read_bytes(), info.filename
    expected = {p.relative_to(site).as_posix() for p in site.glob("meetings/*/*/meeting.json")}
    expected |= {f"data/{name}" for name in opendata.SCHEMAS if name != "meeting.json"}
    expected |= {f"data/schemas/{s}" for s in opendata.SCHEMAS.values()}
    expected |= {"datapackage.json", "indicators/indicators.csv", "indicators/hou-1.csv", "indicators/hou-1.json"}
    assert set(names) == expected
    again = build_into(CONTENT, tmp_path / "again", with_search=False)
    assert (again / "data" / "open-data.zip").read_bytes() == path.read_bytes()


def git(root: Path, *args: str, date: str | None = None) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="Clerk", GIT_AUTHOR_EMAIL="clerk@example.gov.uk", GIT_COMMITTER_NAME="Clerk",
               GIT_COMMITTER_EMAIL="clerk@example.gov.uk", GIT_CONFIG_NOSYSTEM="1", HOME=str(root))
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def test_meetings_json_gives_when_each_meeting_last_changed_from_git(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(CONTENT, repo / "content")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Minutes", date="2022-02-01T10:00:00+00:00")
    changed = repo / "content" / "meetings" / "2021" / "2021-11-03-planning.md"
    before = changed.read_text(encoding="utf-8")
    changed.write_text(before.replace("\n---\n", "\n---\nA correction.\n", 1) if "\n---\n" in before else before + "\n",
                       encoding="utf-8")
    git(repo, "commit", "-q", "-am", "Correct the minutes", date="2022-03-05T16:30:00+01:00")
    built = build_into(repo / "content", tmp_path / "_site", with_search=False)
    entries = {m["slug"]: m for m in load(built / "data" / "meetings.json")["meetings"]}
    assert entries["2021-11-03-planning"]["last_modified"] == "2022-03-05T15:30:00Z"
    assert entries["2021-03-24-planning"]["last_modified"] == "2022-02-01T10:00:00Z"
    # without a history (a copy outside git), the content's own date
    shutil.copytree(CONTENT, tmp_path / "plain-content")
    plain = build_into(tmp_path / "plain-content", tmp_path / "plain", with_search=False)
    entries = {m["slug"]: m for m in load(plain / "data" / "meetings.json")["meetings"]}
    assert entries["2021-11-03-planning"]["last_modified"] == "2021-11-03"
    assert entries["2021-03-24-planning"]["last_modified"] == "2021-03-31"  # approved on


def netlify_matches(pattern: str, path: str) -> bool:
    import re
    regex = "".join(".*" if part == "*" else "[^/]+" if part.startswith(":") else re.escape(part)
                    for part in re.split(r"(\*|:[A-Za-z_]+)", pattern))
    return re.fullmatch(regex, path) is not None


def test_open_data_feeds_and_calendars_may_be_read_from_any_origin(site):
    config = tomllib.loads((ROOT / "netlify.toml").read_text(encoding="utf-8"))
    open_patterns = [rule["for"] for rule in config["headers"]
                     if rule["values"].get("Access-Control-Allow-Origin") == "*"]
    files = ["/" + p.relative_to(site).as_posix() for p in site.rglob("*")
             if p.is_file() and (p.suffix in (".json", ".csv", ".ics", ".zip") or p.name == "feed.xml")]
    assert len(files) > 30
    for path in files:
        assert any(netlify_matches(pattern, path) for pattern in open_patterns), path
    assert not any(netlify_matches(pattern, "/meetings/2021/2021-03-24-planning/") for pattern in open_patterns)


def test_the_data_package_describes_every_csv_and_frictionless_validates_it(site):
    package = load(site / "datapackage.json")
    csvs = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.csv"))
    assert sorted(r["path"] for r in package["resources"]) == csvs
    report = frictionless.validate(str(site / "datapackage.json"))
    assert report.valid, report.flatten(["title", "message"])
    rows = frictionless.Resource(str(site / "indicators/indicators.csv"),
                                 schema=frictionless.Schema.from_descriptor(package["resources"][0]["schema"])).read_rows()
    assert [(row["code"], row["actual"]) for row in rows] == [("HOU.1", 812), ("HOU.1", 950.5)]


def test_csv_opens_in_excel_as_utf8_and_its_columns_are_documented(site):
    data = (site / "indicators" / "indicators.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with a byte order mark
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    page = read_page(site, "/data/")
    rows = page.find(id="csv-columns").find_next("table").tbody.find_all("tr")
    documented = [row.find("th").get_text(strip=True) for row in rows]
    assert documented == header
    fields = [f["name"] for f in load(site / "datapackage.json")["resources"][0]["schema"]["fields"]]
    assert fields == header


def test_the_data_page_lists_every_download_with_its_size_and_licence(site):
    page = read_page(site, "/data/")
    table = page.find("table", class_="data-files")
    headings = [th.get_text(strip=True) for th in table.thead.find_all("th")]
    assert headings == ["File", "Format", "Size", "Licence", "What it holds", "Described by"]
    listed = {}
    for row in table.tbody.find_all("tr"):
        cells = [row.th] + row.find_all("td")
        link = row.th.find("a")
        listed[row.th.get_text(strip=True)] = link["href"] if link else None
        assert cells[3].get_text(strip=True) == DEFAULT_LICENCE
        size = cells[2].get_text(strip=True)
        if link:
            on_disk = (site / link["href"].lstrip("/")).stat().st_size
            assert size == opendata.file_size(on_disk), link["href"]
        assert cells[4].get_text(strip=True)
    assert {"open-data.zip", "meetings.json", "committees.json", "decisions.json", "issues.json", "indicators.json",
            "meeting.json", "indicators.csv", "datapackage.json", "meetings.ics"} <= set(listed)
    for href in filter(None, listed.values()):
        assert (site / href.lstrip("/")).is_file(), href


# -- calendars ---------------------------------------------------------------------------

def read_with_node(paths: list[Path]) -> dict:
    """What ical.js and node-ical make of each file (tests/node/read_calendar.js)."""
    assert shutil.which("node"), "Node.js is needed (scripts/test.sh installs the npm packages)"
    done = subprocess.run(["node", str(NODE_READER), *map(str, paths)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def calendars(site: Path) -> list[Path]:
    return sorted(site.rglob("*.ics"))


def test_javascript_clients_read_the_times_right(site):
    """ical.js converts with the file's own VTIMEZONE: a summer meeting at 18:00 is 17:00 UTC."""
    read = read_with_node(calendars(site))
    for path, clients in read.items():
        for client in ("icaljs", "nodeical"):
            for event in clients[client]["events"]:
                slug = event["uid"].split("@")[0]
                expected = EXPECTED_UTC[slug]
                if expected is None:
                    assert event["allDay"], (client, slug)
                else:
                    assert event["start"] == expected.strftime("%Y-%m-%dT%H:%M:%S.000Z"), (client, path, slug)
    summer = next(e for e in read[str(site / "meetings.ics")]["icaljs"]["events"]
                  if e["uid"].startswith("2021-03-31-planning"))
    assert (summer["start"], summer["end"]) == ("2021-03-31T17:00:00.000Z", "2021-03-31T19:00:00.000Z")


def test_calendar_names_and_text_come_back_plain_in_every_client(site):
    read = read_with_node(calendars(site))
    licensing = read[str(site / "committees" / "licensing" / "meetings.ics")]
    for client in ("icaljs", "nodeical"):
        assert licensing[client]["name"] == "Licensing, Safety <and> Regulatory Committee meetings", client
        for event in licensing[client]["events"]:
            assert event["summary"] == "Licensing, Safety <and> Regulatory Committee"
    assert licensing["icaljs"]["rfc7986Name"] == licensing["icaljs"]["name"]
    for path in calendars(site):
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        assert "\\" not in str(calendar["X-WR-CALNAME"]) and "\\" not in str(calendar["NAME"]), path
    described = next(e for e in licensing["icaljs"]["events"] if e["uid"].startswith("2021-03-28-licensing"))
    assert described["location"].startswith("Virtual meeting (Microsoft Teams)")
    assert described["description"].splitlines()[-2] == f"Minutes: {BASE}/meetings/2021/2021-03-28-licensing/"


def test_descriptions_are_plain_text(site):
    calendar = icalendar.Calendar.from_ical((site / "meetings.ics").read_bytes())
    texts = {str(e["UID"]).split("@")[0]: str(e["DESCRIPTION"]) for e in calendar.walk("VEVENT")}
    assert ("RESOLVED – That: - progress be noted; - a further report be brought in the autumn."
            in texts["2021-03-31-planning"])
    for text in texts.values():
        assert "**" not in text and "<p>" not in text and "](" not in text


def test_recurring_ical_events_finds_each_meeting_at_its_time(site):
    calendar = icalendar.Calendar.from_ical((site / "meetings.ics").read_bytes())
    found = recurring_ical_events.of(calendar).between(datetime.date(2021, 1, 1), datetime.date(2023, 1, 1))
    starts = {str(e["UID"]).split("@")[0]: e["DTSTART"].dt for e in found}
    assert sorted(starts) == PUBLISHED
    for slug, expected in EXPECTED_UTC.items():
        if expected is not None:
            assert starts[slug].astimezone(UTC) == expected, slug
    march = recurring_ical_events.of(calendar).at((2021, 3))
    assert sorted(str(e["UID"]).split("@")[0] for e in march) == [
        "2021-03-24-planning", "2021-03-28-licensing", "2021-03-31-planning"]


def test_the_site_calendar_holds_the_recent_years_and_each_year_has_its_own(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    for year in (2015, 2018, 2019):
        folder = content / "meetings" / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{year}-05-06-planning.md").write_text(
            f"---\ncommittee: planning\ndate: {year}-05-06\ntime: \"18:00\"\n"
            "items:\n  - number: 1\n    title: Old business\n---\n",
            encoding="utf-8")
    built = build_into(content, tmp_path / "_site", with_search=False)

    def uids(path: Path) -> set[str]:
        return {str(e["UID"]).split("@")[0] for e in icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")}
    assert uids(built / "meetings.ics") == set(PUBLISHED)  # from 1 January 2020: two years before the newest (2022)
    assert ical.recent_from([SimpleMeeting(datetime.date(2022, 1, 12))]) == datetime.date(2020, 1, 1)
    for year in (2015, 2018, 2019):
        assert uids(built / "meetings" / str(year) / "meetings.ics") == {f"{year}-05-06-planning"}
        assert read_page(built, f"/meetings/{year}/").find("a", href=f"/meetings/{year}/meetings.ics")
    assert uids(built / "meetings" / "2021" / "meetings.ics") == {s for s in PUBLISHED if s.startswith("2021")}
    assert uids(built / "committees" / "planning" / "meetings.ics") >= {"2015-05-06-planning"}


@dataclasses.dataclass
class SimpleMeeting:
    date: datetime.date


def test_every_calendar_has_subscribe_and_add_to_links(site):
    def check(links, ics: str, name: str) -> None:
        address = BASE + ics
        hrefs = {a.get_text(" ", strip=True): a["href"] for a in links.find_all("a")}
        assert hrefs[next(k for k in hrefs if k.startswith("Subscribe"))] == "webcal://" + address.split("://")[1]
        google = hrefs[next(k for k in hrefs if k.startswith("Add to Google Calendar"))]
        assert google == urls.google_calendar_subscribe(address) and "cid=webcal%3A%2F%2F" in google
        outlook = hrefs[next(k for k in hrefs if k.startswith("Add to Outlook"))]
        assert outlook.startswith("https://outlook.office.com/calendar/0/addfromweb?url=https%3A%2F%2F")
        assert hrefs[next(k for k in hrefs if k.startswith("Download"))] == ics

    page = read_page(site, "/data/")
    blocks = page.find_all("ul", class_="calendar-links")
    calendar_files = {b.find("a", string=lambda s: s and s.startswith("Download")) for b in blocks}
    assert len(blocks) == 1 + 2 + 3  # the site's, each year's, each committee's
    assert calendar_files
    for block in blocks:
        ics = block.find_all("a")[-1]["href"]
        check(block, ics, "")
    committee = read_page(site, "/committees/planning/")
    check(committee.find("ul", class_="calendar-links"), "/committees/planning/meetings.ics", "")


# -- feeds -----------------------------------------------------------------------------

def test_feed_entries_link_with_absolute_addresses(site, sample_site):
    checked = 0
    for built in (site, sample_site):
        for path in built.rglob("feed.xml"):
            parsed = feedparser.parse(path.read_bytes())
            assert not parsed.bozo, path
            for entry in parsed.entries:
                html = BeautifulSoup(entry.content[0].value, "html5lib")
                for element in html.find_all(href=True) + html.find_all(src=True):
                    target = element.get("href") or element.get("src")
                    assert target.startswith(("https://", "http://", "mailto:", "tel:")), (path, target)
                    checked += 1
    assert checked > 10
    raw = (site / "committees" / "planning" / "feed.xml").read_text(encoding="utf-8")
    assert f'xml:base="{BASE}/"' in raw  # for readers that resolve what is relative against it


def test_a_decision_linking_an_indicator_links_it_absolutely_in_the_feeds(tmp_path):
    """Rendered Markdown links indicator codes with root-relative addresses: not in a feed."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    meeting = content / "meetings" / "2021" / "2021-03-24-planning.md"
    text = meeting.read_text(encoding="utf-8")
    assert "decision: That the action plan be approved." in text
    meeting.write_text(text.replace("decision: That the action plan be approved.",
                                    "decision: That the action plan for HOU.1 be approved."), encoding="utf-8")
    built = build_into(content, tmp_path / "_site", with_search=False)
    for feed in ("committees/planning/feed.xml", "feed.xml", "issues/housing-delivery/feed.xml"):
        raw = (built / feed).read_text(encoding="utf-8")
        parsed = feedparser.parse(raw.encode("utf-8"), resolve_relative_uris=False)  # as a reader that does not resolve
        links = [a["href"] for e in parsed.entries for a in BeautifulSoup(e.content[0].value, "html5lib").find_all("a")]
        assert f"{BASE}/indicators/hou-1/" in links, feed
        assert not [link for link in links if link.startswith("/")], feed


# -- JSON-LD ---------------------------------------------------------------------------------

def schema_org_loader(url, options=None):
    """schema.org's context, offline: every term is in its vocabulary (what the published context
    says for the terms used here)."""
    assert url.rstrip("/") in ("https://schema.org", "http://schema.org"), url
    return {"contextUrl": None, "documentUrl": url, "document": {"@context": {"@vocab": SCHEMA_ORG}}}


def extracted(site: Path, url: str) -> list[dict]:
    html = (site / urls.output_path(url)).read_text(encoding="utf-8")
    return extruct.extract(html, base_url=BASE + url, syntaxes=["json-ld"], uniform=True)["json-ld"]


def expanded(data: dict) -> dict:
    (node,) = [n for n in jsonld.expand(data, {"documentLoader": schema_org_loader}) if "@type" in n]
    return node


def value(node: dict, term: str):
    entries = node.get(SCHEMA_ORG + term, [])
    return [e.get("@value", e.get("@id", e)) for e in entries]


@pytest.mark.parametrize("slug", PUBLISHED)
def test_meeting_pages_meet_googles_event_requirements(site, slug):
    (data,) = extracted(site, f"/meetings/{slug[:4]}/{slug}/")
    event = expanded(data)
    assert event["@type"] == [SCHEMA_ORG + "Event"]
    assert value(event, "name") and value(event, "startDate")
    assert value(event, "eventStatus") == ["https://schema.org/EventScheduled"]
    (organizer,) = event[SCHEMA_ORG + "organizer"]
    assert value(organizer, "name") and value(organizer, "url")
    venue = load(site / f"meetings/{slug[:4]}/{slug}/meeting.json")["location"]
    if venue is None:
        assert SCHEMA_ORG + "location" not in event  # nothing to say
        return
    (location,) = event[SCHEMA_ORG + "location"]
    if location["@type"] == [SCHEMA_ORG + "VirtualLocation"]:
        assert value(location, "url") == [f"{BASE}/meetings/{slug[:4]}/{slug}/"]
    else:
        assert location["@type"] == [SCHEMA_ORG + "Place"]
        (address,) = location[SCHEMA_ORG + "address"]
        assert value(address, "streetAddress") == [venue["name"]]


def test_committee_pages_describe_a_government_organization(site):
    (data,) = extracted(site, "/committees/planning/")
    node = expanded(data)
    assert node["@type"] == [SCHEMA_ORG + "GovernmentOrganization"]
    assert value(node, "name") == ["Planning & Highways Committee"]
    (parent,) = node[SCHEMA_ORG + "parentOrganization"]
    assert value(parent, "name") == ["Fixture Metropolitan Borough Council"]


def test_the_data_page_is_a_dataset_with_its_downloads(site):
    (data,) = extracted(site, "/data/")
    node = expanded(data)
    assert node["@type"] == [SCHEMA_ORG + "Dataset"]
    assert value(node, "license") == [DEFAULT_LICENCE_URL]
    downloads = {value(d, "contentUrl")[0]: value(d, "encodingFormat")[0] for d in node[SCHEMA_ORG + "distribution"]}
    assert downloads[f"{BASE}/data/open-data.zip"] == "application/zip"
    assert downloads[f"{BASE}/indicators/indicators.csv"] == "text/csv"
    assert value(node, "name") and value(node, "description")


def test_the_home_page_is_a_website_searchable_at_search(site):
    (data,) = extracted(site, "/")
    node = expanded(data)
    assert node["@type"] == [SCHEMA_ORG + "WebSite"]
    (action,) = node[SCHEMA_ORG + "potentialAction"]
    assert action["@type"] == [SCHEMA_ORG + "SearchAction"]
    (target,) = action[SCHEMA_ORG + "target"]
    assert value(target, "urlTemplate") == [f"{BASE}/search/?q={{search_term_string}}"]
    assert value(action, "query-input") == ["required name=search_term_string"]
    assert HOST in value(node, "url")[0]
