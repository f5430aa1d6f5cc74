"""The portal's HTML pages, read into what the archive keeps.

- mgAi.aspx (an agenda item): the "to consider a report of" line, the summary, the
  recommendations, officer contacts, the minutes, the RESOLVED decision and the supporting
  documents with their sizes;
- mgIssueHistoryHome.aspx (an issue's meetings): the issue's name, to link its items;
- mgMeetingAttendance.aspx (who attended): chair, members, apologies, in attendance;
- ieListDocuments.aspx (a meeting): whether its minutes say they are approved or it was cancelled.

Each reader returns what it found and a list of the parts it could not read, so the
importer warns with the page's address and goes on.
"""
from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field

from .html_tree import Node, parse, squash
from .to_markdown import Block, blocks, escape, heading_text, to_markdown

SECTION_RE = re.compile(r"^(minutes|supporting documents|additional documents|background papers|decision|"
                        r"documents|officer contacts?|contact officers?|contacts?)\s*:?\s*(.*)$", re.IGNORECASE)
REPORT_OF_RE = re.compile(r"^to (?:consider|receive|note|submit) (?:a|the) (?:joint )?report(?:s)? (?:of|from|by) "
                          r"(?:the )?(.+?)\.?$", re.IGNORECASE)
RESOLVED_RE = re.compile(r"^RESOLVED\s*(?:\(\w+\))?\s*[–—:-]?\s*(.*)$", re.DOTALL)
ASKED_RE = re.compile(r"\b(?:is|are) (?:asked|recommended|requested|invited) to\b", re.IGNORECASE)
LIST_MARK_RE = re.compile(r"^\(?((?:[ivx]{1,5})|[a-h]|\d{1,2})[.)](?:\s+|$)", re.IGNORECASE)
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
PHONE_RE = re.compile(r"\+?\d[\d ]{6,}\d")
SIZE_RE = re.compile(r"\b(?:PDF|DOCX?|XLSX?|PPTX?|RTF|HTML?|ZIP)?\s*(\d+(?:\.\d+)?\s*(?:bytes|[KMG]B))\b",
                     re.IGNORECASE)
# the page's own navigation between the title and the text
NAVIGATION_RE = re.compile(r"^(?:Meeting: \d{1,2}/\d{1,2}/\d{4}\b|View the (?:background|decision)\b)", re.IGNORECASE)
CONNECTOR_RE = re.compile(r"(?:[\s,;:]+(?:on|or|and|email|e-mail|tel|tel\.|telephone|phone)?)+[\s,;:.]*$",
                          re.IGNORECASE)
ATTENDED_RE = re.compile(r"^The (.+?)(?: \((Councillors? [^)]+)\))? attended the meeting\b")


@dataclass
class PageDocument:
    title: str
    url: str | None
    size: str | None


@dataclass
class Contact:
    name: str
    role: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass
class ItemPage:
    title: str | None = None
    report_of: str | None = None
    summary: str | None = None  # Markdown
    recommendations: list[str] = field(default_factory=list)  # Markdown
    contacts: list[Contact] = field(default_factory=list)
    documents: list[PageDocument] = field(default_factory=list)
    minutes: str | None = None  # Markdown
    decision: str | None = None  # Markdown, without "RESOLVED –"
    in_attendance: list[str] = field(default_factory=list)
    issue_id: str | None = None
    unread: list[str] = field(default_factory=list)  # the parts of the page that could not be read


def content_of(root: Node) -> Node | None:
    """The part of a ModernGov page that holds the content (its own container, not the council's frame)."""
    return (root.find(id="modgov") or root.find(cls="mgContent") or root.find("main"))


def parse_item_page(html: str, url: str) -> ItemPage:
    content = content_of(parse(html))
    if content is None:
        page = ItemPage()
        page.unread.append("the item's content (no element with id `modgov` or class `mgContent`)")
        return page
    return _read_item(content, url)


def parse_meeting_items(html: str, url: str) -> dict[str, ItemPage]:
    """The items as the meeting's own page (ieListDocuments.aspx) shows them, by number ("4", "4a"):
    a table row each, the number in `mgItemNumberCell`, then the title (`mgAiTitleTxt`), the text
    (`mgWordPara`) and, once published, "Decision:" and "Minutes:". What an item page that could
    not be read is taken from."""
    content = content_of(parse(html))
    items: dict[str, ItemPage] = {}
    for row in (content.iter("tr") if content is not None else ()):
        cells = [c for c in row.children if isinstance(c, Node) and c.tag == "td"]
        if len(cells) < 2 or "mgItemNumberCell" not in cells[0].classes():
            continue
        number = squash(cells[0].text()).rstrip(".")
        if number and number not in items:
            items[number] = _read_item(cells[1], url)
    return items


def _read_item(content: Node, url: str) -> ItemPage:
    page = ItemPage()
    parts = blocks(content)
    # the page title ("Agenda item", "Issue - meetings") and the item's own title come first
    head = [b for b in parts if b.kind == "heading"]
    page.title = next((heading_text(b) for b in head if b.node is not None and "mgSubTitleTxt" in b.node.classes()),
                      None)
    for link in content.find_all("a"):
        href = link.attrs.get("href", "")
        if "mgissuehistoryhome.aspx" in href.lower():
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)
            page.issue_id = (query.get("IId") or query.get("iid") or [None])[0]
            break
    sections: dict[str, list[Block]] = {"agenda": []}
    current = "agenda"
    for block in parts:
        if block.node is not None and {"mgMainTitleTxt", "mgSubTitleTxt", "mgAiTitleTxt"} & block.node.classes():
            continue  # the page's and the item's titles
        if block.kind in ("para", "item") and NAVIGATION_RE.match(block.text):
            continue
        match = SECTION_RE.match(block.text) if block.kind in ("heading", "para") else None
        if match and (block.kind == "heading" or block.text.rstrip().endswith(":") or block.strong):
            name = match.group(1).lower()
            if name.startswith(("officer contact", "contact officer", "contact")):
                sections.setdefault("agenda", []).append(Block("contacts-start"))
                continue
            current = "documents" if "document" in name or "papers" in name else name
            sections.setdefault(current, [])
            rest = match.group(2).strip()
            if rest and current != "documents":
                sections[current].append(Block("para", rest))
            continue
        sections.setdefault(current, []).append(block)
    _agenda_text(page, sections.get("agenda", []))
    if "minutes" in sections or "decision" in sections:
        _minutes(page, sections.get("minutes", []) + sections.get("decision", []))
    decision = sections.get("decision", [])
    if decision and not page.decision:  # an executive decision's page: "Decision:" then the text, no RESOLVED
        page.decision = to_markdown(decision) or None
        page.minutes = to_markdown(sections.get("minutes", [])) or None
    page.documents = _documents(sections.get("documents", []), url)
    if not page.documents:  # the issue page links the report from the item's heading: "5 Title pdf icon PDF 207 KB"
        for block in parts:
            for link in block.links:
                doc = _document_link(link, block, url)
                if doc and doc.size:
                    page.documents.append(doc)
    if not any(sections.values()) or (not sections.get("agenda") and "minutes" not in sections):
        page.unread.append("the item's text (no paragraphs before `Minutes:`, and no minutes)")
    return page


def _agenda_text(page: ItemPage, parts: list[Block]) -> None:
    summary: list[Block] = []
    contacts: list[Block] = []
    in_contacts = False
    for block in parts:
        if block.kind == "contacts-start":
            in_contacts = True
            continue
        if block.kind == "para" and page.report_of is None and not summary:
            match = REPORT_OF_RE.match(" ".join(block.text.split()))
            if match:
                page.report_of = match.group(1).strip()
                continue
        if in_contacts or (block.kind == "para" and EMAIL_RE.search(block.text) and _looks_like_contact(block.text)):
            contacts.append(block)
            continue
        summary.append(block)
    recommendations: list[Block] = []
    rest: list[Block] = []
    for index, block in enumerate(summary):
        marked = block.kind == "item" or (block.kind == "para" and LIST_MARK_RE.match(block.text))
        # a marked line once the committee has been asked, or a paragraph that asks it (but not a lead-in ending in ":")
        follows = marked and (recommendations or any(ASKED_RE.search(b.text) for b in summary[:index]))
        asks = block.kind == "para" and ASKED_RE.search(block.text) and not block.text.rstrip().endswith(":")
        if follows or asks:
            recommendations.append(block)
        else:
            rest.append(block)
    page.recommendations = [escape(" ".join(LIST_MARK_RE.sub("", b.text, count=1).split())) for b in recommendations]
    page.summary = to_markdown(rest) or None
    page.contacts = _contacts(contacts)


def _looks_like_contact(text: str) -> bool:
    return bool(re.match(r"^[A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+)+,", text)) or text.count(" ") < 6


def _contacts(parts: list[Block]) -> list[Contact]:
    contacts: list[Contact] = []
    pending: str | None = None  # a "Name, Role" line waiting for its e-mail and telephone line
    for block in parts:
        for line in block.text.split("\n"):
            line = " ".join(line.split())
            if not line:
                continue
            email = EMAIL_RE.search(line)
            phone = PHONE_RE.search(line)
            if not email and not phone:
                if pending:
                    contacts.append(_named(pending))
                pending = line
                continue
            text = line
            for match in (email, phone):
                if match:
                    text = re.sub(r"\(?\s*" + re.escape(match.group(0)) + r"\s*\)?", " ", text)
            text = re.sub(r"\b(?:e-?mail|tel(?:ephone)?|phone)\s*:", " ", text, flags=re.IGNORECASE)
            text = CONNECTOR_RE.sub("", " ".join(text.split())).strip(" ,;:-")
            if re.search(r"[A-Za-z]{2}", text):  # "Name, Role, on 0161 … or email …": the line names its person
                named = _named(text)
                if pending:  # and the line before was someone else, without an e-mail or telephone
                    contacts.append(_named(pending))
            elif pending:  # "email (telephone)" under its "Name, Role" line
                named = _named(pending)
            else:
                continue
            pending = None
            named.email = email.group(0).rstrip(".") if email else None
            named.phone = " ".join(phone.group(0).split()) if phone else None
            contacts.append(named)
    if pending:
        contacts.append(_named(pending))
    return [c for c in contacts if c.name]


def _named(text: str) -> Contact:
    name, _, role = " ".join(text.split()).strip(" ,").partition(",")
    return Contact(name.strip(), role.strip(" ,") or None)


def _minutes(page: ItemPage, parts: list[Block]) -> None:
    kept: list[Block] = []
    decision: list[str] = []
    listed: list[Block] = []  # the numbered parts of a "RESOLVED – That:" decision
    taking = False
    for block in parts:
        match = RESOLVED_RE.match(block.text) if block.kind in ("para", "heading") else None
        if match:
            rest = " ".join(match.group(1).split())
            if rest:
                decision.append(escape(rest))
            taking = not rest or rest.endswith(":")
            continue
        if taking and (block.kind == "item" or (block.kind == "para" and LIST_MARK_RE.match(block.text))):
            listed.append(block)
            continue
        taking = False
        attended = ATTENDED_RE.match(" ".join(block.text.split())) if block.kind == "para" else None
        if attended:
            role, who = attended.group(1), attended.group(2)
            page.in_attendance.append(f"{who}, {role}" if who else role)
        kept.append(block)
    if listed:
        decision.append(to_markdown([Block("para", b.text) if b.kind == "para" else b for b in listed]))
    if decision:
        page.decision = "\n\n".join(decision)
    page.minutes = to_markdown(kept) or None


def _documents(parts: list[Block], base: str) -> list[PageDocument]:
    documents = []
    for block in parts:
        for link in block.links:
            doc = _document_link(link, block, base)
            if doc:
                documents.append(doc)
    return documents


def _document_link(link: Node, block: Block, base: str) -> PageDocument | None:
    href = link.attrs.get("href", "").strip()
    title = squash(link.text())
    title = re.sub(r"\s*(?:pdf|doc|word|excel) icon\s*", " ", title, flags=re.IGNORECASE).strip()
    if not title or not href or href.startswith(("#", "javascript:", "mailto:")):
        return None
    lowered = href.lower()
    if any(page in lowered for page in ("mgissuehistoryhome", "mgai.aspx", "ielistdocuments", "mgcommitteedetails")):
        return None
    size = SIZE_RE.search(squash(block.text).replace(title, "", 1))
    title = SIZE_RE.sub("", title).strip() or title
    return PageDocument(title, urllib.parse.urljoin(base, href), " ".join(size.group(1).split()) if size else None)


def parse_issue_page(html: str) -> tuple[str | None, list[str]]:
    """The issue's name, and the parts that could not be read."""
    content = content_of(parse(html))
    if content is None:
        return None, ["the issue's content (no element with id `modgov` or class `mgContent`)"]
    title = content.find(cls="mgSubTitleTxt")
    if title is None:
        headings = [h for h in content.iter() if h.tag in ("h1", "h2") and "mgMainTitleTxt" not in h.classes()]
        title = headings[0] if headings else None
    if title is None or not title.text():
        return None, ["the issue's name (no heading)"]
    return " ".join(title.text().split()), []


@dataclass
class Attendance:
    chair: str | None = None
    members: list[str] = field(default_factory=list)
    apologies: list[str] = field(default_factory=list)
    in_attendance: list[str] = field(default_factory=list)


def parse_attendance_page(html: str) -> tuple[Attendance, list[str]]:
    """The attendance table: columns Attendee, Role and Attendance (Present, Apologies, In attendance...)."""
    attendance = Attendance()
    content = content_of(parse(html))
    table = None
    for candidate in (content.iter("table") if content is not None else ()):
        first = next(candidate.iter("tr"), None)
        if first is not None and "attend" in first.text().lower():
            table = candidate
            break
    if table is None:
        return attendance, ["the attendance table (a table whose first row names `Attendee` and `Attendance`)"]
    rows = list(table.iter("tr"))
    header = [squash(c.text()).lower() for c in rows[0].children if isinstance(c, Node) and c.tag in ("td", "th")]
    try:
        who_at = next(i for i, h in enumerate(header) if h.startswith("attendee") or h == "name")
        how_at = next(i for i, h in enumerate(header) if h.startswith("attendance"))
    except StopIteration:
        return attendance, [f"the attendance table's columns ({', '.join(header)})"]
    role_at = next((i for i, h in enumerate(header) if h.startswith("role")), None)
    for row in rows[1:]:
        cells = [squash(c.text()) for c in row.children if isinstance(c, Node) and c.tag in ("td", "th")]
        if len(cells) <= max(who_at, how_at):
            continue
        who, how = cells[who_at], cells[how_at].lower()
        role = cells[role_at].lower() if role_at is not None and role_at < len(cells) else ""
        if not who:
            continue
        if "apolog" in how:
            attendance.apologies.append(who)
        elif how.startswith("present") and "chair" in role and "vice" not in role and attendance.chair is None:
            attendance.chair = who
        elif how.startswith("present") and ("member" in role or "chair" in role or "substitute" in how):
            attendance.members.append(who)
        elif how.startswith(("present", "in attendance", "attended")):
            attendance.in_attendance.append(who)
    return attendance, []


def parse_meeting_page(html: str, base: str) -> tuple[bool, str | None]:
    """From a meeting's page: whether it says its minutes are approved, and its attendance page if it links one."""
    content = content_of(parse(html))
    attendance = None
    for link in (content.find_all("a") if content is not None else ()):
        href = link.attrs.get("href", "")
        if "mgmeetingattendance.aspx" in href.lower():
            attendance = urllib.parse.urljoin(base, href)
            break
    return minutes_approved(content), attendance


def minutes_approved(content: Node | None) -> bool:
    """Whether the page says the minutes are approved (not "draft", "unconfirmed", "to be approved")."""
    text = squash(content.text() if content is not None else "").lower()
    if re.search(r"\b(draft|unconfirmed|unapproved|not yet (?:been )?approved|to be approved|awaiting approval)\b"
                 r"[^.]{0,40}\bminutes\b|\bminutes\b[^.]{0,40}\b(draft|unconfirmed|unapproved|not yet|to be approved|"
                 r"awaiting approval)\b", text):
        return False
    return bool(re.search(r"\b(approved|confirmed|signed) minutes\b|\bminutes\b[^.]{0,40}\b(were|have been|are) "
                          r"(approved|confirmed|signed)\b", text))
