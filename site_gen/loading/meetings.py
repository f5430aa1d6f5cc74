"""meetings/<YYYY>/<YYYY-MM-DD>-<committee>.md: the front matter (the meeting, its attendees,
items and contacts) and the minutes below it.
"""
from __future__ import annotations

import re
from pathlib import Path

from .. import fields, safefiles
from ..fields import Fields
from ..models import NOT_HELD, STATUSES, Archive, Attendees, Contact, Item, Meeting, Source, Text
from ..yamlio import YamlMap
from .documents import DocumentLoader
from .sections import SectionSplitter

MEETING_NAME_RE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})-(.+)\.md$")
EMAIL_RE = re.compile(r"^[^@\s<>()\"',;:]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")
PHONE_RE = re.compile(r"^\+?[0-9 ()-]{6,}$")


class MeetingLoader(DocumentLoader, SectionSplitter):
    def load_meeting(self, path: Path, archive: Archive, data: bytes | None = None) -> Meeting | None:
        shown = self.shown(path)
        name_match = MEETING_NAME_RE.match(path.name)
        name_ok = True
        if not name_match:
            self.report.error(shown, 1, "a meeting file must be named YYYY-MM-DD-<committee>.md",
                              "for example 2020-12-09-children-families-scrutiny.md")
            name_ok = False
        text = self.read_text(path, data, limit=safefiles.MEETING_FILE_LIMIT)
        if text is None:
            return None
        front, body, body_line = self.split_front_matter(shown, text)
        if front is None:
            return None
        mapping = self.read_yaml(path, front, first_line=2)
        if mapping is None:
            return None
        f = Fields(self.report, shown, mapping, fields.MEETING)
        committee = self.known(f, "committee", archive.committees, "committees", required=True,
                               example="children-families-scrutiny")
        date = f.date("date", required=True)
        if name_match and date:
            name_date = "-".join(name_match.group(1, 2, 3))
            if date.isoformat() != name_date:
                self.report.error(shown, f.line("date"),
                                  f"the date {date.isoformat()} differs from the file name's {name_date}",
                                  "correct the date or rename the file")
                name_ok = False
            elif path.parent.name != name_match.group(1):
                self.report.error(shown, f.line("date"),
                                  f"a meeting of {date.year} is in the folder {path.parent.name}/",
                                  f"move it to content/meetings/{date.year}/")
                name_ok = False
        if name_match and committee and name_match.group(4) != committee:
            self.report.error(shown, f.line("committee"),
                              f"the committee `{committee}` differs from the file name's `{name_match.group(4)}`",
                              "correct the committee or rename the file")
            name_ok = False
        time = f.time("time")
        venue = f.text("venue")
        status = f.choice("status", STATUSES, default="unconfirmed")
        approved_on = f.date("approved_on")
        if approved_on and date and approved_on < date:
            self.report.error(shown, f.line("approved_on"),
                              f"approved_on {approved_on.isoformat()} is before the meeting itself "
                              f"({date.isoformat()})")
            approved_on = None
        if approved_on and status and status != "approved":
            self.report.warning(shown, f.line("approved_on"), f"approved_on is set but the status is `{status}`",
                                "set `status: approved` once the minutes are approved")
        attendees = self.load_attendees(f, shown)
        note = f.text("note")
        source_url = self.source_url(f, shown)
        # a meeting that did not take place may have had no agenda
        items = self.load_items(f, shown, archive, path) if f.has("items") or status not in NOT_HELD else []
        sections = self.split_sections(shown, body, body_line, items)
        self.check_not_yet_held(shown, f, status, attendees, items, sections[1])
        if not (committee and date and status and items is not None and name_ok):
            return None
        preamble, minutes = sections
        full_items = tuple(
            Item(**{**item.__dict__, "minutes": minutes.get(item.number)}) for item in sorted(items,
                                                                                              key=lambda i: i.number)
        )
        documents_dir = path.parent / path.stem
        return Meeting(committee=committee, date=date, items=full_items, source=Source(shown, 1), time=time,
                       venue=venue, status=status, approved_on=approved_on, attendees=attendees, preamble=preamble,
                       note=note, approved_on_line=f.line("approved_on"),
                       documents_dir=(documents_dir.relative_to(self.root).as_posix()
                                      if self.regular_folder(documents_dir) else None),
                       source_url=source_url)

    def check_not_yet_held(self, shown: str, f: Fields, status: str | None, attendees: Attendees,
                           items: list[Item] | None, minutes: dict[int, Text]) -> None:
        """An agenda is published before the meeting, and a cancelled or postponed meeting did not
        take place: neither has attendance, decisions or minutes. Rather than leave them out of the
        page unseen, they are errors: the status is probably out of date."""
        if status != "agenda" and status not in NOT_HELD:
            return
        what = "an agenda" if status == "agenda" else f"a {status} meeting"
        fix = ("once the minutes are ready to publish, change `status: agenda` to `status: unconfirmed`"
               if status == "agenda" else f"remove it, or correct `status: {status}`")
        if attendees:
            self.report.error(shown, f.line("attendees"), f"{what} has no attendance yet" if status == "agenda"
                              else f"{what} has no attendance", fix)
        for item in items or ():
            if item.decision:
                self.report.error(shown, item.decision.line,
                                  f"{what} has no decisions: item {item.number} has a `decision`", fix)
        for number, text in sorted(minutes.items()):
            self.report.error(shown, text.line, f"{what} has no minutes: item {number} has minutes under its heading",
                              fix)

    def split_front_matter(self, shown: str, text: str) -> tuple[str | None, str, int]:
        try:
            return front_matter(text)
        except FrontMatterProblem as exc:
            self.report.error(shown, exc.line, exc.message, exc.hint)
            return None, "", 1

    def load_attendees(self, f: Fields, shown: str) -> Attendees:
        data = f.mapping("attendees")
        if data is None:
            return Attendees()
        af = Fields(self.report, shown, data, fields.ATTENDEES)
        return Attendees(
            chair=af.text("chair"),
            members=tuple(t for t, _ in af.text_list("members")),
            apologies=tuple(t for t, _ in af.text_list("apologies")),
            in_attendance=tuple(t for t, _ in af.text_list("in_attendance")),
        )

    def load_items(self, f: Fields, shown: str, archive: Archive, path: Path) -> list[Item] | None:
        if not f.has("items"):
            f.items("items", required=True)
            return None
        items: list[Item] = []
        numbers: dict[int, int] = {}
        ok = True
        for entry, line in self.entries(f, "items", shown, required=True):
            item = self.load_item(entry, line, shown, archive, path)
            if item is None:
                ok = False
                continue
            if item.number in numbers:
                self.report.error(shown, item.line,
                                  f"item number {item.number} is used twice (first at line {numbers[item.number]})",
                                  "each item of a meeting needs its own number")
                ok = False
                continue
            numbers[item.number] = item.line
            items.append(item)
        if not items:
            ok = False  # an empty or unreadable list, reported by entries()
        return items if ok else None

    def load_item(self, entry: YamlMap, line: int, shown: str, archive: Archive, path: Path) -> Item | None:
        f = Fields(self.report, shown, entry, fields.ITEM)
        number = f.integer("number", required=True, example="5")
        if number is not None and number < 0:
            self.report.error(shown, f.line("number"), "an item number cannot be negative")
            number = None
        title = f.one_line("title", required=True, example="Portfolio Performance and Resources")
        issue = f.slug("issue")
        portfolio = self.known(f, "portfolio", archive.portfolios, "portfolios")
        recommendations = tuple(Text(text, line) for text, line in f.text_list("recommendations"))
        contacts = tuple(self.load_contacts(f, shown))
        documents = tuple(self.load_documents(f, shown, path))
        source_url = self.source_url(f, shown)
        if number is None or title is None:
            return None
        return Item(number=number, title=title, line=f.line("number") if "number" in entry else line, issue=issue,
                    report_of=f.text("report_of"), summary=self.markdown_text(f, "summary"),
                    recommendations=recommendations, contacts=contacts, documents=documents, portfolio=portfolio,
                    decision=self.markdown_text(f, "decision"), source_url=source_url)

    def load_contacts(self, f: Fields, shown: str):
        for entry, _ in self.entries(f, "contacts", shown):
            cf = Fields(self.report, shown, entry, fields.CONTACT)
            name = cf.text("name", required=True, example="Gaynor Ward")
            email = cf.text("email")
            if email and not EMAIL_RE.match(email):
                self.report.error(shown, cf.line("email"), f"`{email}` is not an e-mail address")
                email = None
            phone = cf.text("phone")
            if phone and not PHONE_RE.match(phone):
                self.report.error(shown, cf.line("phone"), f"`{phone}` is not a telephone number",
                                  "digits and spaces only, e.g. 0161 474 3186")
                phone = None
            if name:
                yield Contact(name=name, role=cf.text("role"), email=email, phone=phone)


class FrontMatterProblem(Exception):
    def __init__(self, message: str, hint: str, line: int = 1):
        super().__init__(message)
        self.message, self.hint, self.line = message, hint, line


def front_matter(text: str) -> tuple[str, str, int]:
    """Split a meeting file into its front matter, its minutes and the line the minutes start on."""
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        raise FrontMatterProblem("the file must start with a `---` line opening the front matter",
                                 "put `---` on the first line, the meeting's details, "
                                 "then `---` again before the minutes")
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            _refuse_closing_inside_block(lines, index)
            front = "\n".join(lines[1:index])
            if not front.strip():
                raise FrontMatterProblem("the front matter is empty",
                                         "it needs at least `committee`, `date` and `items`")
            return front, "\n".join(lines[index + 1:]), index + 2
    raise FrontMatterProblem("the front matter opened here is never closed",
                             "add a line with just `---` after the meeting's details, before the minutes")


# `key: |`, `- key: >-`, `- |`: a line that opens a block scalar; group 1 is its owner's column
_BLOCK_SCALAR_RE = re.compile(r"""^((?:[ ]*-[ ]+)*[ ]*)"""
                              r"""(?:(?:[^\s#'"][^#]*?|"[^"]*"|'[^']*'):[ ]+|-[ ]+)[|>][-+0-9]*[ ]*(?:#.*)?$""")


def _refuse_closing_inside_block(lines: list[str], index: int) -> None:
    """A `---` or `...` line that sits inside a block scalar (`decision: |`), with the text
    indented again below it, ends the front matter early and cuts the text silently: an error."""
    after = next((line for line in lines[index + 1:] if line.strip()), "")
    if after[:1] != " " or not any(line.rstrip() in ("---", "...") for line in lines[index + 1:]):
        return  # the usual case: the minutes start right after, and nothing closes later
    owner = None  # (column of the block's key, its line index, the key) while inside a block scalar
    for number in range(1, index):
        line = lines[number]
        indent = len(line) - len(line.lstrip(" "))
        if owner and line.strip() and indent <= owner[0]:
            owner = None
        if owner is None:
            match = _BLOCK_SCALAR_RE.match(line)
            if match:
                key = line.strip().lstrip("- ").split(":")[0].strip() if ":" in line else "a list entry"
                owner = (len(match.group(1)), number, key)
    if owner is not None and len(after) - len(after.lstrip(" ")) > owner[0]:
        raise FrontMatterProblem(
            f"this `{lines[index].strip()}` line is inside the text of `{owner[2]}` (line {owner[1] + 1}) "
            "and would end the front matter here, cutting that text",
            "indent it like the lines around it; only an unindented `---` ends the front matter",
            index + 1)
