"""/changes/ and its feed, the pages left for withdrawn minutes (tombstones), the pages at the
old address of moved ones and Netlify's `_redirects`."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from .. import urls
from ..changes import CHANGES_SHOWN, feed, netlify_redirects
from ..models import Committee
from .base import Crumb, File, Output, Page, PageContext, home_crumb
from .site import Site


@dataclass(kw_only=True)
class ChangesContext(PageContext):
    entries: list
    available: bool
    shown: int


@dataclass(kw_only=True)
class WithdrawnContext(PageContext):
    tombstone: object
    committee: Committee | None
    withdrawal: object
    history: object
    meeting: None = None


@dataclass(kw_only=True)
class MovedContext(PageContext):
    new_url: str


# Its tombstones and moved minutes' pages are at meetings' addresses, which the search is given
# (urls.searchable); without a searchable body, Pagefind leaves them out of the index.
SEARCHED = True


def outputs(renderer: Site) -> Iterator[Output]:
    pages = renderer.history_pages
    tombstones = renderer.tombstones
    entries = pages.recent(renderer.linked.meetings, tombstones, renderer.meeting_title, CHANGES_SHOWN)
    yield Page(urls.changes(), "changes.html", lambda: ChangesContext(
        title="Changes to the record", entries=entries,
        available=pages.history.available, shown=CHANGES_SHOWN,
        breadcrumbs=[home_crumb()],
        description="The most recent changes to the published minutes: first publication, "
                    "corrections, amendments after approval and withdrawals",
        feeds=[("Changes to the record", urls.changes_feed())]))
    yield File(urls.changes_feed(), lambda: feed(pages, renderer.site, entries))
    for tombstone in tombstones:
        renderer.unlisted.add(tombstone.url)
        yield Page(tombstone.url, "withdrawn.html", partial(withdrawn_context, renderer, tombstone))
    redirects = pages.redirects(renderer.linked.meetings, tombstones)
    for old, new in redirects:
        renderer.unlisted.add(old)
        yield Page(old, "moved.html", partial(
            MovedContext, title="These minutes have moved", new_url=new, canonical=new, noindex=True))
    if redirects:
        yield File(urls.netlify_redirects(), lambda: netlify_redirects(redirects))


def withdrawn_context(renderer: Site, tombstone) -> WithdrawnContext:
    pages = renderer.history_pages
    committee = renderer.archive.committees.get(tombstone.committee)
    withdrawal = pages.view(tombstone.history.withdrawal)
    return WithdrawnContext(
        title=tombstone.title + " (withdrawn)", tombstone=tombstone,
        committee=committee, withdrawal=withdrawal, history=pages.tombstone_view(tombstone),
        meeting=None, noindex=True,
        description=f"The minutes of the {tombstone.title} meeting were withdrawn on {withdrawal.date}.",
        breadcrumbs=[home_crumb(), Crumb("Meetings", urls.meetings_index()),
                     Crumb(str(tombstone.date.year), urls.year(tombstone.date.year))])
