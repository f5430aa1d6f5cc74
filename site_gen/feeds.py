"""Atom feeds (RFC 4287), built with ElementTree so that escaping is never by hand."""
from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

from . import urls
from .safetext import strip_controls
from .wording import report_of

ATOM = "http://www.w3.org/2005/Atom"
LONDON = ZoneInfo("Europe/London")
FEED_ENTRIES = 50


def timestamp(date: datetime.date, time: str | None = None) -> str:
    """RFC 3339 time of a meeting: its start in UK time when known, else midnight UK time."""
    hour, minute = (int(part) for part in time.split(":")) if time else (0, 0)
    moment = datetime.datetime(date.year, date.month, date.day, hour, minute, tzinfo=LONDON)
    return moment.isoformat()


def _text(parent: ET.Element, tag: str, text: str, **attrs) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    element.text = strip_controls(text)  # XML 1.0 cannot carry them (a commit subject may)
    return element


def build_feed(*, feed_id: str, title: str, self_url: str, alternate_url: str, author: str, language: str,
               entries: list[dict]) -> bytes:
    """entries: dicts with id, title, url, updated (RFC 3339) and html (the entry's content)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": language})
    _text(feed, "id", feed_id)
    _text(feed, "title", title)
    updated = max((e["updated"] for e in entries), default="1970-01-01T00:00:00+00:00")
    _text(feed, "updated", updated)
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "type": "application/atom+xml", "href": self_url})
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html", "href": alternate_url})
    author_element = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author_element, "name", author)
    for entry in entries:
        element = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(element, "id", entry["id"])
        _text(element, "title", entry["title"])
        _text(element, "updated", entry["updated"])
        ET.SubElement(element, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html", "href": entry["url"]})
        _text(element, "content", entry["html"], type="html")
    ET.indent(feed)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8", xml_declaration=False) + b"\n"


def meeting_entry_html(linked, meeting) -> str:
    """A short HTML summary of a meeting: its items and their decisions."""
    from markupsafe import escape
    parts = ["<ul>"]
    for item in meeting.items:
        html = linked.items[(meeting.slug, item.number)]
        line = f"<li><strong>{item.number}. {escape(item.title)}</strong>"
        if item.decision:
            line += f" – RESOLVED – {html.decision}" if html.decision_inline else f"<div>RESOLVED – {html.decision}</div>"
        parts.append(line + "</li>")
    parts.append("</ul>")
    return "".join(parts)


def meeting_entries(linked, meetings, meeting_title) -> list[dict]:
    """One feed entry per meeting: its items and decisions."""
    absolute = lambda url: urls.absolute(linked.archive.site.base_url, url)  # noqa: E731
    return [{
        "id": absolute(urls.meeting(m)),
        "title": meeting_title(m) + (" (draft)" if m.status == "draft" else ""),
        "url": absolute(urls.meeting(m)),
        "updated": timestamp(m.date, m.time),
        "html": meeting_entry_html(linked, m),
    } for m in meetings]


def site_feed(linked, meeting_title) -> bytes:
    site = linked.archive.site
    meetings = list(reversed(linked.meetings))[:FEED_ENTRIES]
    absolute = lambda url: urls.absolute(site.base_url, url)  # noqa: E731
    entries = meeting_entries(linked, meetings, meeting_title)
    return build_feed(feed_id=absolute(urls.feed()), title=f"{site.title}: new minutes", self_url=absolute(urls.feed()),
                      alternate_url=absolute(urls.home()), author=site.organisation, language=site.language,
                      entries=entries)


# -- per committee and per issue (issue 7) -------------------------------------

def item_entry_html(linked, meeting, item) -> str:
    """A short HTML summary of one agenda item: what it considered and its decision."""
    from markupsafe import escape

    html = linked.items[(meeting.slug, item.number)]
    parts = []
    if item.report_of:
        parts.append(f"<p>To consider a report of {escape(report_of(item.report_of))}.</p>")
    if html.decision:
        if html.decision_inline:
            parts.append(f"<p><strong>RESOLVED</strong> – {html.decision}</p>")
        else:
            parts.append(f"<p><strong>RESOLVED</strong> –</p>{html.decision}")
    else:
        parts.append("<p>No decision recorded.</p>")
    return "".join(parts)


def committee_feed(linked, slug: str, meeting_title) -> bytes:
    """New minutes of one committee: one entry per meeting, newest first, with its decisions."""
    site = linked.archive.site
    committee = linked.archive.committees[slug]
    absolute = lambda url: urls.absolute(site.base_url, url)  # noqa: E731
    meetings = linked.by_committee.get(slug, [])[:FEED_ENTRIES]
    entries = meeting_entries(linked, meetings, meeting_title)
    return build_feed(feed_id=absolute(urls.committee_feed(slug)), title=f"{committee.name}: new minutes",
                      self_url=absolute(urls.committee_feed(slug)), alternate_url=absolute(urls.committee(slug)),
                      author=site.organisation, language=site.language, entries=entries)


def issue_feed(linked, slug: str, title: str, meeting_title) -> bytes:
    """Every consideration of one issue: one entry per agenda item, newest first, with its decision."""
    site = linked.archive.site
    absolute = lambda url: urls.absolute(site.base_url, url)  # noqa: E731
    entries = [{
        "id": absolute(urls.item(m, item.number)),
        "title": f"{meeting_title(m)}: {item.number}. {item.title}" + (" (draft)" if m.status == "draft" else ""),
        "url": absolute(urls.item(m, item.number)),
        "updated": timestamp(m.date, m.time),
        "html": item_entry_html(linked, m, item),
    } for m, item in linked.issues.get(slug, [])[:FEED_ENTRIES]]
    return build_feed(feed_id=absolute(urls.issue_feed(slug)), title=f"{title}: meetings and decisions",
                      self_url=absolute(urls.issue_feed(slug)), alternate_url=absolute(urls.issue(slug)),
                      author=site.organisation, language=site.language, entries=entries)


# -- per indicator (issue 5) ---------------------------------------------------

def indicator_feed(linked, code: str, meeting_title) -> bytes:
    """The meetings that mention one indicator (defined or not): one entry per meeting, newest
    first, quoting each sentence that mentions it, linked to its item."""
    from markupsafe import escape
    site = linked.archive.site
    indicator = linked.archive.indicators.get(code)
    absolute = lambda url: urls.absolute(site.base_url, url)  # noqa: E731
    by_meeting: dict[str, list] = {}
    for mention in linked.mentions.get(code, []):  # newest first
        by_meeting.setdefault(mention.meeting.slug, []).append(mention)
    entries = []
    for refs in list(by_meeting.values())[:FEED_ENTRIES]:
        meeting = refs[0].meeting
        parts = []
        for ref in refs:
            where = urls.mention(meeting, ref.item)
            label = f"Item {ref.item.number}: {ref.item.title}" if ref.item else "Introduction"
            parts.append(f'<p><a href="{escape(absolute(where))}">{escape(label)}</a></p>'
                         f"<blockquote><p>{escape(ref.sentence)}</p></blockquote>")
        first = refs[0]  # mentions within a meeting are in the order of its items
        entries.append({
            "id": f"{absolute(urls.indicator(code))}#{meeting.slug}",
            "title": f"{code} in {meeting_title(meeting)}" + (" (draft)" if meeting.status == "draft" else ""),
            "url": absolute(urls.mention(meeting, first.item)),
            "updated": timestamp(meeting.date, meeting.time),
            "html": "".join(parts),
        })
    title = f"{code}: {indicator.title}" if indicator else f"{code} (not yet defined)"
    return build_feed(feed_id=absolute(urls.indicator_feed(code)), title=f"{title} – mentions in the minutes",
                      self_url=absolute(urls.indicator_feed(code)), alternate_url=absolute(urls.indicator(code)),
                      author=site.organisation, language=site.language, entries=entries)
