"""The build, stage by stage: load, link, render, write (Zola/MkDocs style)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import search
from .history import read_history
from .content import load_archive
from .linking import Linked, link
from .problems import Report
from .render import TEMPLATES, TemplateProblem, render_site
from .writer import OutputConflict, Writer


@dataclass
class Result:
    report: Report
    linked: Linked | None = None
    written: bool = False
    failure: str | None = None  # a problem that is not the content's (Pagefind, the disk)
    notices: list[str] = field(default_factory=list)  # said once, neither errors nor warnings (no history)

    @property
    def ok(self) -> bool:
        return not self.report.errors and self.failure is None


def check(content_dir, include_drafts: bool = True) -> Result:
    report = Report()
    archive = load_archive(content_dir, report)
    result = Result(report)
    if archive is not None:
        result.linked = link(archive, report, include_drafts=include_drafts)
    return result


# Netlify reads a `_headers` file in the published folder. The headers of
# netlify.toml are the same for every deploy context, so deploy previews are
# built with `--noindex`, which adds this file: no search engine indexes them.
NOINDEX_HEADERS = ("# Written by `python build.py --noindex` (a deploy preview): not for search engines.\n"
                   "/*\n  X-Robots-Tag: noindex\n").encode("utf-8")


def build(content_dir, out_dir, include_drafts: bool = False, with_search: bool = True,
          templates: Path = TEMPLATES, noindex: bool = False) -> Result:
    report = Report()
    result = Result(report)
    archive = load_archive(content_dir, report)
    if archive is None or report.errors:
        return result
    linked = link(archive, report, include_drafts=include_drafts)
    result.linked = linked
    if report.errors:
        return result
    history = read_history(content_dir)  # from git; a build without it says so once
    if history.notice:
        result.notices.append(f"note: the pages show no history of the minutes: {history.notice}.")
    try:
        files = render_site(linked, templates, history)
    except TemplateProblem as exc:
        report.error(exc.path, exc.line, exc.message)
        return result
    except OutputConflict as exc:
        result.failure = str(exc)
        return result
    if noindex:
        files = {**files, "_headers": NOINDEX_HEADERS}
    writer = Writer()
    try:
        writer.add_all(files)
        writer.commit(out_dir, search.index_site if with_search else None)
    except (OutputConflict, search.SearchIndexError, OSError) as exc:
        result.failure = str(exc)
        return result
    result.written = True
    return result
