"""The open data: the JSON files of /data/ (each meeting's own is made with its page:
meetings.py), their JSON Schemas, the data package, the bulk download and the /data/ page
(last: it gives every file's size)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import BinaryIO

from markupsafe import Markup

from .. import downloads, ical, urls
from ..cache import digest
from ..opendata import (
    BULK_MEMBERS,
    DATA_FILES,
    SCHEMA_DIR,
    SCHEMAS,
    bulk_zip,
    dumps,
    dumps_streamed,
    file_size,
    subscribe_links,
)
from ..renders import MeetingRows
from ..wording import long_date
from .base import File, Output, Page, PageContext, Streamed, home_crumb
from .site import Site


@dataclass(kw_only=True)
class DataContext(PageContext):
    committees: list  # (committee, its calendar's links)
    calendar_links: list[dict]
    issues: list[tuple[str, str]]
    listing: list[dict]
    columns: tuple
    meeting_count: int
    default_duration: str


SEARCHED = False  # none of its pages is indexed by the search


def outputs(site: Site) -> Iterator[Output]:
    """Every open-data output: JSON, the JSON Schemas, the data package, the bulk download and
    the /data/ page (last: it gives every file's size; the calendars and feeds it lists come before)."""
    renderer = site
    linked = renderer.linked
    data = renderer.open_data
    writer = renderer.writer

    def add(url: str, content) -> File:
        return File(url, content)

    # each meeting's JSON is made with its page (meetings.py)
    yield add(urls.data_file("committees.json"), lambda: dumps(data.committees()))
    yield from bulk_files(site)
    # the indicators (in the settings) and what each mention shows: as on each indicator's page
    yield Streamed(urls.data_file("indicators.json"), lambda into: dumps_streamed(data.indicators(), into),
                   renderer.inputs("indicators.json", [renderer.mention_inputs(code) for code in
                                                       sorted(linked.archive.indicators) + linked.undefined]))
    for name in sorted(set(SCHEMAS.values())):
        yield add(urls.data_schema(name), (SCHEMA_DIR / name).read_bytes)
    yield add(urls.datapackage(), lambda: downloads.datapackage(linked, renderer.indicators))

    # the bulk download: made again only when one of its files changed
    members = [path for path in writer.paths() if BULK_MEMBERS.match(path)]

    def bulk_zip_of(names: list[str], into: BinaryIO) -> None:
        previous = writer.previous_file(urls.output_path(urls.bulk_download()))
        try:
            bulk_zip(names, writer.open_written, previous, writer.same_as_before, into)
        finally:
            if previous is not None:
                previous.close()

    yield Streamed(urls.bulk_download(), lambda into: bulk_zip_of(members, into),
                   digest("bulk", [(path, writer.record(path).sha) for path in members]))
    yield data_page(site, [path for path in members if path.startswith("meetings/")])


def bulk_files(site: Site) -> Iterator[Streamed]:
    """meetings.json, decisions.json and issues.json: put together from each meeting's entries
    (made only for the meetings that changed) when one of those they list changed (their hashes,
    `MeetingRows.digest`), else kept; the entries are read only to put one together, and go
    when the three are made."""
    data, linked = site.open_data, site.linked
    digests = site.row_digests()
    in_order = sorted(linked.meetings, key=lambda m: (m.date, m.committee))
    rows: dict[str, MeetingRows] = {}

    def all_rows() -> dict[str, MeetingRows]:
        if not rows:
            rows.update(site.meeting_rows())
        return rows

    for name, assemble, listed in (
            ("meetings.json", data.meetings_index, [digests[m.slug] for m in in_order]),
            ("decisions.json", data.decisions, [(digests[m.slug], item.number) for m, item in linked.decisions]),
            ("issues.json", data.issues, [(slug, linked.issue_titles[slug],
                                           [(digests[m.slug], item.number) for m, item in entries])
                                          for slug, entries in sorted(linked.issues.items())])):
        yield Streamed(urls.data_file(name), partial(write_assembled, assemble, all_rows), site.inputs(name, listed))


def write_assembled(assemble, all_rows: Callable[[], dict[str, MeetingRows]], into: BinaryIO) -> None:
    """A bulk file put together from the meetings' entries, written into `into` as it is made."""
    dumps_streamed(assemble(all_rows()), into)


def data_page(renderer: Site, meeting_files: list[str]) -> Page:
    linked = renderer.linked
    data = renderer.open_data
    writer = renderer.writer
    site = linked.archive.site

    def size(url: str) -> str:
        return file_size(writer.record(urls.output_path(url)).size)

    listing = [  # (name, address, media type, size, what it holds, schema or None) for the table and the Dataset
        {"name": "open-data.zip", "url": urls.bulk_download(), "media_type": "application/zip",
         "size": size(urls.bulk_download()),
         "about": f"Everything below in one file: the {len(meeting_files)} meeting files, the other JSON files, the "
                  f"indicator CSV and JSON files, the data package and the JSON Schemas, in the folders of this site.",
         "schema": None},
    ]
    listing += [{"name": name, "url": urls.data_file(name), "media_type": "application/json",
                 "size": size(urls.data_file(name)), "about": about, "schema": urls.data_schema(SCHEMAS[name])}
                for name, about in DATA_FILES]
    listing.append({
        "name": "meeting.json", "url": None, "media_type": "application/json",
        "size": file_size(sum(writer.record(path).size for path in meeting_files))
                + f" in all ({len(meeting_files)} files)",
        "about": "One file per meeting, beside its page: /meetings/YEAR/DATE-COMMITTEE/meeting.json. An Open Civic "
                 "Data Event: id, name, start_date, end_date, all_day, status, location, participants "
                 "(the committee, chair, members and others in attendance), agenda (each item with its order, "
                 "description, notes holding the minutes and the decision, and its officers in "
                 "related_entities), documents with their media_type, the committee as an organization, and "
                 "the council's jurisdiction (or null). "
                 "What Open Civic Data has no field for (recommendations, contacts, indicators, the issue, "
                 "apologies, whether the minutes are approved) is under extras.",
        "schema": urls.data_schema(SCHEMAS["meeting.json"])})
    listing.append({"name": "indicators.csv", "url": urls.indicators_csv(), "media_type": "text/csv",
                    "size": size(urls.indicators_csv()),
                    "about": "Every value of every indicator, one row per indicator and period (columns below). "
                             "Each indicator's page has its own CSV and JSON.",
                    "schema": urls.datapackage()})
    listing.append({"name": "datapackage.json", "url": urls.datapackage(), "media_type": "application/json",
                    "size": size(urls.datapackage()),
                    "about": "A Frictionless Data Package describing every CSV file: its columns, their types and "
                             "allowed values, its encoding and the licence.",
                    "schema": None})
    listing.append({"name": "meetings.ics", "url": urls.calendar(), "media_type": "text/calendar",
                    "size": size(urls.calendar()),
                    "about": f"The meetings from {long_date(ical.recent_from(linked.meetings))} onwards (iCalendar). "
                             f"Each year has a calendar too, and each committee (below).",
                    "schema": None})

    calendar_links = []
    for label, url, name in ([("Every committee’s recent and coming meetings", urls.calendar(),
                               f"{site.organisation}: committee meetings")]
                             + [(f"Meetings in {year}", urls.year_calendar(year),
                                 f"{site.organisation}: meetings in {year}")
                                for year in sorted(linked.by_year, reverse=True)]):
        calendar_links.append(subscribe_links(site, label, url, name))
    committees = sorted(linked.archive.committees.values(), key=lambda c: c.name.lower())
    return Page(urls.data(), "data.html", lambda: DataContext(
        title="Open data, calendars and feeds",
        breadcrumbs=[home_crumb()],
        description=f"Follow {site.organisation} committees in your calendar or feed reader, "
                    f"and download the minutes as open data (JSON and CSV).",
        committees=[(c, subscribe_links(site, c.name, urls.committee_calendar(c.slug), f"{c.name} meetings"))
                    for c in committees],
        calendar_links=calendar_links,
        issues=sorted(linked.issue_titles.items(), key=lambda i: i[1].lower()), listing=listing,
        columns=downloads.COLUMN_DICTIONARY,
        meeting_count=len(linked.meetings), default_duration=ical.DEFAULT_DURATION_WORDS,
        structured_data=Markup(data.dataset_json_ld([d for d in listing if d["url"]])),
        feeds=[(f"{c.name}: new minutes", urls.committee_feed(c.slug)) for c in committees]))
