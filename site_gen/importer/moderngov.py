"""An import from a ModernGov portal: committees and meetings from its web service, each
item's text, minutes, contacts and documents from its pages, written as content files.

Safe to run again: a meeting whose listing has not changed since the last run is not
fetched again (unless its minutes may still change: an agenda, unconfirmed minutes); a
file is only replaced when the import wrote it and nobody has edited it since (or with
--overwrite); the state is saved after every meeting, so an interrupted run resumes.
"""
from __future__ import annotations

import datetime
import re
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import safefiles, yamlio
from ..content import EMAIL_RE, PHONE_RE
from ..fields import SLUG_RE, slugify
from ..models import STATUSES
from . import pages, webservice
from .client import Client, FetchError
from .emit import document, emit
from .state import ImportState, atomic_write, file_hash

SETTLED = ("approved", "cancelled")  # statuses a portal rarely changes again: not re-fetched when listed the same
NOT_HELD = ("cancelled", "postponed")  # meetings that did not take place: no attendance, minutes or decisions


@dataclass
class Options:
    url: str
    committee: str = "all"
    start: datetime.date = datetime.date(2000, 1, 1)
    end: datetime.date | None = None
    content: Path = Path("content")
    download_documents: bool = False
    overwrite: bool = False


@dataclass
class Summary:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file or meeting, why)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (url, what went wrong)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (url, the part not read)
    seconds: float = 0.0
    meetings_fetched: int = 0


class Abort(Exception):
    """Nothing can be imported (no content folder, the committee list unreadable)."""


class Importer:
    def __init__(self, options: Options, client: Client, progress=None):
        self.options = options
        self.portal = options.url.rstrip("/")
        self.client = client
        self.content = Path(options.content)
        self.summary = Summary()
        self.state = ImportState.for_portal(self.content, self.portal)
        self.progress = progress or Progress(sys.stderr)
        self.paths_this_run: dict[str, str] = {}  # meeting file -> portal meeting id

    # -- fetching -------------------------------------------------------------

    def fetch(self, url: str, **validators) -> str | None:
        try:
            response = self.client.get(url, **validators)
        except FetchError as exc:
            self.summary.errors.append((exc.url, exc.reason))
            return None
        return None if response.not_modified else response.text()

    def shown(self, path: Path) -> str:
        return f"{self.content.name}/{path.relative_to(self.content).as_posix()}"

    # -- the run --------------------------------------------------------------

    def run(self) -> Summary:
        started = time.perf_counter()
        if not (self.content / "site.yml").is_file():
            raise Abort(f"{self.content}/site.yml is missing: start the archive with `python build.py init` "
                        f"(or give --content the archive's folder)")
        text = self.fetch(webservice.committees_url(self.portal))
        if text is None:
            raise Abort(f"the portal's list of committees could not be read ({self.summary.errors[-1][1]})")
        try:
            committees = webservice.parse_committees(text)
        except webservice.LayoutError as exc:
            raise Abort(f"{webservice.committees_url(self.portal)}: "
                        f"the list of committees could not be read: {exc.part}") from None
        if self.options.committee != "all":
            committees = [c for c in committees if c.id == self.options.committee]
            if not committees:
                raise Abort(f"the portal has no committee {self.options.committee}")
        else:
            committees = [c for c in committees if not c.deleted]
        end = self.options.end or datetime.date.today() + datetime.timedelta(days=365)
        stubs: list[tuple[webservice.MeetingStub, str]] = []
        for committee in committees:
            url = webservice.meetings_url(self.portal, committee.id, self.options.start, end)
            text = self.fetch(url)
            if text is None:
                continue
            try:
                found, unread = webservice.parse_meetings(text, committee.id)
            except webservice.LayoutError as exc:
                self.summary.warnings.append((url, exc.part))
                continue
            self.summary.warnings.extend((url, part) for part in unread)
            found = [m for m in found if self.options.start <= m.date <= end]
            if found:
                slug = self.committee_slug(committee)
                stubs.extend((stub, slug) for stub in found)
        stubs.sort(key=lambda pair: (pair[0].date, pair[1], pair[0].id))
        self.progress.start(len(stubs))
        for stub, slug in stubs:
            fetched_before = self.summary.meetings_fetched
            outcome = self.meeting(stub, slug)
            self.progress.step(f"{stub.date.isoformat()} {slug}: {outcome}",
                               fetched=self.summary.meetings_fetched > fetched_before)
            self.state.save()  # after every meeting: an interrupted import resumes from here
        self.progress.finish()
        self.state.save()
        self.summary.seconds = time.perf_counter() - started
        return self.summary

    # -- committees -----------------------------------------------------------

    def existing_committees(self) -> dict[str, str]:
        """name (lower-case) -> slug of the committee files already in the archive."""
        if not hasattr(self, "_existing"):
            self._existing: dict[str, str] = {}
            folder = self.content / "committees"
            for path in sorted(folder.glob("*.yml")) if folder.is_dir() else ():
                try:
                    data = yamlio.parse(path.read_text(encoding="utf-8-sig"))
                except (OSError, UnicodeDecodeError, yamlio.YamlProblem):
                    continue
                if isinstance(data, dict) and isinstance(data.get("name"), str):
                    self._existing.setdefault(_name_key(data["name"]), path.stem)
        return self._existing

    def committee_slug(self, committee: webservice.CommitteeRef) -> str:
        known = self.state.committees.get(committee.id)
        if known and (self.content / "committees" / f"{known['slug']}.yml").is_file():
            return known["slug"]
        slug = self.existing_committees().get(_name_key(committee.title))
        if slug is None:
            base = committee_slug(committee.title) or f"committee-{committee.id}"
            taken = {c["slug"] for cid, c in self.state.committees.items() if cid != committee.id}
            slug, n = base, 2
            while slug in taken or (self.content / "committees" / f"{slug}.yml").is_file():
                slug, n = f"{base}-{n}", n + 1
            path = self.content / "committees" / f"{slug}.yml"
            atomic_write(path, ("\n".join(emit({"name": committee.title})) + "\n").encode("utf-8"))
            self.summary.created.append(self.shown(path))
            self.existing_committees()[_name_key(committee.title)] = slug
        self.state.committees[committee.id] = {"slug": slug, "title": committee.title}
        return slug

    # -- one meeting ------------------------------------------------------------

    def meeting(self, stub: webservice.MeetingStub, slug: str) -> str:
        path = self.content / "meetings" / str(stub.date.year) / f"{stub.date.isoformat()}-{slug}.md"
        shown = self.shown(path)
        meeting_page = f"{self.portal}/ieListDocuments.aspx?CId={stub.committee_id}&MId={stub.id}"
        other = self.paths_this_run.get(shown)
        if other and other != stub.id:
            self.summary.skipped.append(
                (
                    meeting_page,
                    f"a second meeting of the same committee on {stub.date.isoformat()} "
                    f"({shown} holds the first); the archive has one file per day",
                )
            )
            return "skipped (a second meeting that day)"
        self.paths_this_run[shown] = stub.id
        entry = self.state.meetings.get(stub.id)
        current = path.read_bytes() if path.is_file() else None
        # the import's own file, unedited: what it wrote, or was about to write when a run was interrupted
        ours = entry is not None and current is not None and entry.get("path") == shown \
            and file_hash(current) in (entry.get("written"), entry.get("pending"))
        same_options = entry is not None and entry.get("downloaded", False) == self.options.download_documents
        if entry and ours and entry.get("complete") and entry.get("stamp") == stub.stamp \
                and entry.get("status") in SETTLED and same_options:
            self.summary.unchanged.append(shown)
            return "unchanged"
        if current is not None and not ours and not self.options.overwrite:
            # a clerk's file (edited since the import, or never imported): say so without fetching anything
            why = "edited since the import" if entry and entry.get("path") == shown else "not written by the import"
            self.summary.skipped.append((shown, f"{why}; --overwrite replaces it"))
            return "skipped (" + why + ")"
        detail_url = webservice.meeting_url(self.portal, stub.id)
        validators = {}
        if entry and ours and entry.get("complete"):
            validators = {"etag": entry.get("etag"), "last_modified": entry.get("last_modified")}
        try:
            response = self.client.get(detail_url, **validators)
        except FetchError as exc:
            self.summary.errors.append((exc.url, exc.reason))
            return "not imported (see errors)"
        self.summary.meetings_fetched += 1
        if response.not_modified and entry is not None:  # asked with the entry's validators
            entry["stamp"] = stub.stamp
            self.summary.unchanged.append(shown)
            return "unchanged"
        xml = response.text()
        detail_hash = file_hash(xml.encode("utf-8"))
        if entry and ours and entry.get("complete") and entry.get("detail") == detail_hash and same_options:
            entry.update({k: v for k, v in (("stamp", stub.stamp), ("etag", response.etag),
                                            ("last_modified", response.last_modified)) if v is not None})
            self.summary.unchanged.append(shown)
            return "unchanged"
        try:
            detail = webservice.parse_meeting(xml, stub.id)
        except webservice.LayoutError as exc:
            self.summary.warnings.append((detail_url, exc.part))
            self.summary.errors.append((detail_url, "the meeting could not be read, so it was not imported"))
            return "not imported (see errors)"
        built = self.build(stub, slug, detail, path, meeting_page)
        if built is None:
            return "skipped (" + self.summary.skipped[-1][1] + ")"
        front, body, complete = built
        text = document(front, body).encode("utf-8")
        record = {"path": shown, "stamp": stub.stamp, "detail": detail_hash, "status": front["status"],
                  "complete": complete, "etag": response.etag, "last_modified": response.last_modified,
                  "downloaded": self.options.download_documents or None}
        if current == text:
            outcome = "unchanged"
            self.summary.unchanged.append(shown)
        else:
            # the state says what is about to be written before it is: interrupted in between, the next
            # run still knows the file as its own
            before = entry if entry and entry.get("path") == shown else {}
            self.state.meetings[stub.id] = {**before, "path": shown, "pending": file_hash(text)}
            self.state.save()
            atomic_write(path, text)
            outcome = "updated" if current is not None else "created"
            (self.summary.updated if current is not None else self.summary.created).append(shown)
        record["written"] = file_hash(text)
        self.state.meetings[stub.id] = {k: v for k, v in record.items() if v is not None}
        if entry and entry.get("path") and entry["path"] != shown:
            outcome = self.moved(entry, shown) or outcome
        return outcome

    def moved(self, entry: dict, shown: str) -> str | None:
        """The portal moved a meeting to another date (or committee): its old file goes, unless a clerk edited it."""
        old = self.content / entry["path"].split("/", 1)[1]
        if not old.is_file():
            return None
        if file_hash(old.read_bytes()) != entry.get("written") and not self.options.overwrite:
            self.summary.skipped.append((entry["path"], f"the portal moved this meeting to {shown}, but the file was "
                                                        "edited since the import: delete it yourself once you have "
                                                        "checked it"))
            return None
        old.unlink()
        self.summary.updated.append(f"{entry['path']} (moved to {shown}; the old address will redirect)")
        return f"moved from {entry['path']}"

    # Complexity allowed (C901): one meeting's fields in the order the file is written; split, the order would be lost
    def build(self, stub, slug, detail: webservice.MeetingDetail, path: Path, meeting_page: str):  # noqa: C901
        complete = True
        status_words = f"{stub.status} {detail.status}".lower()
        items = [i for i in detail.items if i.title]
        if "cancel" in status_words:
            status = "cancelled"
        elif re.search(r"postpone|rearrang|deferred|adjourn", status_words):
            status = "postponed"
        elif detail.minutes_published:
            status = "unconfirmed"
        else:
            status = "agenda"
        if status not in STATUSES:  # a status this archive's loader does not know: never a file check rejects
            self.summary.skipped.append((meeting_page, f"the meeting is `{status}` on the portal, which this archive "
                                                       "cannot show yet"))
            return None
        if not items and status not in NOT_HELD:  # a meeting that did not take place may have had no agenda
            self.summary.skipped.append((meeting_page, "the portal lists no agenda items for this meeting"))
            return None
        attendees: dict[str, Any] = {"chair": None, "members": [], "apologies": [], "in_attendance": []}
        attendance_url = None
        fetched: dict[str, str | None] = {}

        def meeting_html() -> str | None:  # the meeting's own page, fetched once and only when needed
            if "html" not in fetched:
                fetched["html"] = self.fetch(meeting_page)
            return fetched["html"]

        if detail.minutes_published and status == "unconfirmed":
            text = meeting_html()
            if text is None:
                complete = False
            else:
                approved, attendance_url = pages.parse_meeting_page(text, meeting_page)
                status = "approved" if approved else "unconfirmed"
        if attendance_url:
            url = attendance_url
            text = self.fetch(url)
            if text is None:
                complete = False
            else:
                found, unread = pages.parse_attendance_page(text)
                self.summary.warnings.extend((url, part) for part in unread)
                attendees.update(chair=found.chair, members=found.members, apologies=found.apologies,
                                 in_attendance=list(found.in_attendance))
        front_items: list[dict] = []
        sections: list[str] = []
        numbers: set[int] = set()
        for item in items:
            number = _number(item.number)
            if number is None or number in numbers:
                new = max(numbers | {0}) + 1
                self.summary.warnings.append((meeting_page, f"item `{item.number or '(no number)'}` "
                                              f"({item.title}) has no number of its own: imported as item {new}"))
                number = new
            numbers.add(number)
            record: dict = {"number": number, "title": item.title}
            item_url = f"{self.portal}/mgAi.aspx?ID={item.id}" if item.id else None
            page: pages.ItemPage | None = None
            if item_url and not item.restricted:
                html = self.fetch(item_url)
                if html is None:
                    complete = False
                else:
                    page = pages.parse_item_page(html, item_url)
                    self.summary.warnings.extend((item_url, part) for part in page.unread)
            if item_url and not item.restricted and (page is None or page.unread):
                # the item's page could not be read: the meeting's page shows most of it too
                html = meeting_html()
                row = (
                    pages.parse_meeting_items(html, meeting_page).get(item.number.strip().rstrip(".")) if html else None
                )
                if row is not None and not row.unread:
                    self.summary.warnings.append((item_url, f"item {number} was taken from the meeting's page, "
                                                            f"{meeting_page}, instead"))
                    page = row
            documents: list[dict] = []
            if page:
                if page.issue_id:
                    record["issue"] = self.issue_slug(page.issue_id)
                record["report_of"] = page.report_of
                record["summary"] = page.summary
                record["recommendations"] = [r for r in page.recommendations if r.strip()]
                record["contacts"] = [self.contact(c, item_url or meeting_page) for c in page.contacts]
                documents = [{"title": d.title, "url": d.url, "size": d.size} for d in page.documents]
                for person in page.in_attendance:
                    if person not in attendees["in_attendance"]:
                        attendees["in_attendance"].append(person)
                if page.minutes and status not in ("agenda",):
                    sections.append(f"## {number}. {item.title}\n\n{page.minutes}")
            known = {d["url"] for d in documents}
            documents += [{"title": d.title, "url": urllib.parse.urljoin(self.portal + "/", d.url) if d.url else None,
                           "size": None} for d in item.documents
                          if not d.url or urllib.parse.urljoin(self.portal + "/", d.url) not in known]
            if self.options.download_documents:
                documents = self.download(documents, path)
            record["documents"] = [{k: v for k, v in d.items() if v} for d in documents]
            record["decision"] = page.decision if page else None
            record["source"] = item_url
            front_items.append(record)
        front_items.sort(key=lambda r: r["number"])
        if status in ("unconfirmed", "approved") and not sections and any(i.id for i in items) and complete:
            self.summary.warnings.append((meeting_page, "the minutes: the portal says they are published, but no item "
                                                        "page has a `Minutes:` section"))
        front = {"committee": slug, "date": stub.date, "time": detail.time or stub.time, "venue": detail.location,
                 "status": status, "source": meeting_page,
                 "attendees": {k: v for k, v in attendees.items() if v} or None, "items": front_items or None}
        if status == "agenda" or status in NOT_HELD:
            # not (yet) held: the portal's attendance, minutes and decisions, if any,
            # belong to no meeting that took place
            front["attendees"] = None
            sections = []
            for record in front_items:
                record.pop("decision", None)
        return front, "\n\n".join(sections), complete

    def contact(self, contact: pages.Contact, url: str) -> dict:
        """A contact as the loader accepts it: an e-mail or telephone number it would reject is left out,
        with a warning."""
        record = {"name": contact.name, "role": contact.role, "email": contact.email, "phone": contact.phone}
        for key, pattern in (("email", EMAIL_RE), ("phone", PHONE_RE)):
            value = record[key]
            if value and not pattern.match(value):
                self.summary.warnings.append((url, f"the {key} of {contact.name} (`{value}` is not one)"))
                record[key] = None
        return record

    def issue_slug(self, issue_id: str) -> str | None:
        if issue_id in self.state.issues:
            return self.state.issues[issue_id]
        url = f"{self.portal}/mgIssueHistoryHome.aspx?IId={urllib.parse.quote(issue_id)}"
        html = self.fetch(url)
        if html is None:
            return None
        title, unread = pages.parse_issue_page(html)
        self.summary.warnings.extend((url, part) for part in unread)
        base = short_slug(title or "") or f"issue-{slugify(issue_id)[:40]}"
        slug = base if base not in self.state.issues.values() else f"{base}-{slugify(issue_id)}"
        self.state.issues[issue_id] = slug
        return slug

    def download(self, documents: list[dict], path: Path) -> list[dict]:
        """Each linked document saved in the meeting's folder, listed by `file` instead of `url`."""
        folder = path.parent / path.stem
        used = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
        mine = {v["url"]: k for k, v in self.state.documents.items()}
        result = []
        for doc in documents:
            url = doc.get("url")
            if not url:
                result.append(doc)
                continue
            rel = mine.get(url)
            if rel and (self.content / rel).is_file() and (self.content / rel).parent == folder:
                result.append({"title": doc["title"], "file": Path(rel).name, "size": doc.get("size")})
                continue
            try:
                response = self.client.get(url)
            except FetchError as exc:
                self.summary.errors.append((exc.url, exc.reason + "; the document is linked, not downloaded"))
                result.append(doc)
                continue
            name = _file_name(doc["title"], url, used, response.body)
            used.add(name)
            target = folder / name
            atomic_write(target, response.body)
            problem = safefiles.document_problem(target)
            if problem:  # not a kind of file the archive publishes (check would refuse it): linked instead
                target.unlink()
                self.summary.warnings.append((url, f"the document, kept as a link: {problem[0]}"))
                result.append(doc)
                continue
            rel = target.relative_to(self.content).as_posix()
            self.state.documents[rel] = {"url": url, "written": file_hash(response.body)}
            self.summary.created.append(self.shown(target))
            result.append({"title": doc["title"], "file": name, "size": doc.get("size")})
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()  # nothing kept in it
        return result


def _name_key(name: str) -> str:
    return " ".join(re.findall(r"\w+", name.lower().replace("&", " and ")))


def committee_slug(title: str) -> str:
    """"Children & Families Scrutiny Committee" -> children-families-scrutiny: "committee" says nothing in a URL."""
    slug = short_slug(title)
    trimmed = re.sub(r"-committee$", "", slug)
    return trimmed if trimmed and SLUG_RE.match(trimmed) else slug


def short_slug(text: str, most: int = 60) -> str:
    """slugify, cut at a hyphen to at most `most` characters: a slug is part of page addresses (and has a limit)."""
    slug = slugify(text)
    if len(slug) <= most:
        return slug
    return slug[:most + 1].rsplit("-", 1)[0] or slug[:most]


def _number(text: str) -> int | None:
    match = re.match(r"^\s*(\d{1,4})\s*\.?\s*$", text or "")
    return int(match.group(1)) if match else None


def _file_name(title: str, url: str, used: set[str], body: bytes) -> str:
    suffix = Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path)).suffix.lower()
    if b"%PDF-" in body[:1024] or suffix.lstrip(".") not in safefiles.DOCUMENT_TYPES:
        suffix = ".pdf"  # portals serve converted PDFs under other names (mgConvert2PDF.aspx)
    base = short_slug(title, 50) or "document"
    name, n = f"{base}{suffix}", 2
    while name in used or name in ("index.html", "meeting.json"):
        name, n = f"{base}-{n}{suffix}", n + 1
    return name


class Progress:
    """A line per meeting, and on a terminal a bar with an estimate of the time left."""

    def __init__(self, stream, clock=time.monotonic):
        self.stream = stream
        self.clock = clock
        self.total = 0
        self.done = 0
        self.fetched = 0
        self.fetching_time = 0.0
        self._last = None
        self.tty = hasattr(stream, "isatty") and stream.isatty()

    def start(self, total: int) -> None:
        self.total, self.done = total, 0
        self._last = self.clock()
        print(f"{total} meeting{'s' if total != 1 else ''} listed by the portal", file=self.stream)

    def step(self, line: str, fetched: bool) -> None:
        now = self.clock()
        if fetched:
            self.fetched += 1
            self.fetching_time += now - self._last
        self._last = now
        self.done += 1
        left = ""
        if self.fetched and self.done < self.total:
            seconds = self.fetching_time / self.fetched * (self.total - self.done)
            left = f", about {_duration(seconds)} left"
        if self.tty:
            width = 30
            filled = int(width * self.done / max(self.total, 1))
            print(f"\r\x1b[K{line}", file=self.stream)
            print(f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}{left}", end="", file=self.stream,
                  flush=True)
        else:
            print(f"[{self.done}/{self.total}] {line}{left}", file=self.stream)

    def finish(self) -> None:
        if self.tty:
            print(file=self.stream)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"
