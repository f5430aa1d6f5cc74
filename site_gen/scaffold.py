"""`python build.py new --committee SLUG --date YYYY-MM-DD`: start a meeting file.

Writes `content/meetings/<YYYY>/<date>-<committee>.md` with `status: draft`,
a note above every field saying what it is for, and TODO where the clerk must
write something before `check` passes. It never overwrites a file.

Standing items: the committee's previous meeting (the latest one before this
date) is read, and its items whose titles are the usual standing business of a
committee (see STANDING) are copied with their numbers and titles; "Minutes"
gets the usual approval wording. The business items are not copied: one empty
item, numbered after the opening standing items, takes their place. Time, venue,
chair and members are copied from the previous meeting too, marked CHECK.

Exit status: 0 written, 1 the file exists already, 2 wrong usage (an unknown
committee, a date that is not YYYY-MM-DD, no content folder).
"""
from __future__ import annotations

import datetime
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import yamlio
from .content import FrontMatterProblem, front_matter
from .fields import SLUG_RE
from .problems import did_you_mean
from .wording import long_date

# Titles of the items that most committees have at every meeting. Matched
# case-insensitively anywhere in the title.
STANDING = [
    re.compile(pattern, re.IGNORECASE) for pattern in (
        r"\bapolog",                                    # Apologies (for absence)
        r"\bdeclarations? of (?:\w+ )?interests?\b",      # Declarations of Interest
        r"^\s*minutes\s*$",                             # Minutes
        r"\bminutes of the (?:previous|last) meeting\b",
        r"\bconfirmation of (?:the )?minutes\b",
        r"\bchair\w*(?:'s|’s|s)? (?:announcements|communications|update)",
        r"\bpublic question",                           # Public Question Time
        r"\bquestions? from (?:members of )?the public\b",
        r"\burgent business\b",
        r"\bany other business\b",
        r"\bcall[- ]in\b",                              # Call-in
        r"\bwork programme\b",                          # (Scrutiny) Work Programme
        r"\bforward plan\b",
        r"\bagenda planning\b",
        r"\bdate of (?:the )?next meeting\b",
    )
]
MINUTES = re.compile(r"^\s*minutes\b|\bminutes of the (?:previous|last) meeting\b|\bconfirmation of (?:the )?minutes\b",
                     re.IGNORECASE)
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MEETING_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})-([a-z0-9-]+)\.md$")


class UsageError(Exception):
    pass


@dataclass
class Previous:
    path: Path
    date: datetime.date
    status: str | None = None
    time: str | None = None
    venue: str | None = None
    chair: str | None = None
    members: list[str] = field(default_factory=list)
    standing: list[tuple[int, str]] = field(default_factory=list)  # (number, title), in agenda order
    first_business: int | None = None  # the number of its first item that is not standing
    note: str | None = None  # why it could not be read, if it could not


def is_standing(title: str) -> bool:
    return any(pattern.search(title) for pattern in STANDING)




def quote(text: str) -> str:
    """A YAML double-quoted string (JSON's escapes are YAML's too)."""
    return json.dumps(text, ensure_ascii=False)


# -- reading what is there ----------------------------------------------------

FIRST_YEAR, LAST_YEAR = 1900, 2999  # the meetings `new` starts (the archive's folders have four digits)


def parse_date(text: str) -> datetime.date:
    if not DATE_RE.match(text.strip()):
        raise UsageError(f"--date must be written YYYY-MM-DD, for example 2024-03-14; `{text}` is not")
    try:
        date = datetime.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise UsageError(f"--date {text} is not a real date ({exc})") from None
    if not FIRST_YEAR <= date.year <= LAST_YEAR:
        # meetings are kept in a folder per four-digit year: year 1 would make meetings/1/
        raise UsageError(f"--date {text} is not a date of a meeting: the year must be between "
                         f"{FIRST_YEAR} and {LAST_YEAR}")
    return date


def committees(content: Path) -> dict[str, str]:
    """slug -> the committee's name (or its slug when the file cannot be read)."""
    result = {}
    folder = content / "committees"
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else ():
        name = path.stem
        try:
            data = yamlio.parse(path.read_text(encoding="utf-8-sig"))
            if isinstance(data, dict) and isinstance(data.get("name"), str) and data["name"].strip():
                name = data["name"].strip()
        except (OSError, UnicodeDecodeError, yamlio.YamlProblem):
            pass
        result[path.stem] = name
    return result


def portfolios(content: Path) -> list[str]:
    folder = content / "portfolios"
    return sorted(p.stem for p in folder.glob("*.yml")) if folder.is_dir() else []


def check_committee(slug: str, known: dict[str, str], content: Path) -> None:
    if slug in known:
        return
    if not known:
        raise UsageError(f"there are no committees in {content}/committees/: add the committee's file there first")
    listed = "\n".join(f"  {s}  ({name})" for s, name in sorted(known.items()))
    close = did_you_mean(slug, known) if SLUG_RE.match(slug) or slug else None
    message = f"unknown committee `{slug}`"
    if close and close.startswith("did you mean"):
        message += f": {close}"
    raise UsageError(f"{message}\nThe committees are (use the first word of a line):\n{listed}")


def find_previous(content: Path, slug: str, date: datetime.date) -> tuple[datetime.date, Path] | None:
    """The committee's latest meeting before `date`: its date and file."""
    best: tuple[datetime.date, Path] | None = None
    folder = content / "meetings"
    for path in folder.glob("*/*.md") if folder.is_dir() else ():
        match = MEETING_RE.match(path.name)
        if not match or match.group(2) != slug:
            continue
        try:
            when = datetime.date.fromisoformat(match.group(1))
        except ValueError:
            continue
        if when < date and (best is None or when > best[0]):
            best = (when, path)
    return best


def read_previous(date: datetime.date, path: Path) -> Previous:
    previous = Previous(path, date)
    try:
        front, _, _ = front_matter(path.read_text(encoding="utf-8-sig").replace("\r\n", "\n"))
        data = yamlio.parse(front, 2)
    except (OSError, UnicodeDecodeError, FrontMatterProblem, yamlio.YamlProblem) as exc:
        previous.note = str(getattr(exc, "message", exc))
        return previous
    if not isinstance(data, dict):
        previous.note = "its front matter is not a block of keys"
        return previous

    def text(mapping, key) -> str | None:
        value = mapping.get(key) if isinstance(mapping, dict) else None
        if isinstance(value, str) and value.strip():
            return value.strip()
        raw = getattr(mapping, "raw", {}).get(key)
        return raw.strip() if value is not None and isinstance(raw, str) and raw.strip() else None

    previous.status = text(data, "status")
    previous.time = text(data, "time")
    previous.venue = text(data, "venue")
    attendees = data.get("attendees")
    if isinstance(attendees, dict):
        previous.chair = text(attendees, "chair")
        members = attendees.get("members")
        if isinstance(members, list):
            previous.members = [m.strip() for m in members if isinstance(m, str) and m.strip()]
    items = data.get("items")
    entries = []
    for entry in items if isinstance(items, list) else ():
        number = entry.get("number") if isinstance(entry, dict) else None
        if isinstance(number, int) and not isinstance(number, bool):
            title = text(entry, "title")
            if title:
                entries.append((entry["number"], title))
    for number, title in sorted(entries):
        if is_standing(title):
            previous.standing.append((number, title))
        elif previous.first_business is None:
            previous.first_business = number
    return previous


# -- writing the file ---------------------------------------------------------

@dataclass
class Plan:
    opening: list[tuple[int, str]]  # standing items before the business
    business: int                   # the number of the empty item
    closing: list[tuple[int, str]]  # standing items after the business


def plan_items(previous: Previous | None) -> Plan:
    if previous is None or not previous.standing:
        return Plan([], 1, [])
    cut = previous.first_business
    opening = [(n, t) for n, t in previous.standing if cut is None or n < cut]
    closing_titles = [t for n, t in previous.standing if cut is not None and n > cut]
    business = (opening[-1][0] + 1) if opening else 1
    closing = [(business + i + 1, t) for i, t in enumerate(closing_titles)]
    return Plan(opening, business, closing)


def render(slug: str, name: str, date: datetime.date, previous: Previous | None, known_portfolios: list[str],
           agenda: bool = False) -> str:
    """The new meeting's file. `agenda`: the meeting has not taken place yet (a date after today), so
    the file starts as its agenda: no attendance is copied and no decision is filled in."""
    plan = plan_items(previous)
    since = f"the meeting of {long_date(previous.date)}" if previous else None
    out: list[str] = []
    add = out.append
    add("---")
    add(f"# A meeting of the {name}.")
    add("# Started with `python build.py new`. Lines beginning with # are notes for you:")
    add("# the site never shows them, and you may delete them.")
    add("#   1. Fill in every line marked TODO (search the file for TODO).")
    add("#   2. Run `python build.py check` and fix anything it reports.")
    add("#   3. Preview the page with `python build.py serve`.")
    if agenda:
        add("#   4. This is the agenda (the meeting has not taken place yet): it is published when you")
        add("#      commit it. After the meeting, add who attended, the decisions and the minutes, and")
        add("#      change `status: agenda` to `status: unconfirmed` when they are ready to publish")
        add("#      (see docs/clerks-guide.md, section 5).")
        add("# Anything written below the closing `---` line is shown at the top of the page.")
    else:
        add("#   4. To publish, change `status: draft` to `status: unconfirmed`, and commit.")
        add("# The minutes go below the closing `---` line: each item's under a heading `## NUMBER.`;")
        add("# anything written before the first heading is shown at the top of the page.")
    add("# Every field is explained in docs/clerks-guide.md.")
    add("")
    add("# The committee: the name of its file in content/committees/. Leave it as it is.")
    add(f"committee: {slug}")
    add("")
    add("# The date of the meeting, YYYY-MM-DD. It must be the date in the file's name.")
    add(f"date: {date.isoformat()}")
    add("")
    for key, note in (("time", '# The start time, 24-hour clock, in quotes, e.g. "18:00". '
                               "Leave it empty if not known."),
                      ("venue", "# Where the meeting was held, e.g. Committee Room 2, Town Hall. "
                                "Leave it empty if not known.")):
        add(note)
        copied = getattr(previous, key) if previous else None
        if copied:
            add(f"# CHECK: copied from {since}.")
            add(f"{key}: {quote(copied)}")
        else:
            add(f"{key}:")
        add("")
    add("# agenda: published before the meeting; the page says the minutes will follow.")
    add("# draft: not published. You see it with `python build.py serve`, marked Draft.")
    add("# unconfirmed: published, with a note that the minutes await the committee's approval.")
    add("# approved: approved as a correct record (then fill in approved_on too).")
    add("# cancelled or postponed: the meeting did not take place; say why in `note:`.")
    add(f"status: {'agenda' if agenda else 'draft'}")
    add("")
    add("# A sentence shown at the top of the page, e.g. why the meeting was cancelled or postponed.")
    add("note:")
    add("")
    if agenda:
        add("# The items below are the agenda. After the meeting: who attended goes under `attendees:`")
        add("# and each item's decision under `decision:` (see docs/clerks-guide.md).")
        add("")
        items(add, plan, previous, since, date, slug, known_portfolios, agenda)
        add("---")
        return "\n".join(out).rstrip("\n") + "\n"
    add("# Once these minutes are approved: the date of the meeting that approved them, YYYY-MM-DD.")
    add("approved_on:")
    add("")
    add("# Who was there. Each list below has one name per line, under its key, indented by")
    add("# 4 spaces and starting with `- `, like this:    - Councillor Jane Smith")
    add("attendees:")
    add("  # Who chaired the meeting, e.g. Councillor Jane Smith (Chair).")
    if previous and previous.chair:
        add(f"  # CHECK: copied from {since}.")
        add(f"  chair: {quote(previous.chair)}")
    else:
        add("  chair:")
    add("  # The committee members present, one per line.")
    if previous and previous.members:
        add(f"  # CHECK: copied from {since}: remove anyone who was absent.")
        add("  members:")
        for member in previous.members:
            add(f"    - {quote(member)}")
    else:
        add("  members:")
    add("  # Members who sent apologies for absence, one per line.")
    add("  apologies:")
    add("  # Others who attended, e.g. a Cabinet Member or officers answering questions, one per line.")
    add("  in_attendance:")
    add("")
    items(add, plan, previous, since, date, slug, known_portfolios, agenda)
    add("---")
    add("")
    for number, title in plan.opening:
        add(f"## {number}. {title}")
        add("")
    add(f"## {plan.business}.")
    add("")
    add(f"TODO: the minutes of item {plan.business}: paragraphs, `### ` sub-headings and `- ` bullet lists.")
    add("")
    for number, title in plan.closing:
        add(f"## {number}. {title}")
        add("")
    return "\n".join(out).rstrip("\n") + "\n"


def items(add, plan: Plan, previous: Previous | None, since: str | None, date: datetime.date, slug: str,
          known_portfolios: list[str], agenda: bool) -> None:
    add("# Only in meetings brought in by `python build.py import`: the web address of the meeting's")
    add("# page on the council's previous system.")
    add("# source:")
    add("")
    add("# The agenda items, in agenda order. Each needs a `number` (unique in this meeting)")
    add("# and a `title`; every other key is optional: leave it empty or delete it.")
    add("items:")
    if plan.opening or plan.closing:
        add(f"  # The standing items below are copied from {since}: check them against the agenda.")
    for number, title in plan.opening:
        standing_item(add, number, title, None if agenda else previous)
    if plan.opening:
        add("")
    add("  # The item's number on the agenda; its minutes below go under a heading `## NUMBER.`")
    add(f"  - number: {plan.business}")
    add("    # The item's title, as on the agenda.")
    add("    title:  # TODO: the item's title, as on the agenda, in quotes")
    add("    # A short name for the matter, the same at every meeting that considers it:")
    add("    # lower case, words joined by hyphens, e.g. portfolio-performance-and-resources.")
    add("    issue:")
    add("    # Whose report it is, e.g. Director of Children's Services.")
    add("    report_of:")
    add("    # What the report is about (Markdown). For several paragraphs, write `summary: |`")
    add("    # and put the text on the lines below it, each indented by 6 spaces.")
    add("    summary:")
    add("    # What the committee was asked to do: one per line, each starting with `- `, e.g.")
    add('    #   - "The Committee is asked to note the report."')
    add("    recommendations:")
    add("    # Officers to contact about the report; e.g. (delete the # and the space after it):")
    add("    # contacts:")
    add('    #   - name: "Jane Smith"')
    add('    #     role: "Strategy and Performance Manager"')
    add('    #     email: "jane.smith@example.gov.uk"')
    add('    #     phone: "0161 474 0000"')
    add("    # The report's papers. Put the PDF in the folder")
    add(f"    # content/meetings/{date.year}/{date.isoformat()}-{slug}/ and name it here; "
        "or give a web address as `url:`.")
    add("    # documents:")
    add('    #   - title: "Report of the Director"')
    add("    #     file: report.pdf")
    add("    # The portfolio the report belongs to"
        + (f": one of {', '.join(known_portfolios)}." if known_portfolios else "."))
    add("    portfolio:")
    if not agenda:
        add("    # What the committee resolved, without \"RESOLVED –\", e.g. That the report be noted.")
        add("    decision:")
    add("    # Only in items brought in by `import`: the item's page on the council's previous system.")
    add("    # source:")
    for number, title in plan.closing:
        standing_item(add, number, title, None if agenda else previous)


def standing_item(add, number: int, title: str, previous: Previous | None) -> None:
    add("")
    add(f"  - number: {number}")
    add(f"    title: {quote(title)}")
    if previous and MINUTES.search(title):
        wording = f"That the minutes of the meeting held on {long_date(previous.date)} be approved as a correct record."
        add("    # CHECK: the usual wording; change it if the committee resolved otherwise.")
        add(f"    decision: {quote(wording)}")


# -- the command --------------------------------------------------------------

def run(args) -> int:
    try:
        return _run(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _run(args) -> int:
    content = Path(args.content)
    if not content.is_dir():
        raise UsageError(f"there is no content folder `{args.content}`: run this from the repository's "
                         f"top folder, or give the folder with --content")
    slug = args.committee.strip()
    known = committees(content)
    problems = []
    for check in (lambda: parse_date(args.date), lambda: check_committee(slug, known, content)):
        try:
            check()
        except UsageError as exc:  # report both mistakes at once
            problems.append(str(exc))
    if problems:
        raise UsageError("\nerror: ".join(problems))
    date = parse_date(args.date)

    target = content / "meetings" / str(date.year) / f"{date.isoformat()}-{slug}.md"
    if target.exists():
        print(f"error: {target.as_posix()} already exists; `new` never overwrites a meeting file.\n"
              f"    Open that file to carry on with it, or check the --date and --committee you gave.",
              file=sys.stderr)
        return 1

    found = find_previous(content, slug, date)
    previous = read_previous(*found) if found else None
    agenda = date > datetime.date.today()  # a meeting still to come: its file starts as the agenda
    text = render(slug, known[slug], date, previous if previous and not previous.note else None, portfolios(content),
                  agenda)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(target, "x", encoding="utf-8", newline="\n") as handle:  # "x": never overwrite
            handle.write(text)
    except FileExistsError:
        print(f"error: {target.as_posix()} already exists; `new` never overwrites a meeting file.", file=sys.stderr)
        return 1

    print(target.as_posix())
    print(f"Started the agenda of the {known[slug]}'s meeting on {long_date(date)} (a date still to come)."
          if agenda else f"Started a draft meeting of the {known[slug]} on {long_date(date)}.")
    if previous and previous.note:
        print(f"The previous meeting ({previous.path.as_posix()}) could not be read ({previous.note}), "
              f"so no standing items were copied.")
    elif previous and previous.standing:
        titles = ", ".join(title for _, title in previous.standing)
        print(f"Copied the standing items of the meeting of {long_date(previous.date)}: {titles}.")
    elif previous:
        print(f"The meeting of {long_date(previous.date)} had no standing items to copy.")
    else:
        print("This is the committee's first meeting in the archive: there were no standing items to copy.")
    print("Next: fill in every TODO, then run `python build.py check` and preview with `python build.py serve`.")
    if previous and not previous.note and previous.status != "approved":
        print(f"When this meeting approves the minutes of {long_date(previous.date)}, set `status: approved` and "
              f"`approved_on: {date.isoformat()}` in {previous.path.as_posix()}.")
    return 0
