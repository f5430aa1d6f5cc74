"""Issue 7: iCalendar files (RFC 5545), parsed back with the `icalendar` library.

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

def test_a_calendar_for_the_site_and_for_each_committee(site):
    expected = {site / "meetings.ics"} | {site / "committees" / slug / "meetings.ics" for slug in COMMITTEES}
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
            assert event.decoded("DTSTAMP").tzinfo is not None and event.decoded("DTSTAMP").utcoffset() == datetime.timedelta(0)


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
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start.astimezone(UTC) == EXPECTED_UTC[slug]
    assert end.astimezone(UTC) - start.astimezone(UTC) == ical.DEFAULT_DURATION
    # written as UK wall-clock time
    local = EXPECTED_UTC[slug].astimezone(LONDON)
    assert event["DTSTART"].to_ical().decode() == f"{local:%Y%m%dT%H%M%S}"


def test_a_meeting_without_a_time_is_an_all_day_event(site):
    event = events(site / "meetings.ics")[f"2021-06-16-planning@{HOST}"]
    assert event["DTSTART"].params.get("VALUE") == "DATE"
    assert event.decoded("DTSTART") == datetime.date(2021, 6, 16)
    assert event.decoded("DTEND") == datetime.date(2021, 6, 17)
    assert "start time is not recorded" in str(event["DESCRIPTION"])


def onsets(observance) -> list[datetime.datetime]:
    """The local times at which a STANDARD or DAYLIGHT observance begins: DTSTART and each RDATE."""
    found = [observance.decoded("DTSTART")]
    rdates = observance.get("RDATE", [])
    for rdate in rdates if isinstance(rdates, list) else [rdates]:
        found += [d.dt for d in rdate.dts]
    return found


def vtimezone_offset(calendar: icalendar.Calendar, moment: datetime.datetime) -> datetime.timedelta:
    """The UTC offset at `moment` according to the file's own VTIMEZONE, read by hand (not by
    the library, which looks the TZID up in the tz database): every onset is local time in
    TZOFFSETFROM (RFC 5545 3.6.5)."""
    changes = []
    for observance in calendar.walk("VTIMEZONE")[0].subcomponents:
        before, after = observance.decoded("TZOFFSETFROM"), observance.decoded("TZOFFSETTO")
        changes += [((local - before).replace(tzinfo=UTC), after) for local in onsets(observance)]
    return max((c for c in changes if c[0] <= moment), key=lambda c: c[0])[1]


@pytest.mark.parametrize("path", ["meetings.ics", "committees/planning/meetings.ics", "committees/licensing/meetings.ics"])
def test_the_vtimezone_itself_gives_the_same_times(site, path):
    """For clients that read the VTIMEZONE rather than the tz database (Outlook)."""
    calendar = parse(site / path)
    for event in calendar.walk("VEVENT"):
        slug = str(event["UID"]).split("@")[0]
        if EXPECTED_UTC[slug] is None:
            continue
        wall = datetime.datetime.strptime(event["DTSTART"].to_ical().decode(), "%Y%m%dT%H%M%S")
        utc = EXPECTED_UTC[slug]
        assert (wall - vtimezone_offset(calendar, utc)).replace(tzinfo=UTC) == utc, slug


def test_vtimezone_onsets_are_the_real_transitions():
    zone = ical.timezone([SimpleNamespace(date=datetime.date(1995, 6, 1)), SimpleNamespace(date=datetime.date(2024, 6, 1))])
    changes = []
    for observance in zone.subcomponents:
        before, after = observance.decoded("TZOFFSETFROM"), observance.decoded("TZOFFSETTO")
        if before == after:
            continue  # the offset in force when the range begins
        for local in onsets(observance):
            instant = (local - before).replace(tzinfo=UTC)
            assert (instant - datetime.timedelta(seconds=1)).astimezone(LONDON).utcoffset() == before, local
            assert instant.astimezone(LONDON).utcoffset() == after, local
            changes.append(local)
    assert len(changes) == 2 * (2025 - 1995)  # spring and autumn of every year in range
    assert datetime.datetime(2021, 3, 28, 1, 0) in changes  # 01:00 GMT, not 02:00
    assert datetime.datetime(2021, 10, 31, 2, 0) in changes  # 02:00 BST
    assert datetime.datetime(1995, 10, 22, 2, 0) in changes  # before 1996 summer time ended on the fourth Sunday


# -- stability --------------------------------------------------------------------------

def test_calendars_are_byte_identical_across_builds_and_uids_survive_new_meetings(site, tmp_path):
    again = build_into(without_history(CONTENT, tmp_path / "copy"), tmp_path / "again", with_search=False)
    for path in calendars(site):
        assert (again / path.relative_to(site)).read_bytes() == path.read_bytes(), path
    # a new meeting changes the calendar but not the other events' UIDs or content
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "meetings" / "2021" / "2021-09-01-planning.md").write_text(
        "---\ncommittee: planning\ndate: 2021-09-01\ntime: \"19:00\"\nitems:\n  - number: 1\n    title: Added later\n---\n",
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
