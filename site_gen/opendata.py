"""Open data: JSON files in the shapes civic-tech tools read, and schema.org JSON-LD.

- /meetings/<YYYY>/<slug>/meeting.json: one meeting shaped like an Open Civic Data
  Event (https://open-civic-data.readthedocs.io/en/latest/data/event.html), with what
  OCD has no field for under `extras`.
- /data/meetings.json, /data/committees.json, /data/indicators.json: bulk files.
- json_ld(): the schema.org Event embedded in every meeting page.

Every file validates against its JSON Schema in schemas/ (tests check it). Output is
deterministic: keys sorted, no clock, UTF-8, two-space indent, trailing newline.
Only `linked.meetings` (the published ones) is ever read, never `archive.meetings`.
"""
from __future__ import annotations

import datetime
import re
from pathlib import Path

import orjson

from . import ical, urls
from .wording import long_date, natural_key, report_of, weekday_date

SCHEMAS = {  # file -> its JSON Schema in schemas/ (published at /data/schemas/), named in each file's `schema`
    "meeting.json": "meeting.schema.json",
    "meetings.json": "meetings-index.schema.json",
    "committees.json": "committees.schema.json",
    "indicators.json": "indicators.schema.json",
}
MEDIA_TYPES = {  # a fixed table: mimetypes.guess_type would read the machine's /etc/mime.types
    ".pdf": "application/pdf", ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text", ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".csv": "text/csv", ".txt": "text/plain", ".htm": "text/html", ".html": "text/html",
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
}
ONLINE = re.compile(r"\b(virtual|online|remote|teams|zoom|webex|webcast only)\b", re.IGNORECASE)
HYBRID = re.compile(r"\bhybrid\b", re.IGNORECASE)


JSON_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS


def dumps(value) -> bytes:
    """The one way JSON files are written: byte-identical for the same data."""
    # orjson writes exactly what json.dumps(ensure_ascii=False, sort_keys=True, indent=2)
    # does, about eight times faster: the standard library falls back to pure Python
    # whenever it indents, and the per-meeting files are a large part of a build.
    return orjson.dumps(value, option=JSON_OPTIONS) + b"\n"


def script_json(value) -> str:
    """JSON for a <script type="application/ld+json"> element: `<`, `>` and `&` escaped so
    that nothing in the content (`</script>`, `<!--`) can end the element early."""
    text = orjson.dumps(value, option=JSON_OPTIONS).decode("utf-8")
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


class OpenData:
    def __init__(self, linked, meeting_title):
        self.linked = linked
        self.archive = linked.archive
        self.site = linked.archive.site
        self.meeting_title = meeting_title

    def absolute(self, url: str) -> str:
        return urls.absolute(self.site.base_url, url)

    # -- shared parts ----------------------------------------------------------

    def header(self, schema: str) -> dict:
        """Who publishes the file, under what licence, and where it is documented."""
        return {
            "schema": self.absolute(urls.data_schema(schema)),
            "publisher": self.site.organisation,
            "source": self.absolute(urls.home()),
            "documentation": self.absolute(urls.data()),
            "licence": self.site.licence,
            "licence_url": self.site.licence_url,
        }

    @staticmethod
    def start_time(meeting) -> str:
        """ISO 8601 with the UK offset of that day when the time is known, else the date alone."""
        begins = ical.start(meeting)
        return begins.isoformat()

    @staticmethod
    def event_status(meeting) -> str:
        """OCD status from the content alone (never today's date): a meeting with any minutes
        or decision, or approved minutes, took place ("passed"); one with only an agenda is
        "confirmed"."""
        if meeting.status in ("cancelled", "postponed"):
            return meeting.status
        has_minutes = meeting.status == "approved" or meeting.preamble is not None or any(
            item.minutes or item.decision for item in meeting.items)
        return "passed" if has_minutes and meeting.status != "agenda" else "confirmed"

    @staticmethod
    def lastmod(meeting) -> datetime.date:
        """When a meeting's page last changed, as far as the content says: its date, or the
        date its minutes were approved when that is later."""
        if meeting.status == "approved" and meeting.approved_on and meeting.approved_on > meeting.date:
            return meeting.approved_on
        return meeting.date

    def committee_ref(self, slug: str) -> dict:
        return {"slug": slug, "name": self.archive.committees[slug].name, "url": self.absolute(urls.committee(slug))}

    def document_ref(self, meeting, document) -> dict:
        if document.file:
            url, name = self.absolute(urls.document(meeting, document.file)), document.file
        elif document.url:
            url, name = document.url, document.url.split("?", 1)[0].split("#", 1)[0].rsplit("/", 1)[-1]
        else:
            url, name = None, ""
        media_type = MEDIA_TYPES.get("." + name.rsplit(".", 1)[-1].lower()) if "." in name else None
        return {"note": document.title, "url": url, "media_type": media_type, "size": document.size}

    # -- one meeting -------------------------------------------------------------

    def participants(self, meeting) -> list[dict]:
        people = [{"name": self.archive.committees[meeting.committee].name, "type": "organization", "note": "host"}]
        attendees = meeting.attendees
        if attendees.chair:
            people.append({"name": attendees.chair, "type": "person", "note": "chair"})
        people += [{"name": name, "type": "person", "note": "member"} for name in attendees.members]
        people += [{"name": name, "type": "person", "note": "in attendance"} for name in attendees.in_attendance]
        return people

    def agenda_item(self, meeting, item) -> dict:
        html = self.linked.items[(meeting.slug, item.number)]
        notes = []
        if item.report_of:
            notes.append(f"To consider a report of {report_of(item.report_of)}.")
        if item.minutes:
            notes.append(item.minutes.markdown)
        if item.decision:
            notes.append(f"RESOLVED – {item.decision.markdown}")
        related = []
        for code in html.codes:
            indicator = self.archive.indicators.get(code)
            related.append({"entity_type": "indicator", "name": code,
                            "note": indicator.title if indicator else "not yet defined in this archive",
                            "url": self.absolute(urls.indicator(code))})
        issue = None
        if item.issue:
            issue = {"slug": item.issue, "title": self.linked.issue_titles[item.issue],
                     "url": self.absolute(urls.issue(item.issue)), "feed_url": self.absolute(urls.issue_feed(item.issue))}
        portfolio = None
        if item.portfolio:
            portfolio = {"slug": item.portfolio, "name": self.archive.portfolios[item.portfolio].name,
                         "url": self.absolute(urls.portfolio(item.portfolio))}
        return {
            "order": str(item.number),
            "description": item.title,
            "notes": notes,
            "related_entities": related,
            "subjects": [issue["title"]] if issue else [],
            "extras": {
                "number": item.number,
                "url": self.absolute(urls.item(meeting, item.number)),
                "report_of": item.report_of,
                "summary": item.summary.markdown if item.summary else None,
                "recommendations": [r.markdown for r in item.recommendations],
                "decision": item.decision.markdown if item.decision else None,
                "indicator_codes": list(html.codes),
                "issue": issue,
                "portfolio": portfolio,
                "contacts": [{"name": c.name, "role": c.role, "email": c.email, "phone": c.phone} for c in item.contacts],
            },
        }

    def meeting(self, meeting) -> dict:
        committee = self.archive.committees[meeting.committee]
        page = self.absolute(urls.meeting(meeting))
        approved_by = self.linked.approved_by.get(meeting.slug)
        data = self.header(SCHEMAS["meeting.json"])
        data.update({
            "id": meeting.slug,
            "name": self.meeting_title(meeting),
            "description": f"Meeting of the {committee.name} ({self.site.organisation}) "
                           f"on {weekday_date(meeting.date)}.",
            "classification": "committee-meeting",
            "start_time": self.start_time(meeting),
            "end_time": None,
            "timezone": ical.TZID,
            "all_day": meeting.time is None,
            "status": self.event_status(meeting),
            "location": {"name": meeting.venue, "note": "", "url": None, "coordinates": None} if meeting.venue else None,
            "participants": self.participants(meeting),
            "agenda": [self.agenda_item(meeting, item) for item in meeting.items],
            "documents": [dict(self.document_ref(meeting, d), agenda_item=str(item.number))
                          for item in meeting.items for d in item.documents],
            "links": [
                {"note": "Minutes (web page)", "url": page},
                {"note": "Committee", "url": self.absolute(urls.committee(meeting.committee))},
                {"note": "Committee meetings calendar (iCalendar)",
                 "url": self.absolute(urls.committee_calendar(meeting.committee))},
                {"note": "Committee new minutes feed (Atom)", "url": self.absolute(urls.committee_feed(meeting.committee))},
            ],
            "sources": [{"url": page, "note": "the minutes as published in this archive"}],
            "extras": {
                "url": page,
                "committee": self.committee_ref(meeting.committee),
                "date": meeting.date.isoformat(),
                "time": meeting.time,
                "minutes_status": meeting.status,
                "note": meeting.note,
                "approved_on": meeting.approved_on.isoformat() if meeting.approved_on else None,
                "approved_at": self.absolute(urls.meeting(approved_by)) if approved_by else None,
                "apologies": list(meeting.attendees.apologies),
                "preamble": meeting.preamble.markdown if meeting.preamble else None,
                "calendar_uid": ical.uid(meeting, self.site.base_url),
            },
        })
        return data

    # -- bulk files ----------------------------------------------------------------

    def meetings_index(self) -> dict:
        data = self.header(SCHEMAS["meetings.json"])
        data["meetings"] = [{
            "id": m.slug,
            "name": self.meeting_title(m),
            "committee": m.committee,
            "committee_name": self.archive.committees[m.committee].name,
            "date": m.date.isoformat(),
            "start_time": self.start_time(m),
            "all_day": m.time is None,
            "venue": m.venue,
            "status": self.event_status(m),
            "minutes_status": m.status,
            "items": len(m.items),
            "decisions": sum(1 for i in m.items if i.decision),
            "url": self.absolute(urls.meeting(m)),
            "json_url": self.absolute(urls.meeting_json(m)),
        } for m in sorted(self.linked.meetings, key=lambda m: (m.date, m.committee))]
        return data

    def committees(self) -> dict:
        data = self.header(SCHEMAS["committees.json"])
        entries = []
        for slug, committee in sorted(self.archive.committees.items()):
            meetings = self.linked.by_committee.get(slug, [])  # newest first
            entries.append({
                "slug": slug,
                "name": committee.name,
                "description": committee.description.markdown if committee.description else None,
                "url": self.absolute(urls.committee(slug)),
                "feed_url": self.absolute(urls.committee_feed(slug)),
                "calendar_url": self.absolute(urls.committee_calendar(slug)),
                "meeting_count": len(meetings),
                "first_meeting": meetings[-1].date.isoformat() if meetings else None,
                "latest_meeting": meetings[0].date.isoformat() if meetings else None,
            })
        data["committees"] = entries
        return data

    def mention(self, ref) -> dict:
        return {"meeting": ref.meeting.slug, "item": ref.item.number if ref.item else None,
                "url": self.absolute(urls.mention(ref.meeting, ref.item)), "sentence": ref.sentence,
                "written": ref.written}

    def indicators(self) -> dict:
        data = self.header(SCHEMAS["indicators.json"])
        entries = []
        for code in sorted(self.archive.indicators, key=natural_key):
            ind = self.archive.indicators[code]
            portfolio = self.archive.portfolios.get(ind.portfolio) if ind.portfolio else None
            priority = portfolio.priority(ind.priority) if portfolio else None
            entries.append({
                "code": code,
                "title": ind.title,
                "url": self.absolute(urls.indicator(code)),
                "portfolio": {"slug": portfolio.slug, "name": portfolio.name,
                              "url": self.absolute(urls.portfolio(portfolio.slug))} if portfolio else None,
                "priority": {"number": priority.number, "title": priority.title} if priority else None,
                "unit": ind.unit,
                "polarity": ind.polarity,
                "aliases": list(ind.aliases),
                "description": ind.description.markdown if ind.description else None,
                "values": [{"period": v.period, "actual": v.actual, "target": v.target, "rag": v.rag, "note": v.note}
                           for v in ind.values],
                "mentions": [self.mention(ref) for ref in self.linked.mentions.get(code, [])],
            })
        data["indicators"] = entries
        data["undefined"] = [{"code": code, "url": self.absolute(urls.indicator(code)),
                              "mentions": [self.mention(ref) for ref in self.linked.mentions.get(code, [])]}
                             for code in self.linked.undefined]
        return data

    # -- schema.org ------------------------------------------------------------------

    def json_ld(self, meeting) -> str:
        """A schema.org Event for the meeting page, as text safe inside <script>."""
        committee = self.archive.committees[meeting.committee]
        description = (f"Minutes of the {committee.name} meeting of {long_date(meeting.date)}: "
                       + "; ".join(item.title for item in meeting.items))
        event = {
            "@context": "https://schema.org",
            "@type": "Event",
            "name": self.meeting_title(meeting),
            "description": description,
            "url": self.absolute(urls.meeting(meeting)),
            "startDate": self.start_time(meeting),
            "eventStatus": "https://schema.org/" + EVENT_STATUS.get(meeting.status, "EventScheduled"),
            "inLanguage": self.site.language,
            "organizer": {
                "@type": "GovernmentOrganization",
                "name": committee.name,
                "url": self.absolute(urls.committee(meeting.committee)),
                "parentOrganization": {"@type": "GovernmentOrganization", "name": self.site.organisation,
                                       "url": self.absolute(urls.home())},
            },
        }
        mode = attendance_mode(meeting.venue)
        if mode:
            event["eventAttendanceMode"] = f"https://schema.org/{mode}"
        if meeting.venue:
            kind = "VirtualLocation" if mode == "OnlineEventAttendanceMode" else "Place"
            event["location"] = {"@type": kind, "name": meeting.venue}
        return script_json(event)


EVENT_STATUS = {"cancelled": "EventCancelled", "postponed": "EventPostponed"}


def attendance_mode(venue: str | None) -> str | None:
    """schema.org attendance mode, only when the venue says it: a venue naming a virtual or
    online meeting is online, "hybrid" is mixed, any other venue is a place to attend in
    person; no venue, no mode."""
    if not venue:
        return None
    if HYBRID.search(venue):
        return "MixedEventAttendanceMode"
    if ONLINE.search(venue):
        return "OnlineEventAttendanceMode"
    return "OfflineEventAttendanceMode"


# -- into the site ----------------------------------------------------------------

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
DATA_FILES = (  # (file name, what it holds) for the /data/ page, in the order shown
    ("meetings.json", "Every published meeting: date, committee, start time, status, number of items and "
                      "decisions, and the addresses of its page and of its own JSON file."),
    ("committees.json", "Every committee: name, description, number of meetings, first and latest meeting, "
                        "and the addresses of its page, its calendar and its feed."),
    ("indicators.json", "Every performance indicator: title, portfolio and priority, unit, polarity, aliases, "
                        "its values over time, and every mention in the minutes; also the codes mentioned "
                        "but not yet defined."),
)


def render(renderer) -> None:
    """Add every open-data and subscription output to the renderer's files: JSON, the JSON
    Schemas, calendars, committee and issue feeds, and the /data/ page."""
    from . import feeds
    from .render import Crumb
    linked = renderer.linked
    data = renderer.open_data

    def add(url: str, content: bytes) -> None:
        renderer.writer.add(urls.output_path(url), content)  # refuses a path written twice

    # each meeting's JSON is made with its page (SiteRenderer.render_meeting)
    add(urls.data_file("meetings.json"), dumps(data.meetings_index()))
    add(urls.data_file("committees.json"), dumps(data.committees()))
    add(urls.data_file("indicators.json"), dumps(data.indicators()))
    for name in sorted(set(SCHEMAS.values())):
        add(urls.data_schema(name), (SCHEMA_DIR / name).read_bytes())

    calendars = renderer.calendars
    add(urls.calendar(), calendars.site_calendar())
    for slug in sorted(linked.archive.committees):
        inputs = renderer.committee_inputs(slug)
        renderer.made(urls.committee_calendar(slug), inputs, lambda: calendars.committee_calendar(slug))
        renderer.made(urls.committee_feed(slug), inputs,
                      lambda: feeds.committee_feed(linked, slug, renderer.meeting_title, renderer.feed_dates))
    for slug, title in linked.issue_titles.items():
        entries = linked.issues[slug]
        inputs = renderer.inputs("issue feed", renderer.items_inputs("issue", slug, entries),
                                 renderer.history_inputs(list({m.slug: m for m, _ in entries}.values())))
        renderer.made(urls.issue_feed(slug), inputs,
                      lambda: feeds.issue_feed(linked, slug, title, renderer.meeting_title, renderer.feed_dates))

    renderer.page(urls.data(), "data.html", title="Open data, calendars and feeds",
                  breadcrumbs=[Crumb("Home", urls.home())],
                  description=f"Follow {linked.archive.site.organisation} committees in your calendar or feed reader, "
                              f"and download the minutes as open data (JSON).",
                  committees=sorted(linked.archive.committees.values(), key=lambda c: c.name.lower()),
                  issues=sorted(linked.issue_titles.items(), key=lambda i: i[1].lower()), data_files=DATA_FILES, schemas=SCHEMAS,
                  meeting_count=len(linked.meetings), default_duration=ical.DEFAULT_DURATION_WORDS,
                  feeds=[(f"{c.name}: new minutes", urls.committee_feed(c.slug))
                         for c in sorted(linked.archive.committees.values(), key=lambda c: c.name.lower())])
