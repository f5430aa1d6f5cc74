"""Atom feeds (RFC 4287), built with ElementTree so that escaping is never by hand."""
from __future__ import annotations

import datetime
import functools
import operator
import re
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

from markupsafe import escape

from . import urls
from .safetext import strip_controls
from .wording import long_date, report_of

ATOM = "http://www.w3.org/2005/Atom"
LONDON = ZoneInfo("Europe/London")
FEED_ENTRIES = 50
# The date of an empty feed of an archive that has neither history nor meetings (a new archive
# built outside git): a fixed date, so that the same content gives the same bytes.
EMPTY_UPDATED = "2000-01-01T00:00:00+00:00"
DATE = operator.attrgetter("date")


def _instant(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


def timestamp(date: datetime.date, time: str | None = None) -> str:
    """RFC 3339 time of a meeting: its start in UK time when known, else midnight UK time."""
    hour, minute = (int(part) for part in time.split(":")) if time else (0, 0)
    moment = datetime.datetime(date.year, date.month, date.day, hour, minute, tzinfo=LONDON)
    return moment.isoformat()


def rfc3339(moment: datetime.datetime) -> str:
    """An instant (a commit's date) as an Atom date, in UTC."""
    return moment.astimezone(datetime.timezone.utc).isoformat()


def _text(parent: ET.Element, tag: str, text: str, **attrs) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    element.text = strip_controls(text)  # XML 1.0 cannot carry them (a commit subject may)
    return element


ROOT_RELATIVE = re.compile(r'(\s(?:href|src)=")(/(?!/)[^"]*)"')


def absolute_links(html: str, base_url: str) -> str:
    """Root-relative links of the site's own rendered HTML made absolute: a feed reader shows an
    entry away from the site (and many readers ignore xml:base). The HTML is ours (rendered
    Markdown and templates: attributes always double-quoted), so a pattern finds them."""
    return ROOT_RELATIVE.sub(lambda m: f'{m.group(1)}{escape(base_url.rstrip("/"))}{m.group(2)}"', html)


def rights(site) -> str | None:
    """The Atom `rights` of every feed: the site's licence."""
    if not site.licence:
        return None
    return (f"{site.organisation}. Published under the {site.licence}"
            + (f" ({site.licence_url})." if site.licence_url else "."))


def build_feed(*, feed_id: str, title: str, self_url: str, alternate_url: str, author: str, language: str,
               entries: list[dict], empty_updated: str | None = None, site=None) -> bytes:
    """entries: dicts with id, title, url, updated (RFC 3339), optionally published, and html (the
    entry's content). The feed is as new as its newest entry; an empty one is dated `empty_updated`
    (the archive's latest change). With `site`: its licence as `rights`, and links in the entries'
    HTML made absolute."""
    ET.register_namespace("", ATOM)
    attributes = {"{http://www.w3.org/XML/1998/namespace}lang": language}
    if site is not None:  # for readers that resolve what is still relative against xml:base
        attributes["{http://www.w3.org/XML/1998/namespace}base"] = site.base_url.rstrip("/") + "/"
    feed = ET.Element(f"{{{ATOM}}}feed", attributes)
    _text(feed, "id", feed_id)
    _text(feed, "title", title)
    if site is not None and rights(site):
        _text(feed, "rights", rights(site) or "")
    updated = max((e["updated"] for e in entries), key=_instant, default=None) or empty_updated or EMPTY_UPDATED
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
        if entry.get("published"):
            _text(element, "published", entry["published"])
        ET.SubElement(element, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html", "href": entry["url"]})
        _text(element, "content", absolute_links(entry["html"], site.base_url) if site is not None else entry["html"],
              type="html")
    ET.indent(feed)
    return (b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8", xml_declaration=False)
            + b"\n")


class Dates:
    """When each entry of a feed was first published and last changed, from the history of the
    record (a meeting amended or approved moves up); a meeting the history does not know (no git,
    not committed yet) is dated by its start, with no `published`."""

    def __init__(self, stamps=None, latest: datetime.datetime | None = None, tombstones=(), meetings=()):
        self.stamps = stamps or (lambda meeting: None)
        self.latest = latest
        self.tombstones = list(tombstones)
        self.meetings = meetings
        # by the meeting's id: every feed that may list a meeting sorts all of its meetings by date
        self.found: dict[int, tuple[str, str | None]] = {}

    def of(self, meeting) -> tuple[str, str | None]:
        """(updated, published) of a meeting's entry."""
        dates = self.found.get(id(meeting))
        if dates is None:
            found = self.stamps(meeting)
            if found is None:
                dates = timestamp(meeting.date, meeting.time), None
            else:
                first, last, _ = found
                dates = rfc3339(last), rfc3339(first)
            self.found[id(meeting)] = dates
        return dates

    @functools.cached_property
    def newest_meeting(self) -> str | None:
        # a meeting of a later day is later whatever its time: only the newest day's are compared
        newest_day = max(map(DATE, self.meetings), default=None)
        return max((timestamp(m.date, m.time) for m in self.meetings if m.date == newest_day), key=_instant,
                   default=None)

    @property
    def empty(self) -> str | None:
        """The date of a feed without entries: the archive's latest change (else its newest meeting)."""
        return rfc3339(self.latest) if self.latest else self.newest_meeting

    def withdrawn_entries(self, base_url: str, committee: str | None = None) -> list[dict]:
        """An entry for each withdrawn meeting (of one committee): "Withdrawn", at its tombstone."""
        from markupsafe import escape

        entries = []
        for tombstone in self.tombstones:
            if committee is not None and tombstone.committee != committee:
                continue
            change = tombstone.history.withdrawal
            first = tombstone.history.first_published
            url = urls.absolute(base_url, tombstone.url)
            entries.append({
                "id": url,
                "title": f"{tombstone.title}: Withdrawn",
                "url": url,
                "updated": rfc3339(change.date),
                "published": rfc3339(first.date) if first else None,
                "html": f"<p>These minutes were withdrawn on "
                        f"{escape(long_date(change.date.astimezone(LONDON).date()))}: “{escape(change.subject)}”.</p>",
            })
        return entries


def newest(entries: list[dict], limit: int = FEED_ENTRIES) -> list[dict]:
    """The most recently changed entries first (a stable sort: ties keep their order)."""
    return sorted(entries, key=lambda e: _instant(e["updated"]), reverse=True)[:limit]


def latest(meetings, dates: Dates, limit: int = FEED_ENTRIES) -> list:
    """The `limit` most recently changed meetings, before their entries are made (a feed of a
    large archive makes 50 entries, not one per meeting)."""
    return sorted(meetings, key=lambda m: _instant(dates.of(m)[0]), reverse=True)[:limit]


def meeting_entry_html(linked, meeting) -> str:
    """A short HTML summary of a meeting: its items and their decisions."""
    from markupsafe import escape
    parts = ["<ul>"]
    for item in meeting.items:
        html = linked.items[(meeting.slug, item.number)]
        line = f"<li><strong>{item.number}. {escape(item.title)}</strong>"
        if item.decision:
            line += (f" – RESOLVED – {html.decision}" if html.decision_inline
                     else f"<div>RESOLVED – {html.decision}</div>")
        parts.append(line + "</li>")
    parts.append("</ul>")
    return "".join(parts)


FEED_NOTES = {"draft": " (draft)", "agenda": " (agenda)", "cancelled": " (cancelled)", "postponed": " (postponed)"}


def meeting_entries(linked, meetings, meeting_title, dates: Dates | None = None) -> list[dict]:
    """One feed entry per meeting: its items and decisions."""
    absolute = lambda url: urls.absolute(linked.archive.site.base_url, url)  # noqa: E731
    dates = dates or Dates()
    entries = []
    for m in meetings:
        updated, published = dates.of(m)
        entries.append({
            "id": absolute(urls.meeting(m)),
            "title": meeting_title(m) + FEED_NOTES.get(m.status, ""),
            "url": absolute(urls.meeting(m)),
            "updated": updated,
            "published": published,
            "html": meeting_entry_html(linked, m),
        })
    return entries


def site_feed(linked, meeting_title, dates: Dates | None = None, listed: list | None = None) -> bytes:
    """New, amended, approved and withdrawn minutes: the most recently changed first. `listed`:
    the meetings it lists, when the caller has them already (`latest`)."""
    site = linked.archive.site
    dates = dates or Dates()
    absolute = lambda url: urls.absolute(site.base_url, url)  # noqa: E731
    if listed is None:
        listed = latest(list(reversed(linked.meetings)), dates)
    entries = newest(meeting_entries(linked, listed, meeting_title, dates) + dates.withdrawn_entries(site.base_url))
    return build_feed(feed_id=absolute(urls.feed()), title=f"{site.title}: new minutes", self_url=absolute(urls.feed()),
                      alternate_url=absolute(urls.home()), author=site.organisation, language=site.language,
                      entries=entries, empty_updated=dates.empty, site=site)


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


def committee_feed(linked, slug: str, meeting_title, dates: Dates | None = None) -> bytes:
    """New, amended, approved and withdrawn minutes of one committee: one entry per meeting, the
    most recently changed first, with its decisions."""
    site = linked.archive.site
    dates = dates or Dates()
    committee = linked.archive.committees[slug]
    absolute = lambda url: urls.absolute(site.base_url, url)  # noqa: E731
    entries = newest(meeting_entries(linked, latest(linked.by_committee.get(slug, []), dates), meeting_title, dates)
                     + dates.withdrawn_entries(site.base_url, slug))
    return build_feed(feed_id=absolute(urls.committee_feed(slug)), title=f"{committee.name}: new minutes",
                      self_url=absolute(urls.committee_feed(slug)), alternate_url=absolute(urls.committee(slug)),
                      author=site.organisation, language=site.language, entries=entries, empty_updated=dates.empty,
                      site=site)


def issue_feed(linked, slug: str, title: str, meeting_title, dates: Dates | None = None) -> bytes:
    """Every consideration of one issue: one entry per agenda item, the most recently changed first
    (an item's dates are its meeting's), with its decision."""
    site = linked.archive.site
    dates = dates or Dates()
    absolute = lambda url: urls.absolute(site.base_url, url)  # noqa: E731
    entries = []
    considered = linked.issues.get(slug, [])
    for m, item in sorted(considered, key=lambda entry: _instant(dates.of(entry[0])[0]), reverse=True)[:FEED_ENTRIES]:
        updated, published = dates.of(m)
        entries.append({
            "id": absolute(urls.item(m, item.number)),
            "title": f"{meeting_title(m)}: {item.number}. {item.title}" + (" (draft)" if m.status == "draft" else ""),
            "url": absolute(urls.item(m, item.number)),
            "updated": updated,
            "published": published,
            "html": item_entry_html(linked, m, item),
        })
    return build_feed(feed_id=absolute(urls.issue_feed(slug)), title=f"{title}: meetings and decisions",
                      self_url=absolute(urls.issue_feed(slug)), alternate_url=absolute(urls.issue(slug)),
                      author=site.organisation, language=site.language, entries=newest(entries),
                      empty_updated=dates.empty, site=site)


# -- per indicator (issue 5) ---------------------------------------------------

def indicator_feed(linked, code: str, meeting_title, dates: Dates | None = None) -> bytes:
    """The meetings that mention one indicator (defined or not): one entry per meeting, newest
    first, quoting each sentence that mentions it, linked to its item."""
    from markupsafe import escape
    site = linked.archive.site
    indicator = linked.archive.indicators.get(code)
    absolute = lambda url: urls.absolute(site.base_url, url)  # noqa: E731
    dates = dates or Dates()
    by_meeting: dict[str, list] = {}
    for mention in linked.mentions.get(code, []):  # newest first
        by_meeting.setdefault(mention.meeting.slug, []).append(mention)
    entries = []
    # the meetings the feed keeps, before their entries are made (as `latest` does)
    kept = sorted(by_meeting.values(), key=lambda refs: _instant(dates.of(refs[0].meeting)[0]),
                  reverse=True)[:FEED_ENTRIES]
    for refs in kept:
        meeting = refs[0].meeting
        parts = []
        for ref in refs:
            where = urls.mention(meeting, ref.item)
            label = f"Item {ref.item.number}: {ref.item.title}" if ref.item else "Introduction"
            parts.append(f'<p><a href="{escape(absolute(where))}">{escape(label)}</a></p>'
                         f"<blockquote><p>{escape(ref.sentence)}</p></blockquote>")
        first = refs[0]  # mentions within a meeting are in the order of its items
        updated, published = dates.of(meeting)
        entries.append({
            "id": f"{absolute(urls.indicator(code))}#{meeting.slug}",
            "title": f"{code} in {meeting_title(meeting)}" + (" (draft)" if meeting.status == "draft" else ""),
            "url": absolute(urls.mention(meeting, first.item)),
            "updated": updated,
            "published": published,
            "html": "".join(parts),
        })
    title = f"{code}: {indicator.title}" if indicator else f"{code} (not yet defined)"
    return build_feed(feed_id=absolute(urls.indicator_feed(code)), title=f"{title} – mentions in the minutes",
                      self_url=absolute(urls.indicator_feed(code)), alternate_url=absolute(urls.indicator(code)),
                      author=site.organisation, language=site.language, entries=newest(entries),
                      empty_updated=dates.empty, site=site)
