"""Atom feeds (RFC 4287), built with ElementTree so that escaping is never by hand."""
from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

from . import urls

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
    element.text = text
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


def site_feed(linked, meeting_title) -> bytes:
    site = linked.archive.site
    meetings = list(reversed(linked.meetings))[:FEED_ENTRIES]
    absolute = lambda url: urls.absolute(site.base_url, url)  # noqa: E731
    entries = [{
        "id": absolute(urls.meeting(m)),
        "title": meeting_title(m) + (" (draft)" if m.status == "draft" else ""),
        "url": absolute(urls.meeting(m)),
        "updated": timestamp(m.date, m.time),
        "html": meeting_entry_html(linked, m),
    } for m in meetings]
    return build_feed(feed_id=absolute(urls.feed()), title=f"{site.title}: new minutes", self_url=absolute(urls.feed()),
                      alternate_url=absolute(urls.home()), author=site.organisation, language=site.language,
                      entries=entries)
