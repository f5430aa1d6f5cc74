"""The history of the record on the site: each meeting page's history section, /changes/ and its feed.

The data comes from `history.py` (git); this module only words it and renders
it. Every date is a commit's date, never the clock's.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from markupsafe import escape

from . import feeds, urls
from .models import Change, History, Meeting
from .wording import long_date

CHANGES_SHOWN = 100  # on /changes/; the feed has feeds.FEED_ENTRIES

KIND_WORDS = {
    "draft": "Draft (not published)",
    "published": "First published",
    "amended": "Corrected before approval",
    "approved": "Approved as a correct record",
    "amended-after-approval": "Amended after approval",
    "renamed": "File renamed (the minutes did not change)",
}
FORGE_NAMES = {"github": "GitHub", "gitlab": "GitLab"}


def change_words(change: Change) -> str:
    if change.kind == "published":
        return f"First published ({'approved' if change.status == 'approved' else 'unconfirmed'} minutes)"
    return KIND_WORDS[change.kind]


def change_date(change: Change) -> datetime.date:
    """The day of a change, in UK time (a commit at 00:30 BST is on that day)."""
    return change.date.astimezone(feeds.LONDON).date()


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

    def recent(self, meetings: list[Meeting], limit: int) -> list[tuple[Meeting, ChangeView]]:
        """The newest changes across the published meetings, in the order git walked them."""
        every = [(change.order, meeting.date, meeting.committee, meeting, change)
                 for meeting in meetings for change in self.changes_of(meeting)]
        every.sort(key=lambda entry: entry[:3])
        return [(meeting, self.view(change)) for *_, meeting, change in every[:limit]]


def meeting_path(meeting: Meeting) -> str:
    """The meeting file's path in the content folder (the content contract fixes it)."""
    return f"meetings/{meeting.year}/{meeting.slug}.md"


def feed(pages: HistoryPages, site, entries, meeting_title) -> bytes:
    absolute = lambda url: urls.absolute(site.base_url, url)  # noqa: E731
    items = []
    for meeting, view in entries[:feeds.FEED_ENTRIES]:
        change = view.change
        html = f"<p>{escape(view.words)} on {escape(view.date)}: “{escape(change.subject)}”.</p>"
        if view.commit_url:
            html += f'<p><a href="{escape(view.commit_url)}">Commit {escape(view.short)}</a></p>'
        items.append({
            "id": absolute(urls.change(meeting, change.commit)),
            "title": f"{meeting_title(meeting)}: {view.words}" + (" (draft)" if meeting.status == "draft" else ""),
            "url": absolute(urls.change(meeting, change.commit)),
            "updated": change.date.astimezone(datetime.timezone.utc).isoformat(),
            "html": html,
        })
    return feeds.build_feed(feed_id=absolute(urls.changes_feed()), title=f"{site.title}: changes to the record",
                            self_url=absolute(urls.changes_feed()), alternate_url=absolute(urls.changes()),
                            author=site.organisation, language=site.language, entries=items, site=site)


def render(renderer) -> None:
    """/changes/ and /changes/feed.xml."""
    from .render import Crumb

    pages = renderer.history_pages
    entries = pages.recent(renderer.linked.meetings, CHANGES_SHOWN)
    renderer.page(urls.changes(), "changes.html", title="Changes to the record", entries=entries,
                  available=pages.history.available, shown=CHANGES_SHOWN,
                  breadcrumbs=[Crumb("Home", urls.home())],
                  description="The most recent changes to the published minutes: first publication, "
                              "corrections and amendments after approval",
                  feeds=[("Changes to the record", urls.changes_feed())])
    renderer.writer.add(urls.output_path(urls.changes_feed()), feed(pages, renderer.site, entries, renderer.meeting_title))
