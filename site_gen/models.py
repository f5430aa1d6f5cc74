"""The archive as plain data. No I/O here: loading lives in `content.py`."""
from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field

STATUSES = ("agenda", "draft", "unconfirmed", "approved", "cancelled", "postponed")
# meetings that did not take place (on that date): no attendance, decisions or minutes
NOT_HELD = ("cancelled", "postponed")
POLARITIES = ("higher-is-better", "lower-is-better", "none")
RAGS = ("red", "amber", "green")


@dataclass(frozen=True)
class Source:
    """Where something was written: the path shown to clerks and a line."""

    path: str
    line: int = 1


@dataclass(frozen=True)
class Text:
    """A Markdown text and the line of the file it starts on."""

    markdown: str
    line: int


@dataclass(frozen=True)
class RagRule:
    """How RAG follows from actual and target (see site.yml `rag_rule`)."""

    amber_tolerance: float  # how far off target is still amber (see `tolerance_in`)
    line: int
    tolerance_in: str = "percent"  # "percent": of the target; "points": in the indicator's own unit


# UK public bodies publish open data under the Open Government Licence unless they say otherwise.
DEFAULT_LICENCE = "Open Government Licence v3.0"
DEFAULT_LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


@dataclass(frozen=True)
class Site:
    title: str
    organisation: str
    base_url: str  # without trailing slash
    language: str
    description: str | None = None
    licence: str | None = None
    licence_url: str | None = None
    licence_stated: bool = False  # False: site.yml does not name a licence, so the default applies
    rag_rule: RagRule | None = None
    source: Source = Source("content/site.yml")
    repository_url: str | None = None  # the forge's web address of the repository (GitHub/GitLab style)
    repository_branch: str = "main"  # the branch "Suggest a correction" edits
    short_name: str | None = None  # the organisation's name where space is short (a phone's header)
    ocd_division_id: str | None = None  # the area the council governs, as Open Civic Data names it (ocd.py)


@dataclass(frozen=True)
class Committee:
    slug: str
    name: str
    description: Text | None
    source: Source


@dataclass(frozen=True)
class Issue:
    """content/issues/<slug>.yml: what an issue that recurs across meetings is called."""
    slug: str
    name: str
    description: Text | None
    source: Source


@dataclass(frozen=True)
class Priority:
    number: int
    title: str


@dataclass(frozen=True)
class Portfolio:
    slug: str
    name: str
    priorities: tuple[Priority, ...]
    description: Text | None
    source: Source

    def priority(self, number: int | None) -> Priority | None:
        return next((p for p in self.priorities if p.number == number), None)


@dataclass(frozen=True)
class IndicatorValue:
    period: str
    actual: float | None
    target: float | None
    rag: str | None
    note: str | None
    line: int


@dataclass(frozen=True)
class Indicator:
    code: str
    title: str
    portfolio: str | None
    priority: int | None
    unit: str | None
    polarity: str
    aliases: tuple[str, ...]
    description: Text | None
    values: tuple[IndicatorValue, ...]
    source: Source
    alias_lines: tuple[int, ...] = ()


@dataclass(frozen=True)
class Contact:
    name: str
    role: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Document:
    title: str
    file: str | None = None
    url: str | None = None
    size: str | None = None


@dataclass(frozen=True)
class Attendees:
    chair: str | None = None
    members: tuple[str, ...] = ()
    apologies: tuple[str, ...] = ()
    in_attendance: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.chair or self.members or self.apologies or self.in_attendance)


@dataclass(frozen=True)
class Item:
    number: int
    title: str
    line: int
    issue: str | None = None
    report_of: str | None = None
    summary: Text | None = None
    recommendations: tuple[Text, ...] = ()
    contacts: tuple[Contact, ...] = ()
    documents: tuple[Document, ...] = ()
    portfolio: str | None = None
    decision: Text | None = None
    minutes: Text | None = None  # the body section under `## N`
    source_url: str | None = None  # `source:` where the item was imported from (the old portal's page)


@dataclass(frozen=True)
class Meeting:
    committee: str
    date: datetime.date
    items: tuple[Item, ...]  # in numeric order
    source: Source
    time: str | None = None  # "HH:MM", 24-hour, local time
    venue: str | None = None
    status: str = "unconfirmed"
    approved_on: datetime.date | None = None
    attendees: Attendees = Attendees()
    preamble: Text | None = None
    documents_dir: str | None = None  # content-relative folder of its PDFs
    note: str | None = None  # e.g. why a meeting was cancelled or postponed; shown on its page
    approved_on_line: int = 1  # where `approved_on` is written, for the check that it names a meeting
    source_url: str | None = None  # `source:` where the meeting was imported from (the old portal's page)

    @functools.cached_property  # asked for hundreds of thousands of times in a large build
    def slug(self) -> str:
        return f"{self.date.isoformat()}-{self.committee}"

    @property
    def year(self) -> int:
        return self.date.year

    def item(self, number: int) -> Item | None:
        return self._items_by_number.get(number)

    @functools.cached_property
    def _items_by_number(self) -> dict[int, Item]:
        return {item.number: item for item in self.items}


@dataclass
class Archive:
    site: Site
    committees: dict[str, Committee] = field(default_factory=dict)
    portfolios: dict[str, Portfolio] = field(default_factory=dict)
    indicators: dict[str, Indicator] = field(default_factory=dict)  # by code
    issues: dict[str, Issue] = field(default_factory=dict)  # the named ones (content/issues/), by slug
    meetings: list[Meeting] = field(default_factory=list)  # oldest first
    # each meeting document found by the loader: content-relative path -> file on disk
    document_files: dict[str, str] = field(default_factory=dict)  # rel path -> absolute path
    # content hashes, for the incremental build: of each meeting file with what loading it
    # depended on (by shown path), and of every other file together (site, committees, ...)
    fingerprints: dict[str, str] = field(default_factory=dict)
    settings_key: str = ""


# -- the history of the record, from git (history.py) -------------------------

CHANGE_KINDS = ("draft", "published", "amended", "approved", "amended-after-approval", "renamed", "withdrawn")


@dataclass(frozen=True)
class Change:
    """One commit of the published branch's first-parent history that changed a meeting's file
    (a merged pull request is its merge commit)."""

    commit: str  # the full commit id
    date: datetime.datetime  # the committer date (for a merge: when it was merged), with its UTC offset
    subject: str  # what the commit says, on one line (a merge: its pull request's title)
    path: str  # content-relative path of the file in that commit
    kind: str  # one of CHANGE_KINDS
    status: str  # the meeting's status in that version of the file
    # position in the log walked by git, 0 = newest: orders changes across files. Every new
    # commit shifts it, and no page shows it: out of the incremental build's inputs (changes.change_key)
    order: int
    moved_from: str | None = None  # the file's previous path, when this commit renamed it


@dataclass(frozen=True)
class MeetingHistory:
    """The commits that changed one meeting's file, newest first, following renames."""

    path: str  # content-relative path of the file now
    changes: tuple[Change, ...] = ()  # newest first, draft-stage changes included

    @property
    def published_changes(self) -> tuple[Change, ...]:
        """The changes to the public record: those made while the minutes were a draft are left out."""
        return tuple(c for c in self.changes if c.kind != "draft")

    @property
    def first_published(self) -> Change | None:
        return next((c for c in reversed(self.changes) if c.kind == "published"), None)

    @property
    def last_changed(self) -> Change | None:
        return self.published_changes[0] if self.published_changes else None

    @property
    def approved_in(self) -> Change | None:
        """The first commit in which the file's status was `approved`."""
        return next((c for c in reversed(self.changes) if c.status == "approved"), None)

    @property
    def amendments_after_approval(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.kind == "amended-after-approval")

    @property
    def withdrawal(self) -> Change | None:
        return self.changes[0] if self.changes and self.changes[0].kind == "withdrawn" else None


@dataclass(frozen=True)
class History:
    """What git says about the content folder; `available` is False outside a (full) git repository."""

    available: bool
    meetings: dict[str, MeetingHistory] = field(default_factory=dict)  # by content-relative path now
    prefix: str | None = None  # the content folder's path inside the repository, e.g. "content/"
    notice: str | None = None  # why there is no history (printed once by the build)
    # published meeting files deleted since, by their path when deleted; their newest change is the withdrawal
    withdrawn: dict[str, MeetingHistory] = field(default_factory=dict)
    # a published file's earlier path -> its path now (or when withdrawn)
    moved: dict[str, str] = field(default_factory=dict)
    latest: datetime.datetime | None = None  # the newest commit that changed the content folder
    skipped: tuple[str, ...] = ()  # commits that could not be read, each said why (the build notes them once)

    def of(self, path: str) -> MeetingHistory | None:
        return self.meetings.get(path) if self.available else None
