"""Agendas, and meetings that do not take place: `status: agenda`, `cancelled`, `postponed`.

An agenda is published before the meeting (items, reports, documents, venue and time; the
page says the minutes will follow); a cancelled or postponed meeting says so, with its note,
on its page, in listings, in calendars (STATUS:CANCELLED), in JSON-LD and in its JSON.
"""
from __future__ import annotations

import datetime
import json
import shutil
from pathlib import Path

import icalendar
import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, build_into, run_cli

BASE = ROOT / "tests" / "fixtures" / "invalid" / "_base" / "content"

AGENDA = """---
committee: scrutiny
date: 2021-04-14
time: "18:00"
venue: Town Hall
status: agenda
items:
  - number: 1
    title: Apologies
  - number: 2
    title: Budget monitoring
    report_of: Director of Finance
    summary: The report sets out the forecast.
    recommendations:
      - The Committee is asked to note the report.
---
The meeting is open to the public.
"""

CANCELLED = """---
committee: scrutiny
date: 2021-05-12
status: cancelled
note: "Cancelled: there was no business to transact."
---
"""

POSTPONED = """---
committee: scrutiny
date: 2021-06-09
status: postponed
note: Postponed to 23 June 2021.
items:
  - number: 1
    title: Budget monitoring
---
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("statuses")
    content = root / "content"
    shutil.copytree(BASE, content)
    year = content / "meetings" / "2021"
    (year / "2021-04-14-scrutiny.md").write_text(AGENDA, encoding="utf-8")
    (year / "2021-05-12-scrutiny.md").write_text(CANCELLED, encoding="utf-8")
    (year / "2021-06-09-scrutiny.md").write_text(POSTPONED, encoding="utf-8")
    check = run_cli("check", "--strict", "--content", str(content), cwd=root)
    assert check.returncode == 0, check.stdout
    return build_into(content, root / "_site")


def page(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url.strip("/") / "index.html").read_text(encoding="utf-8"), "html5lib")


def text(element) -> str:
    return " ".join(element.get_text(" ").split())


def json_ld(soup: BeautifulSoup) -> dict:
    return json.loads(soup.find("script", type="application/ld+json").string)


def test_an_agenda_is_published_and_says_the_minutes_will_follow(site):
    soup = page(site, "meetings/2021/2021-04-14-scrutiny")
    main = soup.find("main")
    notice = main.find(class_="notice--agenda")
    assert text(notice) == ("This is the agenda. The meeting has not taken place yet: "
                            "the minutes will follow after the meeting.")
    assert "To follow after the meeting" in text(main.find("dl"))
    assert "Budget monitoring" in text(main) and "Director of Finance" in text(main)
    assert "Town Hall" in text(main) and "18:00" in text(main)
    assert json_ld(soup)["eventStatus"] == "https://schema.org/EventScheduled"
    data = json.loads((site / "meetings/2021/2021-04-14-scrutiny/meeting.json").read_text(encoding="utf-8"))
    assert data["status"] == "confirmed" and data["extras"]["minutes_status"] == "agenda"


def test_a_cancelled_and_a_postponed_meeting_say_so_with_their_note(site):
    for slug, status, words, note in (
            ("2021-05-12-scrutiny", "cancelled", "This meeting was cancelled.",
             "Cancelled: there was no business to transact."),
            ("2021-06-09-scrutiny", "postponed", "This meeting was postponed. It will take place on another date.",
             "Postponed to 23 June 2021.")):
        soup = page(site, f"meetings/2021/{slug}")
        main = soup.find("main")
        assert text(main.find(class_=f"notice--{status}")) == words
        assert text(main.find(class_="meeting-note")) == note
        assert json_ld(soup)["eventStatus"] == f"https://schema.org/Event{status.capitalize()}"
        data = json.loads((site / f"meetings/2021/{slug}/meeting.json").read_text(encoding="utf-8"))
        # Open Civic Data has no "postponed": a meeting not held on its date is "cancelled" there
        assert data["status"] == "cancelled" and data["extras"]["minutes_status"] == status
        assert data["extras"]["note"] == note


def test_listings_show_the_status_and_note(site):
    year = page(site, "meetings/2021")
    entries = {text(li.find("a")): text(li) for li in year.find_all("li", class_="meeting-list__item")}
    cancelled = next(v for k, v in entries.items() if "12 May 2021" in k)
    assert "Cancelled Cancelled: there was no business to transact." in cancelled
    agenda = next(v for k, v in entries.items() if "14 April 2021" in k)
    assert "agenda: minutes to follow" in agenda
    committee = page(site, "committees/scrutiny")
    rows = [text(li) for li in committee.find_all("li", class_="meeting-list__item")]
    assert any("Postponed Postponed to 23 June 2021." in row for row in rows)


def test_calendars_and_feeds(site):
    calendar = icalendar.Calendar.from_ical((site / "meetings.ics").read_bytes())
    statuses = {str(event["dtstart"].dt)[:10]: str(event["status"]) for event in calendar.walk("VEVENT")}
    assert statuses["2021-05-12"] == "CANCELLED" and statuses["2021-06-09"] == "CANCELLED"
    assert statuses["2021-04-14"] == "CONFIRMED" and statuses["2021-03-10"] == "CONFIRMED"
    import xml.etree.ElementTree as ET
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.fromstring((site / "feed.xml").read_bytes())
    titles = [entry.find(f"{atom}title").text for entry in feed.findall(f"{atom}entry")]
    assert any(t.endswith("(agenda)") for t in titles)
    assert any(t.endswith("(cancelled)") for t in titles)


def test_new_for_a_date_to_come_starts_an_agenda(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    # the committee's last meeting has attendance and decisions: none of it is copied into an agenda
    future = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    result = run_cli("new", "--content", str(content), "--committee", "children-families-scrutiny", "--date", future,
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Started the agenda of the Children & Families Scrutiny Committee's meeting" in result.stdout
    path = content / "meetings" / future[:4] / f"{future}-children-families-scrutiny.md"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#")]
    assert "status: agenda" in lines
    assert not any(line.lstrip().startswith(("attendees:", "chair:", "members:", "decision:", "approved_on:"))
                   for line in lines)
    assert lines[-1] == "---"  # no minutes
    past = run_cli("new", "--content", str(content), "--committee", "children-families-scrutiny",
                   "--date", "2022-11-02", cwd=tmp_path)
    assert "Started a draft meeting" in past.stdout


def test_the_history_names_what_was_first_published():
    from site_gen.changes import change_words
    from site_gen.models import Change
    when = datetime.datetime(2021, 4, 1, tzinfo=datetime.timezone.utc)
    words = {status: change_words(Change("c" * 40, when, "s", "meetings/x.md", "published", status, 0))
             for status in ("agenda", "unconfirmed", "approved", "cancelled")}
    assert words == {"agenda": "First published (the agenda)", "unconfirmed": "First published (unconfirmed minutes)",
                     "approved": "First published (approved minutes)",
                     "cancelled": "First published (cancelled meeting)"}
