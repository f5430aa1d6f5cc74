"""ModernGov's public web service, mgWebService.asmx: committees, a committee's meetings
between two dates, and one meeting with its agenda items and linked documents.

The answers are XML with lower-case element names (`committeeid`, `meetingdate`,
`agendaitemtitle`, `linkeddoc`...). Portals differ in which elements they fill, so every
field is optional here and the caller decides what is missing.
"""
from __future__ import annotations

import datetime
import re
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field


class LayoutError(Exception):
    """An answer that is not in the shape expected; `part` says what could not be read."""

    def __init__(self, part: str):
        super().__init__(part)
        self.part = part


@dataclass(frozen=True)
class CommitteeRef:
    id: str
    title: str
    deleted: bool = False


@dataclass(frozen=True)
class MeetingStub:
    id: str
    committee_id: str
    date: datetime.date
    time: str | None
    status: str  # as the portal writes it, e.g. "confirmed", "cancelled"
    stamp: str  # everything the listing says of the meeting: when it changes, the meeting is fetched again


@dataclass(frozen=True)
class LinkedDocument:
    title: str
    url: str | None


@dataclass(frozen=True)
class AgendaItem:
    id: str | None
    number: str  # as the portal writes it: "5", "5.", "5a"
    title: str
    restricted: bool = False
    documents: tuple[LinkedDocument, ...] = ()


@dataclass(frozen=True)
class MeetingDetail:
    id: str
    committee_id: str | None
    committee_title: str | None
    date: datetime.date | None
    time: str | None
    status: str
    location: str | None
    agenda_published: bool
    minutes_published: bool
    items: tuple[AgendaItem, ...] = ()
    documents: tuple[LinkedDocument, ...] = field(default=())


# -- addresses ------------------------------------------------------------------

def service_url(portal: str, operation: str, **params: str) -> str:
    query = urllib.parse.urlencode(params)
    return f"{portal}/mgWebService.asmx/{operation}" + (f"?{query}" if query else "")


def committees_url(portal: str) -> str:
    return service_url(portal, "GetCommittees")


def meetings_url(portal: str, committee_id: str, start: datetime.date, end: datetime.date) -> str:
    return service_url(portal, "GetMeetings", lCommitteeId=committee_id, sFromDate=start.strftime("%d/%m/%Y"),
                       sToDate=end.strftime("%d/%m/%Y"))


def meeting_url(portal: str, meeting_id: str) -> str:
    return service_url(portal, "GetMeeting", lMeetingId=meeting_id)


# -- reading answers ------------------------------------------------------------

def _root(text: str) -> ET.Element:
    # Python's expat refuses external entities and caps entity expansion: safe on a stranger's XML
    if isinstance(text, str):  # already decoded: an encoding declaration would now be wrong
        text = re.sub(r"^\ufeff?\s*<\?xml[^>]*\?>", "", text)
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise LayoutError(f"the answer is not XML ({exc})") from None
    for element in root.iter():
        if isinstance(element.tag, str):
            element.tag = element.tag.rsplit("}", 1)[-1].lower()
    return root


def _text(element: ET.Element | None, name: str) -> str | None:
    if element is None:
        return None
    child = element.find(name)
    if child is None or child.text is None:
        return None
    value = " ".join(child.text.split())
    return value or None


def _flag(element: ET.Element, name: str) -> bool:
    return (_text(element, name) or "").lower() in ("true", "1", "yes")


def parse_date(text: str | None) -> datetime.date | None:
    """dd/mm/yyyy as ModernGov writes it (a time after it is ignored); ISO dates too."""
    if not text:
        return None
    text = text.strip()
    match = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})", text)
    try:
        if match:
            return datetime.date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        match = re.match(r"^(\d{4})-(\d{2})-(\d{2})", text)
        if match:
            return datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    return None


def parse_time(text: str | None) -> str | None:
    """"18:00", "6.00 pm", "6pm", "10:30 am" as HH:MM (24-hour); None when unreadable."""
    if not text:
        return None
    match = re.match(r"^\s*(\d{1,2})(?:[:.](\d{2})(?::\d{2})?)?\s*([ap])?\.?\s*m?\.?\s*$", text.strip().lower())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if match.group(3) == "p" and hour < 12:
        hour += 12
    elif match.group(3) == "a" and hour == 12:
        hour = 0
    if not match.group(3) and match.group(2) is None:
        return None  # a bare number is not a time
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def parse_committees(text: str) -> list[CommitteeRef]:
    root = _root(text)
    committees = []
    for element in root.iter("committee"):
        committee_id, title = _text(element, "committeeid"), _text(element, "committeetitle")
        if committee_id and title:
            committees.append(CommitteeRef(committee_id, title, _flag(element, "committeedeleted")))
    if not committees and root.find(".//committee") is not None:
        raise LayoutError("committees without `committeeid` or `committeetitle`")
    return committees


def parse_meetings(text: str, committee_id: str) -> tuple[list[MeetingStub], list[str]]:
    """The meetings of a listing, and a note for each one that could not be read."""
    root = _root(text)
    meetings, unread = [], []
    for element in root.iter("meeting"):
        meeting_id = _text(element, "meetingid")
        date = parse_date(_text(element, "meetingdate"))
        if not meeting_id or not date:
            unread.append(
                f"a meeting without a readable `meetingid` or `meetingdate` ({_text(element, 'meetingdate')})"
            )
            continue
        stamp = ET.tostring(element, encoding="unicode")
        meetings.append(MeetingStub(meeting_id, _text(element, "committeeid") or committee_id, date,
                                    parse_time(_text(element, "meetingtime")), _text(element, "meetingstatus") or "",
                                    " ".join(stamp.split())))
    return meetings, unread


def _documents(element: ET.Element | None) -> tuple[LinkedDocument, ...]:
    if element is None:
        return ()
    documents = []
    for doc in element.findall("./linkeddocuments/linkeddoc"):
        title = _text(doc, "title")
        if title:
            documents.append(LinkedDocument(title, _text(doc, "url")))
    return tuple(documents)


def parse_meeting(text: str, meeting_id: str) -> MeetingDetail:
    root = _root(text)
    meeting = root if root.tag == "meeting" else root.find(".//meeting")
    if meeting is None:
        raise LayoutError("no `meeting` element")
    items = []
    for element in meeting.iter("agendaitem"):
        title = _text(element, "agendaitemtitle")
        number = _text(element, "agendaitemnumber") or _text(element, "minutesitemnumber") or ""
        if not title:
            continue
        items.append(AgendaItem(_text(element, "agendaitemid"), number, title, _flag(element, "isrestricted"),
                                _documents(element)))
    return MeetingDetail(
        id=_text(meeting, "meetingid") or meeting_id,
        committee_id=_text(meeting, "committeeid"),
        committee_title=_text(meeting, "committeetitle"),
        date=parse_date(_text(meeting, "meetingdate")),
        time=parse_time(_text(meeting, "meetingtime")),
        status=_text(meeting, "meetingstatus") or "",
        location=_text(meeting, "meetinglocation"),
        agenda_published=_flag(meeting, "agendapublished"),
        minutes_published=_flag(meeting, "isminutepublished") or _flag(meeting, "minutepublished")
        or _flag(meeting, "minutespublished"),
        items=tuple(items),
        documents=_documents(meeting),
    )
