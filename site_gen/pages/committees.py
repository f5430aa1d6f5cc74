"""The committees index and each committee's page (its calendar and feed: calendars.py, feeds.py)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from markupsafe import Markup

from .. import opendata, urls
from ..models import Committee, Meeting
from .base import Crumb, Output, Page, PageContext, home_crumb
from .site import Site


@dataclass(kw_only=True)
class CommitteesIndexContext(PageContext):
    by_committee: dict[str, list[Meeting]]


@dataclass(kw_only=True)
class CommitteeContext(PageContext):
    committee: Committee
    meetings: list[Meeting]
    years: list[tuple[int, list[Meeting]]]
    description_html: Markup | None
    calendar: dict


SEARCHED = True  # it makes pages the search indexes (urls.searchable)


def outputs(site: Site) -> Iterator[Output]:
    home = home_crumb()
    by_committee = site.linked.by_committee
    yield Page(urls.committees(), "committees_index.html", lambda: CommitteesIndexContext(
        title="Committees", breadcrumbs=[home], by_committee=by_committee),
        site.inputs("committees", [(slug, len(meetings), meetings[0].date) for slug, meetings in by_committee.items()
                                   if meetings]))
    for slug in sorted(site.archive.committees):
        yield Page(urls.committee(slug), "committee.html", partial(committee_context, site, slug),
                   site.committee_inputs(slug), site.inputs("committee search", slug))


def committee_context(site: Site, slug: str) -> CommitteeContext:
    committee = site.archive.committees[slug]
    meetings = site.linked.by_committee.get(slug, [])
    years: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        years[meeting.year].append(meeting)
    description = site.linked.descriptions.get(("committee", slug))
    return CommitteeContext(
        title=committee.name, committee=committee, meetings=meetings, years=list(years.items()),
        description_html=Markup(description) if description else None,
        breadcrumbs=[home_crumb(), Crumb("Committees", urls.committees())],
        search_kind="Committee", search_filters={"committee": committee.name},
        structured_data=Markup(site.open_data.committee_json_ld(slug)),
        calendar=opendata.subscribe_links(site.site, committee.name, urls.committee_calendar(slug),
                                          f"{committee.name} meetings"),
        feeds=[(f"{committee.name}: new minutes", urls.committee_feed(slug))])
