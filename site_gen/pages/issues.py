"""The issues index and each issue's page: every meeting that considered it (its feed: feeds.py)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from markupsafe import Markup

from .. import urls
from ..linking import MarkupStore
from .base import Crumb, Output, Page, PageContext, home_crumb
from .site import Site


@dataclass(kw_only=True)
class IssuesIndexContext(PageContext):
    issues: list  # (slug, title, [(meeting, item)])


@dataclass(kw_only=True)
class IssueContext(PageContext):
    slug: str
    entries: list
    item_html: MarkupStore  # (meeting slug, item number) -> its HTML
    description_html: Markup | None


SEARCHED = True  # it makes pages the search indexes (urls.searchable)


def outputs(site: Site) -> Iterator[Output]:
    linked = site.linked
    home = home_crumb()
    titled = linked.issue_titles
    yield Page(urls.issues(), "issues_index.html", lambda: IssuesIndexContext(
        title="Issues", breadcrumbs=[home],
        issues=[(slug, titled[slug], entries) for slug, entries in
                sorted(linked.issues.items(), key=lambda kv: titled[kv[0]].lower())]),
        site.inputs("issues index", [(slug, titled[slug], len(entries), entries[0][0].date if entries else None)
                                     for slug, entries in linked.issues.items()]))
    for slug, entries in linked.issues.items():
        yield Page(urls.issue(slug), "issue.html", partial(issue_context, site, slug, entries),
                   site.items_inputs("issue", slug, entries),
                   site.inputs("issue search", slug, titled[slug]))  # its timeline is not searched


def issue_context(site: Site, slug: str, entries: list) -> IssueContext:
    linked = site.linked
    titled = linked.issue_titles
    return IssueContext(
        title=titled[slug], slug=slug, entries=entries,
        item_html=linked.items, breadcrumbs=[home_crumb(), Crumb("Issues", urls.issues())],
        description_html=Markup(linked.descriptions[("issue", slug)])
        if ("issue", slug) in linked.descriptions else None,
        description=f"Every meeting that considered {titled[slug]}", search_kind="Issue history",
        feeds=[(f"{titled[slug]}: meetings and decisions", urls.issue_feed(slug))])
