"""The meetings index (/meetings/) and each year's page of meetings."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from .. import urls
from ..models import Meeting
from .base import Crumb, Output, Page, PageContext, home_crumb
from .site import Site


@dataclass(kw_only=True)
class MeetingsIndexContext(PageContext):
    by_year: dict[int, list[Meeting]]


@dataclass(kw_only=True)
class YearContext(PageContext):
    year: int
    months: list[tuple[str, list[Meeting]]]
    count: int


SEARCHED = False  # none of its pages is indexed by the search


def outputs(site: Site) -> Iterator[Output]:
    linked = site.linked
    home = home_crumb()
    meetings_crumb = Crumb("Meetings", urls.meetings_index())
    yield Page(urls.meetings_index(), "meetings_index.html", lambda: MeetingsIndexContext(
        title="Meetings by year", breadcrumbs=[home], by_year=linked.by_year),
        site.inputs("meetings index", [(year, len(meetings)) for year, meetings in linked.by_year.items()]))
    for year, meetings in linked.by_year.items():
        inputs = site.inputs("year", year, sorted(linked.by_year), [linked.fingerprints[m.slug] for m in meetings])
        yield Page(urls.year(year), "year.html", partial(year_context, year, meetings, [home, meetings_crumb]), inputs)


def year_context(year: int, meetings: list[Meeting], breadcrumbs: list[Crumb]) -> YearContext:
    months: dict[str, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        months[f"{meeting.date:%B %Y}"].append(meeting)
    return YearContext(title=f"Meetings in {year}", year=year, months=list(months.items()), count=len(meetings),
                       breadcrumbs=breadcrumbs)
