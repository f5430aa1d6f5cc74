"""The iCalendar files: the site's recent and coming meetings, each year's and each committee's,
made of the meetings' events (made with each meeting's page: meetings.py)."""
from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from .. import urls
from .base import File, Output
from .site import Site

SEARCHED = False  # none of its pages is indexed by the search


def outputs(site: Site) -> Iterator[Output]:
    linked = site.linked
    calendars = site.calendars
    if calendars.key is not None:  # every event, made by this build or not, is kept for the next
        site.cache.carry("events", [calendars.key(m) for meetings in linked.by_year.values() for m in meetings])
    yield File(urls.calendar(), calendars.site_calendar)
    for year, meetings in sorted(linked.by_year.items()):
        # each event carries its meeting's dates from the history (DTSTAMP, LAST-MODIFIED, SEQUENCE)
        inputs = site.inputs("year calendar", year, [(linked.fingerprints[m.slug], site.history_pages.stamp_key(m))
                                                     for m in meetings])
        yield File(urls.year_calendar(year), partial(calendars.year_calendar, year), inputs)
    for slug in sorted(linked.archive.committees):
        yield File(urls.committee_calendar(slug), partial(calendars.committee_calendar, slug),
                   site.committee_inputs(slug))
