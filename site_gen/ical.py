"""iCalendar (RFC 5545) files of the published meetings, built with the `icalendar` library.

One VEVENT per meeting, in the site-wide /meetings.ics and in each committee's
/committees/<slug>/meetings.ics. The rules, chosen because the content format
has a start time but no finish time:

- UID is `<meeting slug>@<host of base_url>`: it never changes while the meeting
  keeps its date and committee (its URL), so subscribers' calendars update the
  event instead of duplicating it.
- A meeting with a `time` starts then (TZID=Europe/London, so the UK clock change
  is the calendar's business, not ours) and is shown as DEFAULT_DURATION long;
  the DESCRIPTION says the finish time is not recorded.
- A meeting without a `time` is an all-day event (DTSTART;VALUE=DATE), and the
  DESCRIPTION says the start time is not recorded.
- DTSTAMP is derived from the content (midnight UTC of the meeting date), never
  from the clock, so the same content builds to the same bytes.

The library folds lines at 75 octets (never inside a UTF-8 character) and ends
them with CRLF.
"""
from __future__ import annotations

import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar

from . import urls

TZID = "Europe/London"
LONDON = ZoneInfo(TZID)
DEFAULT_DURATION = datetime.timedelta(hours=2)
DEFAULT_DURATION_WORDS = "two hours"
REFRESH = datetime.timedelta(days=1)


def host(base_url: str) -> str:
    return urlsplit(base_url).hostname or "localhost"


def uid(meeting, base_url: str) -> str:
    return f"{meeting.slug}@{host(base_url)}"


def start(meeting) -> datetime.datetime | datetime.date:
    """The meeting's start: an aware UK time when its time is known, else its date."""
    if not meeting.time:
        return meeting.date
    hour, minute = (int(part) for part in meeting.time.split(":"))
    return datetime.datetime(meeting.date.year, meeting.date.month, meeting.date.day, hour, minute, tzinfo=LONDON)


def end(meeting) -> datetime.datetime | datetime.date:
    """Exclusive end: DEFAULT_DURATION after a known start (wall-clock time), else the next day."""
    begins = start(meeting)
    if isinstance(begins, datetime.datetime):
        return begins + DEFAULT_DURATION
    return begins + datetime.timedelta(days=1)


def timing_note(meeting) -> str:
    if meeting.time:
        return (f"Starts at {meeting.time} (UK time). The finish time is not recorded, "
                f"so the calendar shows the meeting as {DEFAULT_DURATION_WORDS} long.")
    return "The start time is not recorded, so the calendar shows the meeting as an all-day event."


def description(linked, meeting, title: str, page_url: str) -> str:
    lines = [title + ("" if meeting.status != "draft" else " (draft minutes)"), ""]
    if meeting.venue:
        lines.append(f"Venue: {meeting.venue}")
    lines.append(timing_note(meeting))
    lines += ["", "Agenda:"]
    for item in meeting.items:
        lines.append(f"{item.number}. {item.title}")
        if item.decision:
            lines.append(f"   RESOLVED – {' '.join(item.decision.markdown.split())}")
    lines += ["", f"Minutes: {page_url}"]
    return "\n".join(lines)


def event(linked, meeting, meeting_title) -> icalendar.Event:
    site = linked.archive.site
    committee = linked.archive.committees[meeting.committee]
    page_url = urls.absolute(site.base_url, urls.meeting(meeting))
    title = meeting_title(meeting)
    ev = icalendar.Event()
    ev.add("uid", uid(meeting, site.base_url))
    ev.add("dtstamp", datetime.datetime(meeting.date.year, meeting.date.month, meeting.date.day,
                                        tzinfo=datetime.timezone.utc))
    ev.add("dtstart", start(meeting))
    ev.add("dtend", end(meeting))
    ev.add("summary", committee.name + (" (draft)" if meeting.status == "draft" else ""))
    if meeting.venue:
        ev.add("location", meeting.venue)
    ev.add("description", description(linked, meeting, title, page_url))
    ev.add("url", page_url)
    ev.add("categories", [committee.name])
    ev.add("status", "CONFIRMED")
    ev.add("class", "PUBLIC")
    return ev


def timezone(meetings) -> icalendar.Timezone:
    """Europe/London's VTIMEZONE over a range fixed by the content (never by today's date)."""
    first = min([1970] + [m.date.year for m in meetings])
    last = max([2038] + [m.date.year + 2 for m in meetings])
    return icalendar.Timezone.from_tzid(TZID, first_date=datetime.date(first, 1, 1),
                                        last_date=datetime.date(last, 1, 1))


def build_calendar(linked, meetings, *, name: str, about: str, page_url: str, self_url: str,
                   meeting_title) -> bytes:
    site = linked.archive.site
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//{site.organisation}//{site.title}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("description", about)
    cal.add("x-wr-caldesc", about)
    cal.add("x-wr-timezone", TZID)
    cal.add("url", page_url)
    cal.add("source", self_url, parameters={"VALUE": "URI"})
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", REFRESH)
    # Always present, so that a committee without meetings still has a component (RFC 5545 needs one).
    cal.add_component(timezone(meetings))
    for meeting in sorted(meetings, key=lambda m: (m.date, m.time or "", m.committee)):
        cal.add_component(event(linked, meeting, meeting_title))
    return cal.to_ical()


def site_calendar(linked, meeting_title) -> bytes:
    site = linked.archive.site
    return build_calendar(
        linked, linked.meetings, name=f"{site.organisation}: committee meetings",
        about=f"Every meeting in the {site.title}, with a link to its minutes.",
        page_url=urls.absolute(site.base_url, urls.meetings_index()),
        self_url=urls.absolute(site.base_url, urls.calendar()), meeting_title=meeting_title)


def committee_calendar(linked, slug: str, meeting_title) -> bytes:
    site = linked.archive.site
    committee = linked.archive.committees[slug]
    return build_calendar(
        linked, linked.by_committee.get(slug, []), name=f"{committee.name} meetings",
        about=f"Meetings of the {committee.name} ({site.organisation}), with a link to their minutes.",
        page_url=urls.absolute(site.base_url, urls.committee(slug)),
        self_url=urls.absolute(site.base_url, urls.committee_calendar(slug)), meeting_title=meeting_title)
