"""The home page, the search page, the accessibility statement and the 404 page."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from markupsafe import Markup

from .. import urls
from ..models import Meeting
from .base import Output, Page, PageContext, home_crumb
from .site import Site

HOME_MEETINGS = 10


@dataclass(kw_only=True)
class HomeContext(PageContext):
    latest: list
    indicators: list
    undefined: list


@dataclass(kw_only=True)
class SearchContext(PageContext):
    merge_index: list[str]
    filters: list[tuple[str, str, list[str]]]


def listed(meeting: Meeting) -> tuple:
    """What a list of meetings shows of one (macros.html's meeting_list): not its minutes."""
    return meeting.slug, meeting.committee, meeting.date, meeting.status, len(meeting.items), meeting.note


SEARCHED = False  # none of its pages is indexed by the search


def outputs(site: Site) -> Iterator[Output]:
    linked, archive = site.linked, site.archive
    meetings = list(reversed(linked.meetings))[:HOME_MEETINGS]
    years = sorted(linked.by_year)
    # these pages show the settings (in every page's inputs) and what is named here
    yield Page(urls.home(), "home.html", lambda: HomeContext(
        title=site.site.title, latest=meetings, indicators=site.indicators, undefined=linked.undefined,
        feeds=[("New minutes", urls.feed())], structured_data=Markup(site.open_data.website_json_ld())),
        site.inputs("home", [listed(m) for m in meetings], bool(linked.undefined), years))

    home = home_crumb()
    kinds = [kind for kind, present in (("Meeting", linked.meetings), ("Issue history", linked.issues),
                                       ("Indicator", archive.indicators or linked.undefined),
                                       ("Committee", True), ("Portfolio", archive.portfolios)) if present]
    # the filters a search offers, as search_filters and search_kind set them on each page
    filters = [("committee", "Committee", sorted({c.name for c in archive.committees.values()}, key=str.lower)),
               ("year", "Year", [str(year) for year in sorted(linked.by_year, reverse=True)]),
               ("kind", "Kind of page", kinds)]
    yield Page(urls.search(), "search.html", lambda: SearchContext(
        title="Search the minutes", breadcrumbs=[home], merge_index=site.merged_search_bundles, filters=filters),
        site.inputs("search", filters, site.merged_search_bundles, years))
    yield Page(urls.accessibility(), "accessibility.html",
               lambda: PageContext(title="Accessibility statement", breadcrumbs=[home]), site.inputs("accessibility"))
    yield Page(urls.not_found(), "404.html", lambda: PageContext(title="Page not found"), site.inputs("not found"))
