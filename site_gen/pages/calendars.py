"""The iCalendar files: the site's recent and coming meetings, each year's and each committee's,
made of the meetings' events (made with each meeting's page: meetings.py)."""
from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from .. import ical, urls
from .base import File, Output
from .site import Site

SEARCHED = False  # none of its pages is indexed by the search


def outputs(site: Site) -> Iterator[Output]:
    linked = site.linked
    calendars = site.calendars
    events = {id(meeting): site.event_inputs(meeting) for meeting in linked.meetings}
    site.cache.carry("events", list(events.values()))  # every event, made by this build or not, is kept
    recent = ical.recent(linked.meetings)
    yield File(urls.calendar(), partial(calendars.site_calendar, recent),
               site.inputs("site calendar", [events[id(m)] for m in recent]))
    for year, meetings in sorted(linked.by_year.items()):
        # each event carries its meeting's dates from the history (DTSTAMP, LAST-MODIFIED, SEQUENCE)
        yield File(urls.year_calendar(year), partial(calendars.year_calendar, year),
                   site.inputs("year calendar", year, [events[id(m)] for m in meetings]))
    for slug in sorted(linked.archive.committees):
        yield File(urls.committee_calendar(slug), partial(calendars.committee_calendar, slug),
                   site.committee_inputs(slug))
