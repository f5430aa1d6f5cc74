"""The Atom feeds of new minutes: the site's, each committee's and each issue's (an indicator's
feed of mentions is with its downloads: indicators.py; the changes to the record: changes.py)."""
from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from .. import feeds, urls
from .base import File, Output
from .site import FIRST, Site

SEARCHED = False  # none of its pages is indexed by the search


def outputs(site: Site) -> Iterator[Output]:
    linked = site.linked
    # the site's feed: the most recently changed meetings, as their entries show them, and the withdrawn
    latest = feeds.latest(list(reversed(linked.meetings)), site.feed_dates)
    yield File(urls.feed(), lambda: feeds.site_feed(linked, site.meeting_title, site.feed_dates, latest),
               site.inputs("site feed", [(linked.fingerprints[m.slug], site.feed_dates.of(m)) for m in latest],
                           site.history_inputs(latest, site.tombstones)))
    for slug in sorted(linked.archive.committees):
        yield File(urls.committee_feed(slug),
                   partial(feeds.committee_feed, linked, slug, site.meeting_title, site.feed_dates),
                   site.committee_inputs(slug))
    for slug, title in linked.issue_titles.items():
        entries = linked.issues[slug]
        inputs = site.inputs("issue feed", site.items_inputs("issue", slug, entries),
                             site.history_inputs(list(map(FIRST, entries))))
        yield File(urls.issue_feed(slug),
                   partial(feeds.issue_feed, linked, slug, title, site.meeting_title, site.feed_dates), inputs)
