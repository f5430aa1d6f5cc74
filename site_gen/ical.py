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
- DTSTAMP and LAST-MODIFIED are the date of the meeting's latest public change
  in the history of the record (git), CREATED its first publication, and
  SEQUENCE the number of public changes since then, so a subscriber's calendar
  takes an amended or approved meeting as a new version of the event. Without
  that history (no git, not committed yet) DTSTAMP is derived from the content
  (midnight UTC of the meeting date) and the others are left out. Never the
  clock: the same content and commits build to the same bytes.

The library folds lines at 75 octets (never inside a UTF-8 character) and ends
them with CRLF.
"""
from __future__ import annotations

import datetime
import functools
from html.parser import HTMLParser
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar

from . import urls
from .cache import BuildCache
from .models import NOT_HELD
from .wording import long_date

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


def ambiguous(moment: datetime.datetime) -> bool:
    """Whether the wall-clock time happens twice in UK time (01:00 to 02:00 on the autumn change)."""
    return moment.replace(fold=0).utcoffset() != moment.replace(fold=1).utcoffset()


def end(meeting) -> datetime.datetime | datetime.date:
    """Exclusive end: DEFAULT_DURATION of elapsed time after a known start (so a meeting that
    spans the clock change still lasts that long), else the next day."""
    begins = start(meeting)
    if isinstance(begins, datetime.datetime):
        return (begins.astimezone(datetime.timezone.utc) + DEFAULT_DURATION).astimezone(LONDON)
    return begins + datetime.timedelta(days=1)


STATUS_NOTES = {"draft": " (draft minutes)", "agenda": " (agenda: the minutes will follow)",
                "cancelled": " (cancelled)", "postponed": " (postponed)"}
SUMMARY_NOTES = {"draft": " (draft)", "cancelled": " (cancelled)", "postponed": " (postponed)"}


def timing_note(meeting) -> str:
    if meeting.time:
        return (f"Starts at {meeting.time} (UK time). The finish time is not recorded, "
                f"so the calendar shows the meeting as {DEFAULT_DURATION_WORDS} long.")
    return "The start time is not recorded, so the calendar shows the meeting as an all-day event."


class _Text(HTMLParser):
    """The text of an HTML fragment, one line per block."""

    BLOCKS = {"p", "li", "div", "br", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def plain_text(html: str) -> str:
    """Rendered Markdown as plain text for a calendar: no markup, no Markdown syntax, one line
    per paragraph or list entry (calendars show DESCRIPTION as plain text)."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def description(linked, meeting, title: str, page_url: str) -> str:
    site = linked.archive.site
    lines = [title + STATUS_NOTES.get(meeting.status, ""), ""]
    if meeting.status in NOT_HELD:
        lines += [f"This meeting was {meeting.status}.", ""]
    if meeting.note:
        lines += [meeting.note, ""]
    if meeting.venue:
        lines.append(f"Venue: {meeting.venue}")
    lines.append(timing_note(meeting))
    lines += ["", "Agenda:"]
    for item in meeting.items:
        lines.append(f"{item.number}. {item.title}")
        html = linked.items[(meeting.slug, item.number)].decision
        if item.decision and html:
            decision = plain_text(html).replace("\n", " ")
            lines.append(f"   RESOLVED – {decision}")
    lines += ["", f"Minutes: {page_url}"]
    if site.licence:
        lines.append(f"Licence: {site.licence}" + (f" ({site.licence_url})" if site.licence_url else ""))
    return "\n".join(lines)


def event(linked, meeting, meeting_title, stamps=None) -> icalendar.Event:
    """`stamps`: (first published, last changed, changes since) from the history, or None."""
    site = linked.archive.site
    committee = linked.archive.committees[meeting.committee]
    page_url = urls.absolute(site.base_url, urls.meeting(meeting))
    title = meeting_title(meeting)
    ev = icalendar.Event()
    ev.add("uid", uid(meeting, site.base_url))
    if stamps is None:
        ev.add("dtstamp", datetime.datetime(meeting.date.year, meeting.date.month, meeting.date.day,
                                            tzinfo=datetime.timezone.utc))
    else:
        first, last, sequence = stamps
        utc = datetime.timezone.utc
        ev.add("dtstamp", last.astimezone(utc))
        ev.add("created", first.astimezone(utc))
        ev.add("last-modified", last.astimezone(utc))
        ev.add("sequence", sequence)
    begins = start(meeting)
    if isinstance(begins, datetime.datetime) and ambiguous(begins):
        # a time the autumn clock change makes happen twice: RFC 5545 means the first, but
        # some clients (ical.js) take the second, so the start is given in UTC instead
        ev.add("dtstart", begins.astimezone(datetime.timezone.utc))
    else:
        ev.add("dtstart", begins)
    ev.add("dtend", end(meeting))
    ev.add("summary", committee.name + SUMMARY_NOTES.get(meeting.status, ""))
    if meeting.venue:
        ev.add("location", meeting.venue)
    ev.add("description", description(linked, meeting, title, page_url))
    ev.add("url", page_url)
    ev.add("categories", [committee.name])
    # a postponed meeting does not take place on this date either (RFC 5545 has no "postponed")
    ev.add("status", "CANCELLED" if meeting.status in NOT_HELD else "CONFIRMED")
    ev.add("class", "PUBLIC")
    return ev


def transitions(first: datetime.date, last: datetime.date) -> list[tuple[datetime.datetime, datetime.timedelta]]:
    """Each change of Europe/London's UTC offset from the start of first's year to the start of
    last's year: (UTC instant, offset before)."""
    return [change for year in range(first.year, last.year) for change in _year_transitions(year)]


@functools.lru_cache(maxsize=None)
def _year_transitions(year: int) -> tuple[tuple[datetime.datetime, datetime.timedelta], ...]:
    utc = datetime.timezone.utc
    day = datetime.datetime(year, 1, 1, tzinfo=utc)
    end = datetime.datetime(year + 1, 1, 1, tzinfo=utc)
    offset = day.astimezone(LONDON).utcoffset()
    found: list[tuple[datetime.datetime, datetime.timedelta]] = []
    while day < end:
        following = day + datetime.timedelta(days=1)
        if following.astimezone(LONDON).utcoffset() != offset:
            low, high = 0, 24 * 60  # minutes after `day`: offset unchanged at low, changed at high
            while high - low > 1:
                middle = (low + high) // 2
                if (day + datetime.timedelta(minutes=middle)).astimezone(LONDON).utcoffset() == offset:
                    low = middle
                else:
                    high = middle
            instant = day + datetime.timedelta(minutes=high)
            found.append((instant, offset or datetime.timedelta(0)))  # London's offset is never unknown
            offset = instant.astimezone(LONDON).utcoffset()
        day = following
    return tuple(found)


RULES_SINCE = 1996  # since 1996 the UK changes on the last Sunday of March and of October, at 01:00 UTC


def timezone(meetings) -> icalendar.Timezone | None:
    """Europe/London's VTIMEZONE for `meetings` (never today's date), or None when there are none.

    From 1996 the clock changes follow one rule, written as a yearly RRULE (every calendar
    client reads those: Outlook, Google, ical.js, icalendar). Meetings before 1996 add the
    changes of their years from the time zone database, one RDATE property per change
    (ical.js reads only the first value of a comma-separated RDATE). Each onset is local time
    in the offset *before* the change, as RFC 5545 3.6.5 says (the spring change is 01:00 GMT,
    the autumn one 02:00 BST)."""
    if not meetings:
        return None
    first_year = min(m.date.year for m in meetings)
    tz = icalendar.Timezone()
    tz.add("tzid", TZID)
    gmt, bst = datetime.timedelta(0), datetime.timedelta(hours=1)
    if first_year < RULES_SINCE:
        first = datetime.date(first_year, 1, 1)
        start_moment = datetime.datetime(first.year, 1, 1, tzinfo=datetime.timezone.utc).astimezone(LONDON)
        observances: dict[tuple, list[datetime.datetime]] = {}
        observances[(bool(start_moment.dst()), start_moment.utcoffset(), start_moment.utcoffset(),
                     start_moment.tzname())] = [datetime.datetime(first.year, 1, 1)]
        for instant, before in transitions(first, datetime.date(RULES_SINCE, 1, 1)):
            local = instant.astimezone(LONDON)
            key = (bool(local.dst()), before, local.utcoffset(), local.tzname())
            observances.setdefault(key, []).append((instant + before).replace(tzinfo=None))
        for (daylight, before, after, name), onsets in observances.items():
            part = icalendar.TimezoneDaylight() if daylight else icalendar.TimezoneStandard()
            part.add("dtstart", onsets[0])
            for onset in onsets[1:]:
                part.add("rdate", onset)  # one property per change
            part.add("tzname", name)
            part.add("tzoffsetfrom", before)
            part.add("tzoffsetto", after)
            tz.add_component(part)
    for daylight, month, day, hour, before, after, name in (
            (True, 3, 31, 1, gmt, bst, "BST"), (False, 10, 27, 2, bst, gmt, "GMT")):
        part = icalendar.TimezoneDaylight() if daylight else icalendar.TimezoneStandard()
        part.add("dtstart", datetime.datetime(RULES_SINCE, month, day, hour))  # the last Sundays of 1996
        part.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1su"})
        part.add("tzname", name)
        part.add("tzoffsetfrom", before)
        part.add("tzoffsetto", after)
        tz.add_component(part)
    return tz


END = b"END:VCALENDAR\r\n"


class Calendars:
    """Builds the calendars of one site. Each event is made and serialised by the library once,
    however many calendars it is in (the site's and its committee's)."""

    def __init__(self, linked, meeting_title, cache: BuildCache | None = None, key=None, stamps=None):
        """`key(meeting)`: a digest of what its event is made from, under which `cache` keeps it
        from one build to the next (its "events" stage). `stamps(meeting)`: its dates in the
        history of the record, or None."""
        self.linked = linked
        self.meeting_title = meeting_title
        self.site = linked.archive.site
        self._events: dict[str, bytes] = {}
        self.cache = cache or BuildCache.disabled()
        self.key = key
        self.stamps = stamps or (lambda meeting: None)

    def event_bytes(self, meeting) -> bytes:
        if meeting.slug not in self._events:
            def make(_report) -> bytes:
                return event(self.linked, meeting, self.meeting_title, self.stamps(meeting)).to_ical()
            key = self.key(meeting) if self.key else None
            self._events[meeting.slug] = self.cache.memo("events", key, make) if key else make(None)
        return self._events[meeting.slug]

    def build(self, meetings, *, name: str, about: str, page_url: str, self_url: str) -> bytes:
        site = self.site
        cal = icalendar.Calendar()
        cal.add("prodid", f"-//{site.organisation}//{site.title}//EN")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "PUBLISH")
        if site.licence:
            about += f" Published under the {site.licence}" + (f" ({site.licence_url})." if site.licence_url else ".")
        cal.add("name", name)
        # X-WR- properties are not TEXT to the libraries that read them (icalendar, ical.js):
        # an escaped comma would come back as "\\,", so they are written as they are, on one line
        cal.add("x-wr-calname", icalendar.prop.vInline(one_line(name)))
        cal.add("description", about)
        cal.add("x-wr-caldesc", icalendar.prop.vInline(one_line(about)))
        if site.licence:
            cal.add("x-license", icalendar.prop.vInline(one_line(site.licence_url or site.licence)))
        cal.add("x-wr-timezone", TZID)
        cal.add("url", page_url)
        cal.add("source", self_url, parameters={"VALUE": "URI"})
        cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", icalendar.vDuration(REFRESH))
        # a calendar without events still has a component
        zone = timezone(meetings if meetings else self.linked.meetings)
        if zone is not None:
            cal.add_component(zone)
        head = cal.to_ical()
        assert head.endswith(END)
        ordered = sorted(meetings, key=lambda m: (m.date, m.time or "", m.committee))
        return head[: -len(END)] + b"".join(self.event_bytes(m) for m in ordered) + END

    def site_calendar(self, listed: list | None = None) -> bytes:
        """The meetings subscribers need: those of the last two years before the newest meeting
        (from 1 January) and everything after; the rest are in the calendars of each year.
        `listed`: those meetings, when the caller has them already (`recent`)."""
        site = self.site
        return self.build(
            recent(self.linked.meetings) if listed is None else listed, name=f"{site.organisation}: committee meetings",
            about=f"Meetings in the {site.title} from {long_date(recent_from(self.linked.meetings))}, "
                  f"with a link to their minutes. Earlier years have a calendar each.",
            page_url=urls.absolute(site.base_url, urls.meetings_index()),
            self_url=urls.absolute(site.base_url, urls.calendar()))

    def year_calendar(self, year: int) -> bytes:
        site = self.site
        return self.build(
            self.linked.by_year.get(year, []), name=f"{site.organisation}: committee meetings in {year}",
            about=f"Every meeting in {year} in the {site.title}, with a link to its minutes.",
            page_url=urls.absolute(site.base_url, urls.year(year)),
            self_url=urls.absolute(site.base_url, urls.year_calendar(year)))

    def committee_calendar(self, slug: str) -> bytes:
        site = self.site
        committee = self.linked.archive.committees[slug]
        return self.build(
            self.linked.by_committee.get(slug, []), name=f"{committee.name} meetings",
            about=f"Meetings of the {committee.name} ({site.organisation}), with a link to their minutes.",
            page_url=urls.absolute(site.base_url, urls.committee(slug)),
            self_url=urls.absolute(site.base_url, urls.committee_calendar(slug)))


SITE_CALENDAR_YEARS = 2


def recent_from(meetings) -> datetime.date:
    """Where the site calendar starts: 1 January, two years before the newest meeting (from the
    content, never the clock, so the same content gives the same file)."""
    newest = max((m.date for m in meetings), default=datetime.date(1970, 1, 1))
    return datetime.date(newest.year - SITE_CALENDAR_YEARS, 1, 1)


def recent(meetings) -> list:
    start = recent_from(meetings)
    return [m for m in meetings if m.date >= start]


def one_line(text: str) -> str:
    return " ".join(text.split())


def site_calendar(linked, meeting_title) -> bytes:
    return Calendars(linked, meeting_title).site_calendar()


def committee_calendar(linked, slug: str, meeting_title) -> bytes:
    return Calendars(linked, meeting_title).committee_calendar(slug)
