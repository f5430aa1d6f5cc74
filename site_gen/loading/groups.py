"""committees/, portfolios/ and issues/: what meetings and indicators refer to by slug.
"""
from __future__ import annotations

from pathlib import Path

from .. import fields
from ..fields import Fields
from ..models import Committee, Issue, Portfolio, Priority, Source
from .references import References


class GroupLoader(References):
    def open_group(self, path: Path, spec: fields.Spec) -> tuple[str, Fields] | None:
        """The slug its file name gives and the fields of its YAML; None when either is wrong (said)."""
        slug = self.slug_of_file(path)
        data = self.read_yaml(path)
        if data is None or slug is None:
            return None
        return slug, Fields(self.report, self.shown(path), data, spec)

    def load_committee(self, path: Path) -> Committee | None:
        self.broken["committees"].add(path.stem)  # until it loads
        opened = self.open_group(path, fields.COMMITTEE)
        if opened is None:
            return None
        slug, f = opened
        name = f.one_line("name", required=True, example="Children & Families Scrutiny Committee")
        description = self.markdown_text(f, "description")
        if not name:
            return None
        self.broken["committees"].discard(slug)
        return Committee(slug=slug, name=name, description=description, source=Source(self.shown(path), 1))

    def load_issue(self, path: Path) -> Issue | None:
        opened = self.open_group(path, fields.ISSUE)
        if opened is None:
            return None
        slug, f = opened
        name = f.text("name", required=True, example="Portfolio performance and resources")
        description = self.markdown_text(f, "description")
        if not name:
            return None
        return Issue(slug=slug, name=name, description=description, source=Source(self.shown(path), 1))

    def load_portfolio(self, path: Path) -> Portfolio | None:
        self.broken["portfolios"].add(path.stem)  # until it loads
        opened = self.open_group(path, fields.PORTFOLIO)
        if opened is None:
            return None
        slug, f = opened
        shown = self.shown(path)
        name = f.one_line("name", required=True, example="Children, Families and Education")
        priorities: list[Priority] = []
        seen: dict[int, int] = {}
        for entry, _ in self.entries(f, "priorities", shown):
            pf = Fields(self.report, shown, entry, fields.PRIORITY)
            number = pf.integer("number", required=True, example="1")
            title = pf.one_line("title", required=True, example="All children start school ready to learn")
            if number is not None and number in seen:
                self.report.error(shown, pf.line("number"),
                                  f"priority {number} is listed twice (first at line {seen[number]})")
                continue
            if number is not None and title:
                seen[number] = pf.line("number")
                priorities.append(Priority(number, title))
        if not name:
            return None
        self.broken["portfolios"].discard(slug)
        return Portfolio(slug=slug, name=name, priorities=tuple(sorted(priorities, key=lambda p: p.number)),
                         description=self.markdown_text(f, "description"), source=Source(shown, 1))
