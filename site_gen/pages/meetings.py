"""Each meeting: its page, its open data (meeting.json), its calendar event (kept for the
calendars) and its documents."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from markupsafe import Markup

from .. import pool, safefiles, urls
from ..cache import digest
from ..models import Committee, Meeting
from ..wording import long_date
from .base import STATUS_WORDS, Batch, Crumb, File, Output, Page, PageContext, dumps, home_crumb
from .site import Site, brief


@dataclass(kw_only=True)
class MeetingContext(PageContext):
    meeting: Meeting
    committee: Committee
    items: list
    preamble: Markup | None
    previous: Meeting | None
    next: Meeting | None
    approved_by: Meeting | None
    indicators: dict
    history: object


SEARCHED = True  # it makes pages the search indexes (urls.searchable)


def outputs(site: Site) -> Iterator[Output | Batch]:
    for meeting in site.linked.meetings:
        yield from documents(site, meeting)
    yield Batch(site.linked.meetings, lambda meeting: meeting_outputs(site, meeting),
                parallel=lambda jobs: len(jobs) >= pool.PARALLEL_THRESHOLD, prepare=site.calendars.event_bytes)


def documents(site: Site, meeting: Meeting) -> Iterator[File]:
    for item in meeting.items:
        for document in item.documents:
            if document.file:
                source = Path(site.archive.document_files[f"{meeting.documents_dir}/{document.file}"])
                stat = source.stat()  # a document is kept when its size and time are the same (as git does)
                yield File(urls.document(meeting, document.file), partial(read_document, source),
                           digest("document", str(source), stat.st_size, stat.st_mtime_ns))


def read_document(source: Path) -> bytes:
    with safefiles.open_regular(source) as file:  # never through a link swapped in since loading
        return file.read()


def meeting_outputs(site: Site, meeting: Meeting) -> list[Output]:
    """A meeting's page and open data, made from the same inputs; its calendar event is made
    with them (the batch's `prepare`) unless both are kept."""
    linked = site.linked
    inputs = site.meeting_inputs(meeting)
    # the pager and the history are not searched: the searchable text is the meeting's own
    search_inputs = partial(site.inputs, "meeting search", linked.fingerprints[meeting.slug],
                            brief(linked.approved_by.get(meeting.slug)))
    return [Page(urls.meeting(meeting), "meeting.html", lambda: meeting_context(site, meeting), inputs, search_inputs),
            File(urls.meeting_json(meeting), lambda: dumps(site.open_data.meeting(meeting)), inputs)]


def meeting_context(site: Site, meeting: Meeting) -> MeetingContext:
    linked = site.linked
    committee = site.archive.committees[meeting.committee]
    return MeetingContext(
        meeting=meeting,
        title=site.meeting_title(meeting) + (" (Draft)" if meeting.status == "draft" else ""),  # tab, search
        committee=committee, items=[(item, linked.items[(meeting.slug, item.number)]) for item in meeting.items],
        preamble=Markup(preamble) if (preamble := linked.items.preamble(meeting.slug)) is not None else None,
        previous=linked.previous.get(meeting.slug), next=linked.next.get(meeting.slug),
        approved_by=linked.approved_by.get(meeting.slug), indicators=site.archive.indicators,
        description=f"Minutes of the {committee.name} meeting of {long_date(meeting.date)}: "
                    + "; ".join(item.title for item in meeting.items)[:250],
        breadcrumbs=[home_crumb(), Crumb("Meetings", urls.meetings_index()),
                     Crumb(str(meeting.year), urls.year(meeting.year))],
        search_kind="Meeting", search_sort=meeting.date.isoformat(),
        search_meta={"date": meeting.date.isoformat(), "status": STATUS_WORDS.get(meeting.status, "")},
        search_filters={"committee": committee.name, "year": str(meeting.year)},
        structured_data=Markup(site.open_data.json_ld(meeting)),
        history=site.history_pages.meeting_view(meeting),
    )
