"""Subscriptions: iCalendar files (RFC 5545), parsed back with the `icalendar` library.

/meetings.ics and /committees/<slug>/meetings.ics: one event per published meeting,
stable UIDs, Europe/London times right across the clock change, line folding and CRLF.
"""
from __future__ import annotations

import datetime
import shutil
from pathlib import Path
from types import SimpleNamespace

import icalendar
import pytest
from conftest import build_into, without_history
from opendata_support import BASE, COMMITTEES, CONTENT, DRAFT, EXPECTED_UTC, HOST, PUBLISHED, UTC

from site_gen import ical

LONDON = ical.LONDON


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("opendata")
    return build_into(without_history(CONTENT, folder), folder / "_site", with_search=False)


def parse(path: Path) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(path.read_bytes())


def events(path: Path) -> dict[str, icalendar.Event]:
    """UID -> event."""
    return {str(event["UID"]): event for event in parse(path).walk("VEVENT")}


def calendars(site: Path) -> list[Path]:
    return sorted(site.rglob("*.ics"))


# -- the files ---------------------------------------------------------------------

def test_a_calendar_for_the_site_each_year_and_each_committee(site):
    expected = {site / "meetings.ics"} | {site / "committees" / slug / "meetings.ics" for slug in COMMITTEES}
    expected |= {site / "meetings" / year / "meetings.ics" for year in ("2021", "2022")}
    assert set(calendars(site)) == expected


def test_every_calendar_parses_and_has_what_rfc_5545_requires(site, sample_site):
    for path in calendars(site) + calendars(sample_site):
        calendar = parse(path)
        assert calendar.name == "VCALENDAR"
        assert str(calendar["VERSION"]) == "2.0" and str(calendar["PRODID"]).startswith("-//")
        assert str(calendar["METHOD"]) == "PUBLISH"
        assert calendar.walk("VTIMEZONE") or not calendar.walk("VEVENT"), path
        assert calendar.subcomponents, f"{path}: RFC 5545 needs at least one component"
        for event in calendar.walk("VEVENT"):
            for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "URL", "DESCRIPTION"):
                assert name in event, f"{path}: {event.get('UID')} has no {name}"
            stamp = event.decoded("DTSTAMP")
            assert stamp.tzinfo is not None and stamp.utcoffset() == datetime.timedelta(0)


def test_lines_end_with_crlf_and_are_folded_at_75_octets(site, sample_site):
    for path in calendars(site) + calendars(sample_site):
        data = path.read_bytes()
        assert data.endswith(b"\r\n")
        assert b"\n" not in data.replace(b"\r\n", b""), f"{path}: a bare LF"
        lines = data.split(b"\r\n")[:-1]
        for line in lines:
            assert len(line) <= 75, f"{path}: {len(line)} octets: {line!r}"
            line.decode("utf-8")  # folding never splits a UTF-8 character
    # the fixture has long, non-ASCII text, so folding is exercised
    planning = (site / "committees" / "planning" / "meetings.ics").read_bytes()
    assert b"\r\n " in planning and "Réussite".encode() in planning.replace(b"\r\n ", b"")


def test_one_event_per_published_meeting_and_no_draft(site):
    everything = events(site / "meetings.ics")
    assert sorted(everything) == sorted(f"{slug}@{HOST}" for slug in PUBLISHED)
    assert not any(DRAFT in path.read_text(encoding="utf-8") for path in calendars(site))
    for slug, count in COMMITTEES.items():
        own = events(site / "committees" / slug / "meetings.ics")
        assert len(own) == count
        assert all(str(e["URL"]).startswith(f"{BASE}/meetings/") for e in own.values())
        assert all(everything[uid].to_ical() == event.to_ical() for uid, event in own.items())


def test_an_event_has_the_committee_venue_and_the_meeting_page(site):
    event = events(site / "meetings.ics")[f"2021-03-24-planning@{HOST}"]
    assert str(event["SUMMARY"]) == "Planning & Highways Committee"
    assert str(event["LOCATION"]) == "Council Chamber, Town Hall"
    assert str(event["URL"]) == f"{BASE}/meetings/2021/2021-03-24-planning/"
    description = str(event["DESCRIPTION"])
    assert "2. Housing Delivery Test" in description and "RESOLVED – That the action plan be approved." in description
    assert "two hours" in description
    assert event.decoded("DTSTAMP") == datetime.datetime(2021, 3, 24, tzinfo=UTC)  # from the content, not the clock
    assert "LOCATION" not in events(site / "meetings.ics")[f"2021-10-27-planning@{HOST}"]  # no venue recorded


# -- times ---------------------------------------------------------------------------

@pytest.mark.parametrize("slug", sorted(s for s, utc in EXPECTED_UTC.items() if utc))
def test_times_are_right_across_the_clock_change(site, slug):
    event = events(site / "meetings.ics")[f"{slug}@{HOST}"]
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start.astimezone(UTC) == EXPECTED_UTC[slug]
    assert end.astimezone(UTC) - start.astimezone(UTC) == ical.DEFAULT_DURATION
    local = EXPECTED_UTC[slug].astimezone(LONDON)
    if slug == "2021-10-31-licensing":  # 01:30 happens twice that night: written in UTC, which no client misreads
        assert event["DTSTART"].to_ical().decode() == "20211031T003000Z"
        return
    # written as UK wall-clock time
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event["DTSTART"].to_ical().decode() == f"{local:%Y%m%dT%H%M%S}"


def test_a_meeting_without_a_time_is_an_all_day_event(site):
    event = events(site / "meetings.ics")[f"2021-06-16-planning@{HOST}"]
    assert event["DTSTART"].params.get("VALUE") == "DATE"
    assert event.decoded("DTSTART") == datetime.date(2021, 6, 16)
    assert event.decoded("DTEND") == datetime.date(2021, 6, 17)
    assert "start time is not recorded" in str(event["DESCRIPTION"])


def vtimezone(calendar: icalendar.Calendar) -> datetime.tzinfo:
    """The file's own VTIMEZONE as a time zone (read by dateutil through icalendar, not looked
    up in the tz database by its TZID): what a client that reads it (Outlook) sees."""
    return calendar.walk("VTIMEZONE")[0].to_tz(lookup_tzid=False)


@pytest.mark.parametrize("path", ["meetings.ics", "committees/planning/meetings.ics",
                                  "committees/licensing/meetings.ics"])
def test_the_vtimezone_itself_gives_the_same_times(site, path):
    """For clients that read the VTIMEZONE rather than the tz database (Outlook)."""
    calendar = parse(site / path)
    zone = vtimezone(calendar)
    for event in calendar.walk("VEVENT"):
        slug = str(event["UID"]).split("@")[0]
        if EXPECTED_UTC[slug] is None:
            continue
        if "TZID" not in event["DTSTART"].params:
            continue  # given in UTC
        wall = datetime.datetime.strptime(event["DTSTART"].to_ical().decode(), "%Y%m%dT%H%M%S")
        utc = EXPECTED_UTC[slug]
        assert wall.replace(tzinfo=zone).astimezone(UTC) == utc, slug


def test_the_vtimezone_is_a_yearly_rule_with_one_rdate_per_line_before_it():
    """Since 1996 a yearly RRULE (which every client reads); before, one RDATE property per
    change (ical.js reads only the first of a comma-separated list). Hour by hour from 1990 to
    2030 the VTIMEZONE gives the tz database's offset."""
    zone = ical.timezone([SimpleNamespace(date=datetime.date(1990, 6, 1)),
                          SimpleNamespace(date=datetime.date(2024, 6, 1))])
    text = zone.to_ical().decode()
    assert text.count("RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3") == 1 and text.count("BYMONTH=10") == 1
    rdates = [line for line in text.splitlines() if line.startswith("RDATE")]
    # each kind of change (spring, autumn) starts with a DTSTART, then one RDATE a year
    assert len(rdates) == 2 * (1996 - 1990) - 2 and all("," not in line for line in rdates)
    assert "RDATE:19951022T020000" in rdates  # before 1996 summer time ended on the fourth Sunday
    tz = zone.to_tz(lookup_tzid=False)
    moment = datetime.datetime(1990, 1, 1, tzinfo=UTC)
    while moment.year < 2031:
        assert moment.astimezone(tz).utcoffset() == moment.astimezone(LONDON).utcoffset(), moment
        moment += datetime.timedelta(hours=1)
    later = ical.timezone([SimpleNamespace(date=datetime.date(2021, 6, 1))]).to_ical().decode()
    assert "RDATE" not in later and "DTSTART:19960331T010000" in later and "DTSTART:19961027T020000" in later


# -- stability --------------------------------------------------------------------------

def test_calendars_are_byte_identical_across_builds_and_uids_survive_new_meetings(site, tmp_path):
    again = build_into(without_history(CONTENT, tmp_path / "copy"), tmp_path / "again", with_search=False)
    for path in calendars(site):
        assert (again / path.relative_to(site)).read_bytes() == path.read_bytes(), path
    # a new meeting changes the calendar but not the other events' UIDs or content
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "meetings" / "2021" / "2021-09-01-planning.md").write_text(
        "---\ncommittee: planning\ndate: 2021-09-01\ntime: \"19:00\"\n"
        "items:\n  - number: 1\n    title: Added later\n---\n",
        encoding="utf-8")
    grown = build_into(content, tmp_path / "grown", with_search=False)
    before, after = events(site / "meetings.ics"), events(grown / "meetings.ics")
    assert set(after) - set(before) == {f"2021-09-01-planning@{HOST}"}
    for uid, event in before.items():
        assert after[uid].to_ical() == event.to_ical()


def test_a_drafts_build_marks_the_draft(tmp_path):
    site = build_into(CONTENT, tmp_path / "drafts", with_search=False, include_drafts=True)
    draft = events(site / "meetings.ics")[f"{DRAFT}@{HOST}"]
    assert str(draft["SUMMARY"]).endswith("(draft)")


def test_the_sample_archive_calendar(sample_site):
    found = events(sample_site / "meetings.ics")
    assert sorted(found) == ["2020-12-09-children-families-scrutiny@council-minutes.example.org",
                             "2022-09-07-children-families-scrutiny@council-minutes.example.org"]
    assert all(e["DTSTART"].params.get("VALUE") == "DATE" for e in found.values())  # the seeds give no times
