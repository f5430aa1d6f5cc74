"""A meeting's minutes split into the preamble and one section per item, by the level-2
headings that begin with an item number.
"""
from __future__ import annotations

import re

from .. import markdown
from ..models import Item, Text
from ..problems import Report

ITEM_HEADING_RE = re.compile(r"^([0-9]+)(?:[.:)]?\s+|\.?$)(.*)$")


class SectionSplitter:
    """Splits with the loader's report (a FileReader's)."""

    report: Report

    def report_lookalike_headings(self, shown: str, body: str, body_line: int, numbers: dict[int, Item]) -> None:
        for start, number, line in markdown.lookalike_headings(body):
            if number in numbers:
                shown_line = line if len(line) <= 60 else line[:60] + "…"
                self.report.warning(shown, body_line + start,
                                    f"`{shown_line}` looks like the heading of item {number} ({numbers[number].title}) "
                                    "but is not one: the text below it stays with the item above",
                                    f"write it as `## {number}. {numbers[number].title}` (two #, then a space)")

    def split_sections(self, shown: str, body: str, body_line: int, items: list[Item] | None):
        """Split the minutes into the preamble and one section per item number."""
        numbers = {item.number: item for item in items or ()}
        lines = body.split("\n")
        headings = []  # (index of the heading line, number, heading text)
        first_of: dict[int, int] = {}  # item number -> index of its heading line
        for start, end, content in markdown.level2_headings(body):
            match = ITEM_HEADING_RE.match(content.strip())
            line = body_line + start
            if not match:
                self.report.warning(shown, line,
                                    f"the heading `## {content.strip()}` does not start with an item number",
                                    "start item headings with their number (`## 5. Title`); "
                                    "use ### for headings inside an item")
                continue
            number = int(match.group(1))
            if items is not None and number not in numbers:
                self.report.error(shown, line,
                                  f"the heading `## {content.strip()}` is for item {number}, which is not in `items`",
                                  f"add item {number} to `items` in the front matter, or correct the number"
                                  + (f" (items: {', '.join(str(n) for n in sorted(numbers))})" if numbers else ""))
                continue
            if number in first_of:
                self.report.error(shown, line,
                                  f"item {number} has two sections (first at line {body_line + first_of[number]})")
                continue
            first_of[number] = start
            heading_title = match.group(2).strip()
            item = numbers.get(number)
            if item and heading_title and _plain(heading_title) != _plain(item.title):
                self.report.warning(shown, line, f"the heading of item {number} differs from its title `{item.title}`",
                                    "the page shows the title from the front matter")
            headings.append((start, number, end))
        self.report_lookalike_headings(shown, body, body_line, numbers)
        preamble = None
        minutes: dict[int, Text] = {}
        first_heading = headings[0][0] if headings else len(lines)
        preamble_lines = lines[:first_heading]
        if any(line.strip() for line in preamble_lines):
            blank = next(i for i, line in enumerate(preamble_lines) if line.strip())
            preamble = Text("\n".join(preamble_lines).strip() + "\n", body_line + blank)
        for index, (_, number, end) in enumerate(headings):
            stop = headings[index + 1][0] if index + 1 < len(headings) else len(lines)
            section_lines = lines[end:stop]
            leading = 0
            while leading < len(section_lines) and not section_lines[leading].strip():
                leading += 1
            section = "\n".join(section_lines[leading:]).rstrip()
            if section:
                minutes[number] = Text(section + "\n", body_line + end + leading)
        return preamble, minutes


def _plain(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))
