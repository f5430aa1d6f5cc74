"""sitemap.xml (sitemaps.org 0.9) and robots.txt.

The sitemap lists every HTML page the build renders and nothing else: not
404.html (an error page, not a page to index), not the pages left at the address
of withdrawn or moved minutes, not feeds, calendars, JSON or documents. It is made
from the rendered files themselves, so a page added later is listed without
touching this module.

`lastmod` comes from the history of the record (git) and the content, never from
the clock:
- a meeting page: the day (UK time) of its latest public change in the history;
  without that history, the meeting's date, or the date its minutes were approved
  when that is later (approving them changes the page);
- a page that lists meetings (home, meetings index, a year, committees index, a
  committee, issues index, an issue, a page of the decisions register): the newest
  `lastmod` among the meetings it lists;
- every other page (indicators, portfolios, search, accessibility, open data):
  no `lastmod`, since the content does not say when it last changed.
"""
from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

from . import urls
from .feeds import LONDON
from .linking import FIRST, SLUG
from .opendata import OpenData

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
NOT_LISTED = {urls.output_path(urls.not_found())}


def page_url(path: str, unlisted: frozenset = frozenset()) -> str | None:
    """The URL of an output file when it is a page the sitemap lists, else None."""
    if not path.endswith(".html") or path in NOT_LISTED or path in unlisted:
        return None
    if path == "index.html" or path.endswith("/index.html"):
        return "/" + path[: -len("index.html")]
    return "/" + path


def lastmods(linked, stamps=None) -> dict[str, datetime.date]:
    """URL -> the date its content last changed, for the pages where the content says.
    `stamps(meeting)`: its (first published, last changed, changes) in the history, or None."""
    result: dict[str, datetime.date] = {}
    known: dict[str, datetime.date] = {}

    def lastmod(meeting) -> datetime.date:
        if meeting.slug not in known:
            found = stamps(meeting) if stamps else None
            known[meeting.slug] = found[1].astimezone(LONDON).date() if found else OpenData.lastmod(meeting)
        return known[meeting.slug]

    def newest(meetings) -> datetime.date | None:
        meetings = meetings if isinstance(meetings, list) else list(meetings)
        try:  # in C: every page listing meetings, at every build
            return max(map(known.__getitem__, map(SLUG, meetings)), default=None)
        except KeyError:  # a meeting not worked out yet
            return max((lastmod(m) for m in meetings), default=None)

    def put(url: str, date: datetime.date | None) -> None:
        if date is not None:
            result[url] = date

    for meeting in linked.meetings:
        put(urls.meeting(meeting), lastmod(meeting))
    for year, meetings in linked.by_year.items():
        put(urls.year(year), newest(meetings))
    for slug, meetings in linked.by_committee.items():
        put(urls.committee(slug), newest(meetings))
    for slug, entries in linked.issues.items():
        put(urls.issue(slug), newest(map(FIRST, entries)))
    everything = newest(linked.meetings)
    for url in (urls.home(), urls.meetings_index(), urls.committees()):
        put(url, everything)
    put(urls.issues(), newest(m for entries in linked.issues.values() for m, _ in entries))
    for number, page in enumerate(urls.decision_pages(linked.decisions), start=1):
        put(urls.decisions(number), newest(map(FIRST, page)))
    return result


def sitemap_entries(paths, dates: dict[str, datetime.date], unlisted: frozenset = frozenset()
                    ) -> list[tuple[str, str | None]]:
    """The sitemap's entries, in order: each listed page's URL and its lastmod, when known."""
    listed = sorted(u for u in (page_url(p, unlisted) for p in paths) if u is not None)
    return [(url, dates[url].isoformat() if url in dates else None) for url in listed]


def build_sitemap(entries: list[tuple[str, str | None]], base_url: str) -> bytes:
    ET.register_namespace("", SITEMAP)
    urlset = ET.Element(f"{{{SITEMAP}}}urlset")
    for url, lastmod in entries:
        entry = ET.SubElement(urlset, f"{{{SITEMAP}}}url")
        ET.SubElement(entry, f"{{{SITEMAP}}}loc").text = urls.absolute(base_url, url)
        if lastmod is not None:
            ET.SubElement(entry, f"{{{SITEMAP}}}lastmod").text = lastmod
    ET.indent(urlset)
    return (b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(urlset, encoding="utf-8", xml_declaration=False)
            + b"\n")


def build_robots(base_url: str, preview: bool) -> bytes:
    """Everything may be crawled, except a preview build that includes draft minutes."""
    lines = ["# Council minutes archive", "User-agent: *"]
    if preview:
        lines += ["# This build includes draft minutes: a preview, not to be indexed.", "Disallow: /"]
    else:
        lines.append("Disallow:")
    lines += ["", f"Sitemap: {urls.absolute(base_url, urls.sitemap())}", ""]
    return "\n".join(lines).encode("utf-8")
