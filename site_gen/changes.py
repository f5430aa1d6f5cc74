"""The history of the record on the site: each meeting page's history section, /changes/ and its
feed, the pages left at the address of withdrawn minutes (tombstones) and of moved ones (redirects).

The data comes from `history.py` (git); this module only words it and renders
it. Every date is a commit's date, never the clock's.

Withdrawn minutes (a published meeting file deleted) keep a page at their address
saying when and why, with their history; they are listed in /changes/ and the
feeds, and left out of search, listings, calendars and the sitemap. Moved minutes
(a file renamed to another date or committee) leave a page at the old address that
points at the new one (and a `_redirects` rule, for Netlify, that sends readers
there with a 301); a redirect is made only to a page this build publishes, and
never over a page.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from markupsafe import escape

from . import feeds, urls
from .models import Change, History, Meeting, MeetingHistory
from .wording import long_date

CHANGES_SHOWN = 100  # on /changes/; the feed has feeds.FEED_ENTRIES

KIND_WORDS = {
    "draft": "Draft (not published)",
    "published": "First published",
    "amended": "Corrected before approval",
    "approved": "Approved as a correct record",
    "amended-after-approval": "Amended after approval",
    "renamed": "File renamed (the minutes did not change)",
    "withdrawn": "Withdrawn",
}
PUBLISHED_AS = {"approved": "approved minutes", "agenda": "the agenda", "cancelled": "cancelled meeting",
                "postponed": "postponed meeting"}
FORGE_NAMES = {"github": "GitHub", "gitlab": "GitLab"}


def change_words(change: Change) -> str:
    if change.kind == "published":
        return f"First published ({PUBLISHED_AS.get(change.status, 'unconfirmed minutes')})"
    return KIND_WORDS[change.kind]


def change_date(change: Change) -> datetime.date:
    """The day of a change, in UK time (a commit at 00:30 BST is on that day)."""
    return change.date.astimezone(feeds.LONDON).date()


def change_key(change: Change) -> tuple:
    """A change as plain data, for the incremental build's inputs: all but its place in the log
    (`order`), which every new commit shifts and no page shows."""
    return (change.commit, change.date.isoformat(), change.subject, change.path, change.kind, change.status,
            change.moved_from)


def history_key(history: MeetingHistory) -> tuple:
    return history.path, tuple(change_key(change) for change in history.changes)


@dataclass(frozen=True)
class ChangeView:
    change: Change
    words: str
    date: str  # "27 January 2021"
    anchor: str
    commit_url: str | None  # on the forge, when site.yml gives repository_url

    @property
    def short(self) -> str:
        return self.change.commit[:7]

    @property
    def moved_from(self) -> str | None:
        """The address the minutes had before this change moved them (None: not moved, or the same address)."""
        before = self.change.moved_from
        if before is None or urls.meeting_file(before) == urls.meeting_file(self.change.path):
            return None
        return urls.meeting_file(before)


@dataclass(frozen=True)
class Tombstone:
    """The page left at the address of withdrawn minutes."""

    path: str  # the meeting file's path when it was deleted
    url: str
    date: datetime.date
    committee: str  # its committee's slug (the committee may be gone too)
    committee_name: str
    history: MeetingHistory

    @property
    def slug(self) -> str:
        return self.url.rstrip("/").rsplit("/", 1)[-1]

    @property
    def title(self) -> str:
        return f"{self.committee_name}, {long_date(self.date)}"


@dataclass(frozen=True)
class Entry:
    """One change in /changes/ and its feed."""

    title: str  # the meeting's
    url: str  # of the change on the meeting's page (or its tombstone)
    view: ChangeView
    draft: bool  # the meeting is a draft (a preview build)
    committee: str
    date: datetime.date


@dataclass(frozen=True)
class MeetingHistoryView:
    """What a meeting page's "History of these minutes" section shows."""

    available: bool
    changes: tuple[ChangeView, ...]  # newest first
    first_published: str | None
    last_changed: str | None
    amended_after_approval: int  # how many changes were made after the minutes were approved
    edit_url: str | None  # "Suggest a correction"
    forge_name: str


class HistoryPages:
    def __init__(self, site, history: History | None):
        self.site = site
        self.history = history if history is not None else History(False, notice="no history was read")
        # asked for by every feed, calendar and sitemap entry of a meeting: worked out once a build
        self._stamps: dict[tuple[str, str], tuple | None] = {}
        # by the meeting's id (a draft and the published minutes of one committee and day share a slug)
        self._stamp_keys: dict[int, str] = {}

    def tombstones(self, archive) -> list[Tombstone]:
        """The withdrawn minutes that keep a page: not those whose file is back (any status)."""
        present = {urls.meeting(m) for m in archive.meetings}
        found: list[Tombstone] = []
        for path, history in sorted(self.history.withdrawn.items()) if self.history.available else ():
            url = urls.meeting_file(path)
            if url in present or url in {t.url for t in found}:
                continue
            name = path.rsplit("/", 1)[-1][: -len(".md")]
            date, committee = datetime.date.fromisoformat(name[:10]), name[11:]
            known = archive.committees.get(committee)
            found.append(Tombstone(path, url, date, committee, known.name if known else
                                   committee.replace("-", " ").capitalize(), history))
        return found

    def redirects(self, published: list[Meeting], tombstones: list[Tombstone]) -> list[tuple[str, str]]:
        """(old address, new address) of every moved meeting, sorted: only to a page this build
        publishes, never from the address of a page (a meeting's, even unpublished, or a tombstone)."""
        if not self.history.available:
            return []
        targets = {urls.meeting(m) for m in published} | {t.url for t in tombstones}
        pages = targets | {urls.meeting_file(t.path) for t in tombstones}
        found: dict[str, str] = {}
        for old, new in self.history.moved.items():
            before, after = urls.meeting_file(old), urls.meeting_file(new)
            if before != after and before not in pages and after in targets:
                found.setdefault(before, after)
        return sorted(found.items())

    def view(self, change: Change) -> ChangeView:
        repository = self.site.repository_url
        return ChangeView(change, change_words(change), long_date(change_date(change)),
                          urls.change_anchor(change.commit),
                          urls.forge_commit(repository, change.commit) if repository else None)

    def edit_url(self, meeting: Meeting) -> str | None:
        if not self.site.repository_url or self.history.prefix is None:
            return None
        return urls.forge_edit(self.site.repository_url, self.site.repository_branch,
                               self.history.prefix + meeting_path(meeting))

    def changes_of(self, meeting: Meeting) -> tuple[Change, ...]:
        """A published meeting's changes to the public record; a draft's (in a preview) all of them."""
        found = self.history.of(meeting_path(meeting))
        if found is None:
            return ()
        return found.changes if meeting.status == "draft" else found.published_changes

    def meeting_view(self, meeting: Meeting) -> MeetingHistoryView:
        found = self.history.of(meeting_path(meeting))
        changes = self.changes_of(meeting)
        first = found.first_published if found else None
        last = found.last_changed if found else None
        return MeetingHistoryView(
            available=self.history.available,
            changes=tuple(self.view(c) for c in changes),
            first_published=long_date(change_date(first)) if first else None,
            last_changed=long_date(change_date(last)) if last else None,
            amended_after_approval=len(found.amendments_after_approval) if found else 0,
            edit_url=self.edit_url(meeting),
            forge_name=FORGE_NAMES[urls.forge(self.site.repository_url)] if self.site.repository_url else "",
        )

    def meeting_key(self, meeting: Meeting) -> tuple:
        """What `meeting_view` shows, as plain data, without making the view (it is asked for every
        meeting's inputs at each build): whether there is a history and where the content folder is
        in the repository, whether the meeting is a draft, and its changes. The rest of the view
        comes from the settings, which every page's inputs hold."""
        found = self.history.of(meeting_path(meeting))
        return (self.history.available, self.history.prefix, meeting.status == "draft",
                history_key(found) if found else None)

    def recent(self, meetings: list[Meeting], tombstones: list[Tombstone], meeting_title,
               limit: int) -> list[Entry]:
        """The newest changes across the published meetings and the withdrawn ones, in the order
        git walked them (within a commit, by meeting date and committee)."""
        every: list[tuple[int, datetime.date, str, int, Meeting | Tombstone, Change]] = [
                 (change.order, meeting.date, meeting.committee, 0, meeting, change)
                 for meeting in meetings for change in self.changes_of(meeting)]
        every += [(change.order, tombstone.date, tombstone.committee, 1, tombstone, change)
                  for tombstone in tombstones for change in tombstone.history.published_changes]
        every.sort(key=lambda entry: entry[:4])
        entries = []
        for *_, owner, change in every[:limit]:
            if isinstance(owner, Tombstone):
                entries.append(Entry(owner.title, f"{owner.url}#{urls.change_anchor(change.commit)}", self.view(change),
                                     False, owner.committee, owner.date))
            else:
                entries.append(Entry(meeting_title(owner), urls.change(owner, change.commit), self.view(change),
                                     owner.status == "draft", owner.committee, owner.date))
        return entries

    def tombstone_view(self, tombstone: Tombstone) -> MeetingHistoryView:
        found = tombstone.history
        first, last = found.first_published, found.last_changed
        return MeetingHistoryView(
            available=True, changes=tuple(self.view(c) for c in found.published_changes),
            first_published=long_date(change_date(first)) if first else None,
            last_changed=long_date(change_date(last)) if last else None,
            amended_after_approval=len(found.amendments_after_approval), edit_url=None,
            forge_name=FORGE_NAMES[urls.forge(self.site.repository_url)] if self.site.repository_url else "")

    def stamps(self, meeting: Meeting) -> tuple[datetime.datetime, datetime.datetime, int] | None:
        """(first published, last changed, changes since) of a published meeting, from the history;
        None when the history does not know it."""
        known = (meeting.slug, meeting.status)
        if known not in self._stamps:
            self._stamps[known] = self._find_stamps(meeting)
        return self._stamps[known]

    def stamp_key(self, meeting: Meeting) -> str:
        """`stamps` as a string, for the inputs of the pages that list many meetings (the repr of
        thousands of datetimes at every build cost more than the rest of those digests)."""
        key = self._stamp_keys.get(id(meeting))
        if key is None:
            stamps = self.stamps(meeting)
            key = "" if stamps is None else f"{stamps[0].isoformat()} {stamps[1].isoformat()} {stamps[2]}"
            self._stamp_keys[id(meeting)] = key
        return key

    def stamp_keys(self, meetings: list[Meeting]) -> list[str]:
        """`stamp_key` of each of `meetings`: looked up in C once each is known (hundreds of pages
        list thousands of meetings)."""
        try:
            return list(map(self._stamp_keys.__getitem__, map(id, meetings)))
        except KeyError:
            return list(map(self.stamp_key, meetings))

    def _find_stamps(self, meeting: Meeting) -> tuple[datetime.datetime, datetime.datetime, int] | None:
        found = self.history.of(meeting_path(meeting))
        if found is None:
            return None
        changes = self.changes_of(meeting)
        if not changes:
            return None
        first = found.first_published or changes[-1]
        return first.date, changes[0].date, len(changes) - 1


def meeting_path(meeting: Meeting) -> str:
    """The meeting file's path in the content folder (the content contract fixes it)."""
    return f"meetings/{meeting.year}/{meeting.slug}.md"


def feed(pages: HistoryPages, site, entries: list[Entry]) -> bytes:
    absolute = lambda url: urls.absolute(site.base_url, url)  # noqa: E731
    items = []
    for entry in entries[:feeds.FEED_ENTRIES]:
        view = entry.view
        change = view.change
        html = f"<p>{escape(view.words)} on {escape(view.date)}: “{escape(change.subject)}”.</p>"
        if view.moved_from:
            html += f"<p>Moved from {escape(absolute(view.moved_from))}.</p>"
        if view.commit_url:
            html += f'<p><a href="{escape(view.commit_url)}">Commit {escape(view.short)}</a></p>'
        items.append({
            "id": absolute(entry.url),
            "title": f"{entry.title}: {view.words}" + (" (draft)" if entry.draft else ""),
            "url": absolute(entry.url),
            "updated": feeds.rfc3339(change.date),
            "html": html,
        })
    return feeds.build_feed(feed_id=absolute(urls.changes_feed()), title=f"{site.title}: changes to the record",
                            self_url=absolute(urls.changes_feed()), alternate_url=absolute(urls.changes()),
                            author=site.organisation, language=site.language, entries=items, site=site,
                            empty_updated=feeds.rfc3339(pages.history.latest) if pages.history.latest else None)


def netlify_redirects(redirects: list[tuple[str, str]]) -> bytes:
    """Netlify's `_redirects`: each old address, and any file under it (the meeting's documents),
    sent permanently to the new one. Forced (`301!`): the page left at the old address for other
    hosts would otherwise be served instead."""
    lines = ["# Written by the build: minutes that moved keep their old address (a permanent redirect)."]
    for old, new in redirects:
        lines.append(f"{old} {new} 301!")
        lines.append(f"{old}* {new}:splat 301!")
    return ("\n".join(lines) + "\n").encode("utf-8")
