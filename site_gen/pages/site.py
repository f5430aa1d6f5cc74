"""What every page kind reads: the linked archive, its history, the open data and calendars made
from it, and the digests of what each kind of page is made from (`inputs`)."""
from __future__ import annotations

import operator

from .. import changes, feeds, ical, opendata, urls
from ..cache import BuildCache, digest
from ..linking import FIRST, SECOND, SLUG, Linked
from ..models import History, Meeting
from ..renders import MeetingRows
from ..wording import long_date, natural_key

NUMBER = operator.attrgetter("number")


def brief(meeting: Meeting | None) -> tuple | None:
    """What a page shows of another meeting it links to (the pager, an approval): its date,
    committee and whether it is a draft; for the incremental build's inputs."""
    return (meeting.slug, meeting.status) if meeting else None


class Site:
    def __init__(self, linked: Linked, writer, shards: list | None = None, history: History | None = None,
                 cache: BuildCache | None = None):
        self.linked = linked
        self.writer = writer  # read by the outputs made of other outputs (the bulk download, /data/, the sitemap)
        self.cache = cache or BuildCache.disabled()
        self._mention_inputs: dict[str, str] = {}
        self._committee_inputs: dict[str, str] = {}
        self._items_inputs: dict[tuple, str] = {}
        self._row_meetings: dict[str, Meeting] | None = None  # by the key of its bulk entries
        self.merged_search_bundles = [urls.search_bundle(shard.name) for shard in (shards or [])[:-1]]
        self.archive = linked.archive
        self.site = linked.archive.site
        self.indicators = sorted(self.archive.indicators.values(), key=lambda i: natural_key(i.code))
        self.history_pages = changes.HistoryPages(self.site, history)  # the history of the record, from git
        self.open_data = opendata.OpenData(linked, self.meeting_title, self.last_changed)
        # calendar events made by this build, by their inputs (the cache's "events" stage: workers report theirs)
        self.events = self.cache.current.events
        self.calendars = ical.Calendars(linked, self.meeting_title, self.cache, key=self.event_inputs,
                                        stamps=self.history_pages.stamps)
        self.tombstones = self.history_pages.tombstones(self.archive)  # withdrawn minutes that keep a page
        self.unlisted: set[str] = set()  # pages left out of the sitemap: tombstones, moved minutes' old addresses
        found = self.history_pages.history
        self.feed_dates = feeds.Dates(self.history_pages.stamps, found.latest if found.available else None,
                                      self.tombstones, linked.meetings)

    def release(self) -> None:
        """Forget everything (the renderer's `release`): the helpers made here refer back to the
        site, a cycle that would keep the linked archive until the cycle collector runs."""
        vars(self).clear()

    def row_digests(self) -> dict[str, str]:
        """Each published meeting's `MeetingRows.digest`, by its slug: what the bulk files are made
        from, read from the cache without the entries themselves (the "row_digests" stage) and
        worked out with them for the meetings whose file, settings or last change differ from the
        last build's. The entries neither made nor read are kept for the next build."""
        meetings = self._row_keys()
        digests = self.cache.memo_many("row_digests", list(meetings), lambda missing: {
            key: (rows.digest, []) for key, rows in self._rows(missing).items()})
        self.cache.carry("rows", list(meetings))
        return {meeting.slug: digests[key] for key, meeting in meetings.items()}

    def meeting_rows(self) -> dict[str, MeetingRows]:
        """Each published meeting's entries in the bulk open-data files, by its slug, to put those
        files together: made for the meetings whose entries changed (the cache's "rows" stage), read
        back for the others, and not kept by the cache's state (the caller lets go of them once the
        bulk files are made)."""
        meetings, made = self._row_keys(), self.cache.current.rows  # made: this build's, for their digests
        rows = self._rows([key for key in meetings if key not in made])
        return {meeting.slug: rows[key] if key in rows else made[key] for key, meeting in meetings.items()}

    def _row_keys(self) -> dict[str, Meeting]:
        """The key of each published meeting's entries: its file, the settings and its last change."""
        if self._row_meetings is None:
            fingerprints, last_modified = self.linked.fingerprints, self.open_data.last_modified
            self._row_meetings = {self.inputs("rows", fingerprints[m.slug], last_modified(m)): m
                                  for m in self.linked.meetings}
        return self._row_meetings

    def _rows(self, keys: list[str]) -> dict[str, MeetingRows]:
        meetings = self._row_keys()
        return self.cache.memo_many("rows", keys, lambda missing: {
            key: (self.open_data.meeting_rows(meetings[key]), []) for key in missing}, hold=False)

    def meeting_title(self, meeting: Meeting) -> str:
        return f"{self.archive.committees[meeting.committee].name}, {long_date(meeting.date)}"

    def last_changed(self, meeting: Meeting):
        """When git last changed the meeting's published file, or None without a history."""
        found = self.history_pages.history.of(changes.meeting_path(meeting))
        last = found.last_changed if found else None
        return last.date if last else None

    # -- what outputs are made from ---------------------------------------------

    def inputs(self, *parts) -> str:
        """The digest of what a page is made from: these parts, the settings (site, committees,
        portfolios, indicators) and the generator's code and templates (the cache's own key)."""
        return digest(self.linked.settings_key, parts)

    def meeting_inputs(self, meeting: Meeting) -> str:
        """What a meeting's page, data and event depend on besides the meeting itself: its
        neighbours, the meeting that approved it, its items' issues' names and its history."""
        linked = self.linked
        return self.inputs("meeting", linked.fingerprints[meeting.slug], brief(linked.previous.get(meeting.slug)),
                           brief(linked.next.get(meeting.slug)), brief(linked.approved_by.get(meeting.slug)),
                           [linked.issue_titles[item.issue] for item in meeting.items if item.issue],
                           self.history_pages.meeting_key(meeting))

    def event_inputs(self, meeting: Meeting) -> str:
        """What a meeting's calendar event is made from: the meeting and its dates in the history."""
        return self.inputs("event", self.linked.fingerprints[meeting.slug], self.history_pages.stamp_key(meeting))

    def items_inputs(self, kind: str, key, entries) -> str:
        """For a page made of items from many meetings (the same `kind` and `key`, the same items:
        an issue's page and its feed)."""
        if (kind, key) not in self._items_inputs:  # in C: thousands of items, on hundreds of pages
            meetings, items = map(FIRST, entries), map(SECOND, entries)
            self._items_inputs[(kind, key)] = self.inputs(kind, key, list(zip(
                map(self.linked.fingerprints.__getitem__, map(SLUG, meetings)), map(NUMBER, items), strict=True)))
        return self._items_inputs[(kind, key)]

    def committee_inputs(self, slug: str) -> str:
        """For a committee's page, calendar and feed (whose dates come from the history, and which
        lists the committee's withdrawn minutes)."""
        if slug not in self._committee_inputs:  # asked for by the page, the calendar and the feed
            meetings = self.linked.by_committee.get(slug, [])
            self._committee_inputs[slug] = self.inputs(
                "committee", slug, list(map(self.linked.fingerprints.__getitem__, map(SLUG, meetings))),
                self.history_inputs(meetings, [t for t in self.tombstones if t.committee == slug]))
        return self._committee_inputs[slug]

    def history_inputs(self, meetings, tombstones=()) -> tuple:
        """What a feed or calendar takes from the history: each meeting's dates and number of changes,
        the withdrawn minutes it lists, and (for a feed without entries) the archive's latest change."""
        return (self.history_pages.stamp_keys(meetings),
                [(t.url, changes.history_key(t.history)) for t in tombstones],
                None if meetings or tombstones else self.feed_dates.empty)

    def mention_inputs(self, code: str) -> str:
        """An indicator page's inputs: the indicator (in the settings) and the items that mention it."""
        if code not in self._mention_inputs:  # asked for by the page, its CSV, JSON and feed
            self._mention_inputs[code] = self._inputs_of_mentions(code)
        return self._mention_inputs[code]

    def _inputs_of_mentions(self, code: str) -> str:
        # what a mention shows (page, JSON, feed), not the whole meeting: editing other parts of
        # a meeting that mentions it leaves an indicator's page as it was (linking.mention_keys)
        return self.inputs("indicator", code, self.linked.mentions.keys_of(code))
