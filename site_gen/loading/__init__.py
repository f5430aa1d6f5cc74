"""Stage 1: load and validate every file of the content folder.

Reads `site.yml`, committees, portfolios, indicators and meetings into the
dataclasses of `models.py`. Every problem goes to the `Report`; loading goes
on past errors so that one run lists them all. One module a content type:
files (reading safely), discovery (which files there are), references (what
loaders share), site, groups (committees, portfolios, issues), indicators,
meetings (front matter), sections (the minutes), documents.
"""
from __future__ import annotations

from pathlib import Path

from .. import safefiles
from ..cache import BuildCache, LoadedMeeting, content_hash, digest
from ..models import Archive, Meeting, Site
from ..problems import Report
from .discovery import Discovery
from .groups import GroupLoader
from .indicators import IndicatorLoader
from .meetings import MeetingLoader
from .site import SiteLoader


class ContentLoader(SiteLoader, GroupLoader, IndicatorLoader, MeetingLoader, Discovery):
    """The stage: each content type's loader, in the order references need them."""

    def load(self) -> Archive | None:
        if not self.root.is_dir():
            self.report.error(str(self.root), 1, "the content folder does not exist")
            return None
        self.report_unsafe_entries()
        site = self.load_site()
        archive = Archive(site=site or Site("", "", "", "en-GB"))
        for path in self.yaml_files("committees"):
            committee = self.load_committee(path)
            if committee:
                archive.committees[committee.slug] = committee
        for path in self.yaml_files("issues"):
            issue = self.load_issue(path)
            if issue:
                archive.issues[issue.slug] = issue
        for path in self.yaml_files("portfolios"):
            portfolio = self.load_portfolio(path)
            if portfolio:
                archive.portfolios[portfolio.slug] = portfolio
        for path in self.yaml_files("indicators"):
            indicator = self.load_indicator(path, archive)
            if indicator:
                archive.indicators[indicator.code] = indicator
        self.check_codes_unique(archive)
        archive.settings_key = digest(sorted(self.fingerprints.items()), self.shown_root)
        # what loading a meeting depends on besides its own file
        context = digest(str(self.root), self.shown_root, sorted(archive.committees), sorted(self.broken["committees"]),
                         sorted(archive.portfolios), sorted(self.broken["portfolios"]),
                         self.worktree and [sorted(p.name for p in (self.worktree / folder).glob("*.yml"))
                                            for folder in ("committees", "portfolios")])
        for path in self.meeting_files(archive):
            meeting = self.load_meeting_cached(path, archive, context)
            if meeting:
                archive.meetings.append(meeting)
        archive.meetings.sort(key=lambda m: (m.date, m.committee))
        return archive

    def load_meeting_cached(self, path: Path, archive: Archive, context: str) -> Meeting | None:
        """`load_meeting`, or what it gave last time for the same bytes, documents and context."""
        shown = self.shown(path)
        try:
            data = safefiles.read_limited(path, safefiles.MEETING_FILE_LIMIT, self.root)
            folder = path.parent / path.stem
            documents = self.document_listing(folder)
        except (OSError, safefiles.UnsafeFile):
            return self.load_meeting(path, archive)  # reports what cannot be read
        key = digest(content_hash(data), context, documents, self.worktree_documents(folder))
        entry = self.cache.previous.meetings.get(shown)
        if entry is None or entry.key != key:
            report, document_files = self.report, archive.document_files
            self.report, archive.document_files = Report(), {}
            try:
                meeting = self.load_meeting(path, archive, data)
            finally:
                entry = LoadedMeeting(key, None, self.report.problems, archive.document_files)
                self.report, archive.document_files = report, document_files
            entry.meeting = meeting
        self.report.problems.extend(entry.problems)
        archive.document_files.update(entry.documents)
        self.cache.current.meetings[shown] = entry
        archive.fingerprints[shown] = key
        return entry.meeting


def load_archive(content_dir, report: Report, cache: BuildCache | None = None,
                 worktree: tuple[Path, str] | None = None) -> Archive | None:
    """`worktree`: when `content_dir` is what is being committed, the working content folder and
    its path in the repository (e.g. "content/")."""
    loader = ContentLoader(content_dir, report, cache)
    if worktree is not None:
        loader.worktree, loader.worktree_prefix = worktree
    return loader.load()
