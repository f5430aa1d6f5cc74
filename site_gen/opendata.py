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
import io
import re
import uuid
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import orjson

from . import ical, ocd, urls
from .cache import content_hash
from .pages.base import JSON_OPTIONS, dumps  # noqa: F401  (dumps: the site's JSON, here as before)
from .renders import MeetingRows
from .wording import long_date, natural_key, report_of, weekday_date

SCHEMAS = {  # file -> its JSON Schema in schemas/ (published at /data/schemas/), named in each file's `schema`
    "meeting.json": "meeting.schema.json",
    "meetings.json": "meetings-index.schema.json",
    "committees.json": "committees.schema.json",
    "indicators.json": "indicators.schema.json",
    "issues.json": "issues.schema.json",
    "decisions.json": "decisions.schema.json",
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


class Rows:
    """A bulk file's long list (every mention, every decision), made and written one entry at a
    time by `dumps_streamed`: the whole list is never held as Python objects. `encoded`: the
    entries are already JSON, as orjson writes them at the top level (`encoded_entry`)."""

    def __init__(self, entries: Iterable, encoded: bool = False):
        self.entries = entries
        self.encoded = encoded


_ROWS_MARK = "\x00rows:"
_ROW_INDENT = b"\n    "  # an entry of a list under a top-level key: two levels in


def encoded_entry(value) -> str:
    """An entry of a bulk file's list as JSON text, as the site writes JSON at the top level:
    what the cache keeps of each meeting (`MeetingRows`), so that the bulk files are put
    together from it rather than made again from the whole archive."""
    return orjson.dumps(value, option=JSON_OPTIONS).decode("utf-8")


def with_encoded_list(value: dict, key: str, entries: list[str]) -> str:
    """`encoded_entry(value)` where `value[key]` is the list of these entries (JSON text each)."""
    out = io.BytesIO()
    dumps_streamed({**value, key: Rows(entries, encoded=True)}, out)
    return out.getvalue()[:-1].decode("utf-8")  # without the newline that ends a file


@dataclass
class WithList:
    """An entry of a bulk file whose `key` holds a list of entries that are JSON already (an issue
    and the agenda items that considered it)."""
    value: dict
    key: str
    entries: list[str]

    def encoded(self) -> str:
        return with_encoded_list(self.value, self.key, self.entries)


def dumps_streamed(value: dict, into: BinaryIO) -> None:
    """`dumps(value)` byte for byte, where the top-level values that are `Rows` are made one entry
    at a time, each written as orjson writes it two levels in (its lines indented four spaces more;
    JSON strings hold no raw newline), into the binary file `into` a run of entries at a time (the
    indicators' file of a large archive is tens of megabytes, and its mentions as dictionaries more)."""
    rows = {key: item for key, item in value.items() if isinstance(item, Rows)}
    text = dumps({key: _ROWS_MARK + key if key in rows else item for key, item in value.items()})
    marks = sorted((text.index(orjson.dumps(_ROWS_MARK + key)), key) for key in rows)
    out = bytearray()
    done = 0
    for at, key in marks:
        out += text[done:at]
        empty = True
        encoded = rows[key].encoded
        for entry in rows[key].entries:
            out += b"[" + _ROW_INDENT if empty else b"," + _ROW_INDENT
            if not encoded:
                data = orjson.dumps(entry, option=JSON_OPTIONS)
            else:
                data = (entry.encoded() if isinstance(entry, WithList) else entry).encode("utf-8")
            out += data.replace(b"\n", _ROW_INDENT)
            empty = False
            if len(out) >= _WRITE_AT:
                into.write(out)
                out.clear()
        out += b"[]" if empty else b"\n  ]"
        done = at + len(orjson.dumps(_ROWS_MARK + key))
    out += text[done:]
    into.write(out)


_WRITE_AT = 1 << 20  # bytes of a streamed file gathered before they are written


ONLINE = re.compile(r"\b(virtual|online|remote|teams|zoom|webex|webcast only)\b", re.IGNORECASE)
HYBRID = re.compile(r"\bhybrid\b", re.IGNORECASE)


def script_json(value) -> str:
    """JSON for a <script type="application/ld+json"> element: `<`, `>` and `&` escaped so
    that nothing in the content (`</script>`, `<!--`) can end the element early."""
    text = orjson.dumps(value, option=JSON_OPTIONS).decode("utf-8")
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


OCD_NAMESPACE = uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")  # RFC 4122's namespace for URLs
# what OCD's event status says of a meeting the content marks as not taking place (`status:`)
OCD_NOT_HELD = {"cancelled": "cancelled", "postponed": "cancelled"}
SCHEMA_ORG_STATUS = {"cancelled": "EventCancelled", "postponed": "EventPostponed"}
HONORIFICS = re.compile(r"^(Councillor|Cllr\.?|Mr\.?|Mrs\.?|Ms\.?|Miss|Dr\.?|Prof\.?|Sir|Dame|Lord|Lady)\s+(.+)$")


def ocd_id(kind: str, *parts: str) -> str:
    """An Open Civic Data id (`ocd-event/<uuid>`, `ocd-organization/<uuid>`): a UUID 5 of the
    archive's address and the thing's own address in it, so it never changes while they do not,
    and two archives never share one."""
    return f"ocd-{kind}/{uuid.uuid5(OCD_NAMESPACE, ''.join(parts))}"


class OpenData:
    def __init__(self, linked, meeting_title, last_changed=None):
        """`last_changed(meeting)`: when git last changed the meeting's published file (a
        datetime), or None when the history does not say."""
        self.linked = linked
        self.archive = linked.archive
        self.site = linked.archive.site
        self.meeting_title = meeting_title
        self.last_changed = last_changed or (lambda meeting: None)
        self._event_ids: dict[str, str] = {}  # meeting slug -> its OCD id

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
        """OCD status from the content alone (never today's date): a cancelled or postponed
        meeting is "cancelled"; one with any minutes or decision, or approved minutes, took
        place ("passed"); one with only an agenda is "confirmed"."""
        if meeting.status in OCD_NOT_HELD:
            return OCD_NOT_HELD[meeting.status]
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

    def last_modified(self, meeting) -> str:
        """For harvesters: when the meeting's file last changed in git (UTC), else the date the
        content gives (`lastmod`)."""
        changed = self.last_changed(meeting)
        if changed is None:
            return self.lastmod(meeting).isoformat()
        return changed.astimezone(datetime.timezone.utc).isoformat().replace("+00:00", "Z")

    def event_id(self, meeting) -> str:
        # asked for by every row that names the meeting (its items' decisions, issues, mentions)
        found = self._event_ids.get(meeting.slug)
        if found is None:
            found = self._event_ids[meeting.slug] = ocd_id("event", self.site.base_url, urls.meeting(meeting))
        return found

    def council_id(self) -> str:
        return ocd_id("organization", self.site.base_url, urls.home())

    def committee_id(self, slug: str) -> str:
        return ocd_id("organization", self.site.base_url, urls.committee(slug))

    def committee_ref(self, slug: str) -> dict:
        return {"slug": slug, "name": self.archive.committees[slug].name, "url": self.absolute(urls.committee(slug)),
                "id": self.committee_id(slug)}

    def jurisdiction(self) -> dict | None:
        """The OCD Jurisdiction the council is (classification `government`), when site.yml names
        the area it governs (`ocd_division_id`); else None: an id cannot be made up."""
        division = self.site.ocd_division_id
        if not division:
            return None
        return {"id": ocd.jurisdiction_id(division), "name": self.site.organisation, "classification": "government",
                "division_id": division, "url": self.absolute(urls.home())}

    def jurisdiction_ids(self) -> dict:
        """What an OCD Organization says of its jurisdiction and division (nothing when unknown)."""
        division = self.site.ocd_division_id
        return {"jurisdiction_id": ocd.jurisdiction_id(division), "division_id": division} if division else {}

    def council(self) -> dict:
        """The council as a Popolo/OCD Organization: the parent of every committee. OCD calls the
        elected body of a government jurisdiction a `legislature` (its organisation classifications
        have no `government`: that is the jurisdiction's)."""
        home = self.absolute(urls.home())
        return {
            "id": self.council_id(),
            "name": self.site.organisation,
            "classification": "legislature",
            "parent_id": None,
            "identifiers": [{"scheme": "url", "identifier": home}],
            "links": [{"note": "Minutes archive", "url": home}],
            "sources": [{"url": home, "note": "this archive"}],
            **self.jurisdiction_ids(),
        }

    def organization(self, slug: str) -> dict:
        """A committee as a Popolo/OCD Organization (classification `committee`)."""
        committee = self.archive.committees[slug]
        page = self.absolute(urls.committee(slug))
        return {
            "id": self.committee_id(slug),
            "name": committee.name,
            "classification": "committee",
            "parent_id": self.council_id(),
            "identifiers": [{"scheme": "slug", "identifier": slug}, {"scheme": "url", "identifier": page}],
            "links": [{"note": "Committee page", "url": page},
                      {"note": "Meetings calendar (iCalendar)", "url": self.absolute(urls.committee_calendar(slug))},
                      {"note": "New minutes feed (Atom)", "url": self.absolute(urls.committee_feed(slug))}],
            "sources": [{"url": page, "note": "the committee's page in this archive"}],
            **self.jurisdiction_ids(),
        }

    def document_ref(self, meeting, document) -> dict:
        """An OCD document; only a document with an address can be one (OCD requires `url`)."""
        if document.file:
            url, name = self.absolute(urls.document(meeting, document.file)), document.file
        else:
            url, name = document.url, document.url.split("?", 1)[0].split("#", 1)[0].rsplit("/", 1)[-1]
        media_type = media_type_of(name)
        return {"note": document.title, "url": url, "media_type": media_type, "date": "",
                "links": [{"url": url, "media_type": media_type}], "size": document.size}

    # -- one meeting -------------------------------------------------------------

    def participant(self, name: str, note: str, entity_type: str = "person") -> dict:
        """An OCD participant (`entity_type` as pupa writes it, `type` as its schema names it).
        When a person's entry starts with a title (Councillor, Dr…) it is a name, so it is also
        split the way Popolo does (honorific_prefix, given_name, family_name); other entries may
        be a role ("Head of Planning") and are left whole."""
        entry = {"name": name, "entity_type": entity_type, "type": entity_type, "note": note}
        match = HONORIFICS.match(name.strip()) if entity_type == "person" else None
        if match and len(match.group(2).split()) >= 2:
            *given, family = match.group(2).split()
            entry.update(honorific_prefix=match.group(1), given_name=" ".join(given), family_name=family)
        return entry

    def participants(self, meeting) -> list[dict]:
        host = self.participant(self.archive.committees[meeting.committee].name, "host", "organization")
        host["organization_id"] = self.committee_id(meeting.committee)
        people = [host]
        attendees = meeting.attendees
        if attendees.chair:
            people.append(self.participant(attendees.chair, "chair"))
        people += [self.participant(name, "member") for name in attendees.members]
        people += [self.participant(name, "in attendance") for name in attendees.in_attendance]
        return people

    def agenda_item(self, meeting, item) -> dict:
        html = self.linked.items[(meeting.slug, item.number)]
        notes = []
        if item.report_of:
            notes.append(f"To consider a report of {report_of(item.report_of)}.")
        if item.minutes and item.minutes.markdown.strip():
            notes.append(item.minutes.markdown)
        if item.decision:
            notes.append(f"RESOLVED – {item.decision.markdown}")
        # OCD's related entities are people, organisations, bills and votes: the officers to
        # contact are people; indicators are not an OCD type, so they are under `extras`
        related = [{"entity_type": "person", "name": c.name,
                    "note": "contact officer" + (f": {c.role}" if c.role else "")} for c in item.contacts]
        indicators = []
        for code in html.codes:
            indicator = self.archive.indicators.get(code)
            indicators.append({"code": code, "title": indicator.title if indicator else None,
                               "defined": indicator is not None, "url": self.absolute(urls.indicator(code))})
        issue = None
        if item.issue:
            issue = {"slug": item.issue, "title": self.linked.issue_titles[item.issue],
                     "url": self.absolute(urls.issue(item.issue)),
                     "feed_url": self.absolute(urls.issue_feed(item.issue))}
        portfolio = None
        if item.portfolio:
            portfolio = {"slug": item.portfolio, "name": self.archive.portfolios[item.portfolio].name,
                         "url": self.absolute(urls.portfolio(item.portfolio))}
        return {
            "order": str(item.number),
            "description": item.title,
            "classification": [],
            "notes": notes,
            "related_entities": related,
            "subjects": [issue["title"]] if issue else [],
            "media": [],
            "extras": {
                "number": item.number,
                "url": self.absolute(urls.item(meeting, item.number)),
                "report_of": item.report_of,
                "summary": item.summary.markdown if item.summary else None,
                "recommendations": [r.markdown for r in item.recommendations],
                "decision": item.decision.markdown if item.decision else None,
                "indicators": indicators,
                "issue": issue,
                "portfolio": portfolio,
                "contacts": [{"name": c.name, "role": c.role, "email": c.email, "phone": c.phone}
                             for c in item.contacts],
                "source": getattr(item, "source", None),
            },
        }

    def sources(self, meeting, page: str) -> list[dict]:
        found = [{"url": page, "note": "the minutes as published in this archive"}]
        imported = getattr(meeting, "source", None)
        if isinstance(imported, str) and imported:  # where the minutes were imported from
            found.append({"url": imported, "note": "imported from"})
        return found

    def meeting(self, meeting) -> dict:
        committee = self.archive.committees[meeting.committee]
        page = self.absolute(urls.meeting(meeting))
        approved_by = self.linked.approved_by.get(meeting.slug)
        data = self.header(SCHEMAS["meeting.json"])
        data.update({
            "id": self.event_id(meeting),
            "name": self.meeting_title(meeting),
            "description": f"Meeting of the {committee.name} ({self.site.organisation}) "
                           f"on {weekday_date(meeting.date)}.",
            "classification": "committee-meeting",
            "start_date": self.start_time(meeting),
            "end_date": "",
            "timezone": ical.TZID,
            "all_day": meeting.time is None,
            "status": self.event_status(meeting),
            # no `url`: the content gives the venue's name only, and pupa refuses a null address
            "location": {"name": meeting.venue, "note": "", "coordinates": None} if meeting.venue else None,
            "organization": self.organization(meeting.committee),
            "jurisdiction": self.jurisdiction(),
            "participants": self.participants(meeting),
            "agenda": [self.agenda_item(meeting, item) for item in meeting.items],
            "documents": [dict(self.document_ref(meeting, d), agenda_item=str(item.number))
                          for item in meeting.items for d in item.documents if d.file or d.url],
            "media": [],
            "links": [
                {"note": "Minutes (web page)", "url": page},
                {"note": "Committee", "url": self.absolute(urls.committee(meeting.committee))},
                {"note": "Committee meetings calendar (iCalendar)",
                 "url": self.absolute(urls.committee_calendar(meeting.committee))},
                {"note": "Committee new minutes feed (Atom)",
                 "url": self.absolute(urls.committee_feed(meeting.committee))},
            ],
            "sources": self.sources(meeting, page),
            "extras": {
                "slug": meeting.slug,
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
                "unlinked_documents": [{"agenda_item": str(item.number), "note": d.title, "size": d.size}
                                       for item in meeting.items for d in item.documents if not (d.file or d.url)],
            },
        })
        return data

    # -- bulk files ----------------------------------------------------------------

    def meeting_rows(self, meeting) -> MeetingRows:
        """What the bulk files hold of one meeting, as JSON text: its row of meetings.json, and
        each of its items with a decision or an issue as decisions.json and issues.json list it."""
        row = encoded_entry(self.meeting_row(meeting))
        items = {item.number: encoded_entry(self.item_ref(meeting, item))
                 for item in meeting.items if item.decision or item.issue}
        return MeetingRows(row, items, content_hash(
            "\0".join([row, *(f"{number}\0{entry}" for number, entry in items.items())]).encode("utf-8")))

    def meeting_row(self, m) -> dict:
        return {
            "id": self.event_id(m),
            "slug": m.slug,
            "name": self.meeting_title(m),
            "committee": m.committee,
            "committee_name": self.archive.committees[m.committee].name,
            "date": m.date.isoformat(),
            "start_date": self.start_time(m),
            "all_day": m.time is None,
            "venue": m.venue,
            "status": self.event_status(m),
            "minutes_status": m.status,
            "items": len(m.items),
            "decisions": sum(1 for i in m.items if i.decision),
            "last_modified": self.last_modified(m),
            "url": self.absolute(urls.meeting(m)),
            "json_url": self.absolute(urls.meeting_json(m)),
        }

    def meetings_index(self, rows: dict[str, MeetingRows]) -> dict:
        """`rows`: each published meeting's `meeting_rows`, by its slug."""
        data = self.header(SCHEMAS["meetings.json"])
        data["meetings"] = Rows([rows[m.slug].row for m in sorted(self.linked.meetings,
                                                                    key=lambda m: (m.date, m.committee))],
                                encoded=True)
        return data

    def committees(self) -> dict:
        data = self.header(SCHEMAS["committees.json"])
        data["organization"] = self.council()
        data["jurisdiction"] = self.jurisdiction()
        entries = []
        for slug, committee in sorted(self.archive.committees.items()):
            meetings = self.linked.by_committee.get(slug, [])  # newest first
            entry = self.organization(slug)
            entry.update({
                "slug": slug,
                "description": committee.description.markdown if committee.description else None,
                "url": self.absolute(urls.committee(slug)),
                "feed_url": self.absolute(urls.committee_feed(slug)),
                "calendar_url": self.absolute(urls.committee_calendar(slug)),
                "meeting_count": len(meetings),
                "first_meeting": meetings[-1].date.isoformat() if meetings else None,
                "latest_meeting": meetings[0].date.isoformat() if meetings else None,
            })
            entries.append(entry)
        data["committees"] = entries
        return data

    def item_ref(self, meeting, item) -> dict:
        """An agenda item as the issue and decision files list it."""
        return {
            "meeting_id": self.event_id(meeting),
            "meeting": meeting.slug,
            "meeting_name": self.meeting_title(meeting),
            "date": meeting.date.isoformat(),
            "committee": meeting.committee,
            "item": item.number,
            "title": item.title,
            "report_of": item.report_of,
            "decision": item.decision.markdown if item.decision else None,
            "url": self.absolute(urls.item(meeting, item.number)),
            "json_url": self.absolute(urls.meeting_json(meeting)),
        }

    def issues(self, rows: dict[str, MeetingRows]) -> dict:
        data = self.header(SCHEMAS["issues.json"])
        titles = self.linked.issue_titles
        data["issues"] = Rows([WithList({
            "slug": slug,
            "title": titles[slug],
            "url": self.absolute(urls.issue(slug)),
            "feed_url": self.absolute(urls.issue_feed(slug)),
        }, "considerations", [rows[m.slug].items[item.number] for m, item in self.linked.issues[slug]])  # newest first
            for slug in sorted(self.linked.issues)], encoded=True)
        return data

    def decisions(self, rows: dict[str, MeetingRows]) -> dict:
        data = self.header(SCHEMAS["decisions.json"])
        data["decisions"] = Rows([rows[m.slug].items[item.number] for m, item in self.linked.decisions],  # newest first
                                 encoded=True)
        return data

    def mention(self, ref) -> dict:
        return {"meeting": ref.meeting.slug, "item": ref.item.number if ref.item else None,
                "url": self.absolute(urls.mention(ref.meeting, ref.item)), "sentence": ref.sentence,
                "written": ref.written}

    def indicators(self) -> dict:
        data = self.header(SCHEMAS["indicators.json"])
        data["indicators"] = Rows(self.indicator_entry(code)
                                  for code in sorted(self.archive.indicators, key=natural_key))
        data["undefined"] = Rows({"code": code, "url": self.absolute(urls.indicator(code)),
                                  "mentions": [self.mention(ref) for ref in self.linked.mentions.get(code, [])]}
                                 for code in self.linked.undefined)
        return data

    def indicator_entry(self, code: str) -> dict:
        ind = self.archive.indicators[code]
        portfolio = self.archive.portfolios.get(ind.portfolio) if ind.portfolio else None
        priority = portfolio.priority(ind.priority) if portfolio else None
        return {
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
        }

    # -- schema.org ------------------------------------------------------------------

    def government_organization(self, slug: str | None = None) -> dict:
        """The council (slug None) or one of its committees as a schema.org GovernmentOrganization."""
        council = {"@type": "GovernmentOrganization", "name": self.site.organisation, "url": self.absolute(urls.home())}
        if slug is None:
            return council
        return {"@type": "GovernmentOrganization", "name": self.archive.committees[slug].name,
                "url": self.absolute(urls.committee(slug)), "parentOrganization": council}

    def json_ld(self, meeting) -> str:
        """A schema.org Event for the meeting page, as text safe inside <script>. Google's Event
        guidelines want a location: a venue is a Place (with the venue as its address, the
        only address the minutes give) or, for an online meeting, a VirtualLocation whose url
        is the meeting's page; without a venue there is none to give."""
        committee = self.archive.committees[meeting.committee]
        page = self.absolute(urls.meeting(meeting))
        description = (f"Minutes of the {committee.name} meeting of {long_date(meeting.date)}: "
                       + "; ".join(item.title for item in meeting.items))
        status = SCHEMA_ORG_STATUS.get(meeting.status, "EventScheduled")
        event = {
            "@context": "https://schema.org",
            "@type": "Event",
            "@id": page + "#event",
            "name": self.meeting_title(meeting),
            "description": description,
            "url": page,
            "startDate": self.start_time(meeting),
            "eventStatus": f"https://schema.org/{status}",
            "inLanguage": self.site.language,
            "isAccessibleForFree": True,
            "organizer": self.government_organization(meeting.committee),
        }
        mode = attendance_mode(meeting.venue)
        if mode:
            event["eventAttendanceMode"] = f"https://schema.org/{mode}"
        if meeting.venue:
            if mode == "OnlineEventAttendanceMode":
                event["location"] = {"@type": "VirtualLocation", "name": meeting.venue, "url": page}
            else:
                event["location"] = {"@type": "Place", "name": meeting.venue,
                                     "address": {"@type": "PostalAddress", "streetAddress": meeting.venue,
                                                 "addressCountry": "GB"}}
        return script_json(event)

    def committee_json_ld(self, slug: str) -> str:
        data = {"@context": "https://schema.org", **self.government_organization(slug)}
        data["@id"] = data["url"] + "#organization"
        committee = self.archive.committees[slug]
        if committee.description:
            data["description"] = " ".join(committee.description.markdown.split())
        return script_json(data)

    def website_json_ld(self) -> str:
        """The home page: the site, searchable at /search/?q=… (Pagefind reads `q`)."""
        home = self.absolute(urls.home())
        return script_json({
            "@context": "https://schema.org",
            "@type": "WebSite",
            "@id": home + "#website",
            "name": self.site.title,
            "url": home,
            "inLanguage": self.site.language,
            "publisher": self.government_organization(),
            "potentialAction": {
                "@type": "SearchAction",
                "target": {"@type": "EntryPoint",
                           "urlTemplate": self.absolute(urls.search()) + "?q={search_term_string}"},
                "query-input": "required name=search_term_string",
            },
        })

    def dataset_json_ld(self, downloads: list[dict]) -> str:
        """/data/: the open data as a schema.org Dataset with one DataDownload per file."""
        page = self.absolute(urls.data())
        data = {
            "@context": "https://schema.org",
            "@type": "Dataset",
            "@id": page + "#dataset",
            "name": f"{self.site.organisation}: committee meetings, minutes and decisions",
            "description": (f"The minutes of {self.site.organisation} committee meetings as open data: every meeting "
                            f"(Open Civic Data events), committee, decision, issue and performance indicator, "
                            f"as JSON, CSV and iCalendar."),
            "url": page,
            "inLanguage": self.site.language,
            "isAccessibleForFree": True,
            "creator": self.government_organization(),
            "publisher": self.government_organization(),
            "distribution": [{"@type": "DataDownload", "name": d["name"], "contentUrl": self.absolute(d["url"]),
                              "encodingFormat": d["media_type"], "contentSize": d["size"]} for d in downloads],
        }
        if self.site.licence_url:
            data["license"] = self.site.licence_url
        elif self.site.licence:
            data["license"] = {"@type": "CreativeWork", "name": self.site.licence}
        return script_json(data)


def media_type_of(name: str) -> str:
    """A document's media type from its name; a page or file whose type the name does not tell
    is `application/octet-stream` (OCD needs a type; that one means "unknown")."""
    if "." not in name:
        return "text/html" if name == "" else "application/octet-stream"
    return MEDIA_TYPES.get("." + name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


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
    ("meetings.json", "Every published meeting: its Open Civic Data id, date, committee, start, status, number of "
                      "items and decisions, when it last changed (last_modified, from the archive's history) and "
                      "the address of its own JSON file. A harvester fetches only the meetings changed since its last "
                      "visit."),
    ("committees.json", "The council and every committee as Open Civic Data / Popolo organizations (id, "
                        "classification, parent_id, identifiers, sources), with each committee's number of "
                        "meetings, first and latest meeting, calendar and feed; the council's Open Civic Data "
                        "jurisdiction when site.yml names its division (ocd_division_id)."),
    ("decisions.json", "Every decision (RESOLVED) of every published meeting, newest first, with its meeting and "
                       "item."),
    ("issues.json", "Every issue (an agenda item's issue: the same subject across meetings), with each meeting and "
                    "item that considered it and its decision."),
    ("indicators.json", "Every performance indicator: title, portfolio and priority, unit, polarity, aliases, "
                        "its values over time, and every mention in the minutes; also the codes mentioned "
                        "but not yet defined."),
)
BULK_MEMBERS = re.compile(r"^(data/[^/]+\.json|data/schemas/[^/]+|datapackage\.json|meetings/\d{4}/[^/]+/meeting\.json"
                          r"|indicators/[^/]+\.(csv|json))$")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say: no clock, so the same files give the same bytes


def bulk_zip(names: list[str], open_member, previous: BinaryIO | None, same, into: BinaryIO) -> None:
    """A zip of the files `names` written into the binary file `into` (`open_member(name)` opens
    each, read a megabyte at a time, and closed here: the meeting files of a large archive are a
    hundred megabytes, and the indicators' JSON tens), deterministic: names in order, fixed times
    and permissions, deflated. `previous`: the zip an earlier build made the same way (a file,
    read where it is), whose compressed members are taken again for the files that are the same
    (compressing is most of the time, and an edit changes few members). `same(name)`: whether the
    file is known to be the one that zip was made from (the writer's hashes of both builds): its
    member, header included, is copied as it is there, with its neighbours in one run of bytes
    (an edit leaves thousands of members as they were); the others are compared byte for byte."""
    before = zip_members(previous)
    run: list[tuple[str, zipfile.ZipInfo, ZipMember]] = []  # kept members next to each other in `previous`
    with zipfile.ZipFile(into, "w") as archive:

        def add(name: str, info: zipfile.ZipInfo, header: bytes, data: bytes) -> None:
            info.header_offset = into.tell()
            into.write(header)
            into.write(data)
            archive.filelist.append(info)
            archive.NameToInfo[name] = info
            archive.start_dir = into.tell()

        def copy_run() -> None:
            offset = into.tell() - run[0][2].header_offset if run else 0
            if run and not _copy(previous, run[0][2].header_offset, run[-1][2].end, into):
                for name, info, _ in run:  # the previous file changed under us: made as if new
                    add(name, info, *_made(name, info, open_member, None, previous))
            elif run:
                for name, info, kept in run:
                    info.header_offset = kept.header_offset + offset
                    archive.filelist.append(info)
                    archive.NameToInfo[name] = info
                archive.start_dir = into.tell()
            run.clear()

        for name in sorted(names):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, so that the permissions below are read
            info.external_attr = 0o644 << 16
            kept = before.get(name)
            if kept is not None and same(name):
                info.file_size, info.CRC, info.compress_size = kept.size, kept.crc, kept.compress_size
                if run and run[-1][2].end != kept.header_offset:
                    copy_run()
                run.append((name, info, kept))
                continue
            copy_run()
            add(name, info, *_made(name, info, open_member, kept, previous))
        copy_run()


def _made(name: str, info: zipfile.ZipInfo, open_member, kept: ZipMember | None,
          previous: BinaryIO | None) -> tuple[bytes, bytes]:
    """A member's header and deflated bytes, its file read: the previous zip's deflated bytes
    when they inflate to the same, else compressed now. `info` gets the sizes and CRC."""
    deflated: bytes | None = None
    with open_member(name) as member:
        crc, size = _crc_and_size(member)
        if kept is not None and (kept.crc, kept.size) == (crc, size):
            deflated = _member(previous, kept)
            member.seek(0)
            if deflated is not None and not inflates_to(deflated, member):
                deflated = None
        if deflated is None:
            deflate = zlib.compressobj(6, zlib.DEFLATED, -15)  # what zipfile does at compresslevel 6
            deflated = b"".join([*map(deflate.compress, _chunks(member)), deflate.flush()])
    # each member as ZipFile.writestr writes it into a seekable file: its header with the final
    # sizes and CRC, then the deflated bytes; close() writes the central directory
    info.file_size, info.CRC, info.compress_size = size, crc, len(deflated)
    return info.FileHeader(False), deflated


def _copy(previous: BinaryIO | None, start: int, end: int, into: BinaryIO) -> bool:
    """The bytes of `previous` from `start` to `end` appended to `into`, a megabyte at a time;
    False when they cannot all be read (what was appended is taken back)."""
    if previous is None:
        return False
    at = into.tell()
    try:
        previous.seek(start)
        left = end - start
        while left:
            chunk = previous.read(min(left, INFLATE_STEP))
            if not chunk:
                raise EOFError("the previous zip ended early")
            into.write(chunk)
            left -= len(chunk)
    except (OSError, ValueError, EOFError):
        into.seek(at)
        into.truncate()
        return False
    return True


def _chunks(member: BinaryIO) -> Iterator[bytes]:
    """A member's bytes a megabyte at a time, from its start."""
    member.seek(0)
    while chunk := member.read(INFLATE_STEP):
        yield chunk


def _crc_and_size(member: BinaryIO) -> tuple[int, int]:
    crc = size = 0
    for chunk in _chunks(member):
        crc, size = zlib.crc32(chunk, crc), size + len(chunk)
    return crc, size


def _member(previous, kept: ZipMember) -> bytes | None:
    """A member's compressed bytes, read from the previous zip (after its header); None when it
    cannot be read there."""
    try:
        previous.seek(kept.header_offset)
        header = previous.read(30)
        if header[:4] != b"PK\x03\x04" or len(header) != 30:
            return None
        name_length = int.from_bytes(header[26:28], "little")
        previous.seek(kept.header_offset + 30 + name_length + int.from_bytes(header[28:30], "little"))
        data = previous.read(kept.compress_size)
    except (OSError, ValueError):
        return None
    return data if len(data) == kept.compress_size else None


INFLATE_STEP = 1 << 20


def inflates_to(deflated: bytes | memoryview, data: BinaryIO) -> bool:
    """Whether the raw deflate stream `deflated` is what is left to read in the binary file `data`,
    inflated a megabyte at a time: a large member (the indicators' JSON) is compared without a
    copy of it in memory."""
    inflate = zlib.decompressobj(-15)
    pending: bytes | memoryview = deflated
    try:
        while True:
            part = inflate.decompress(pending, INFLATE_STEP)
            if data.read(len(part)) != part:
                return False
            pending = inflate.unconsumed_tail  # left only when the step was full: it makes progress
            if inflate.eof or not (pending or part):
                break
        rest = inflate.flush()
    except zlib.error:
        return False
    return inflate.eof and data.read(len(rest)) == rest and not data.read(1)


@dataclass(frozen=True)
class ZipMember:
    """A deflated member of a zip: its CRC and size, and where it is: from its header's offset to
    the next member's (or the central directory)."""
    crc: int
    size: int
    compress_size: int
    header_offset: int
    end: int


def zip_members(previous: BinaryIO | None) -> dict[str, ZipMember]:
    """Each deflated member of a zip (a binary file), read from its central directory only;
    nothing when it cannot be read, or its members are not one after another before it."""
    if previous is None:
        return {}
    try:
        with zipfile.ZipFile(previous) as archive:
            infos = sorted(archive.infolist(), key=lambda info: info.header_offset)
            ends = [info.header_offset for info in infos[1:]] + [archive.start_dir]
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return {}
    found = {}
    for info, end in zip(infos, ends, strict=True):
        if end <= info.header_offset + 30 + info.compress_size:
            return {}  # overlapping or out of place: not a zip this function made
        if info.compress_type == zipfile.ZIP_DEFLATED:
            found[info.filename] = ZipMember(info.CRC, info.file_size, info.compress_size, info.header_offset, end)
    return found


def file_size(size: int) -> str:
    """A size as the /data/ page shows it."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def subscribe_links(site, label: str, url: str, name: str) -> dict:
    """A calendar's links: the file, webcal:// to subscribe, Google Calendar and Outlook."""
    address = urls.absolute(site.base_url, url)
    return {"label": label, "url": url, "address": address, "webcal": urls.webcal(address),
            "google": urls.google_calendar_subscribe(address),
            "outlook": urls.outlook_calendar_subscribe(address, name)}
