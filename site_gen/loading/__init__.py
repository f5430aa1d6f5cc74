"""Stage 1: load and validate every file of the content folder.

Reads `site.yml`, committees, portfolios, indicators and meetings into the
dataclasses of `models.py`. Every problem goes to the `Report`; loading goes
on past errors so that one run lists them all. One module a content type:
files (reading safely), discovery (which files there are), references (what
loaders share), site, groups (committees, portfolios, issues), indicators,
meetings (front matter), sections (the minutes), documents.
"""
from __future__ import annotations

import copy
import time
from pathlib import Path

from .. import pool, safefiles
from ..cache import BuildCache, LoadedMeeting, digest
from ..models import Archive, Site
from ..problems import Problem, Report
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
        self.load_indicators(archive, self.yaml_files("indicators"))
        self.check_codes_unique(archive)
        archive.settings_key = digest(sorted(self.fingerprints.items()), self.shown_root)
        # what loading a meeting depends on besides its own file
        context = digest(str(self.root), self.shown_root, sorted(archive.committees), sorted(self.broken["committees"]),
                         sorted(archive.portfolios), sorted(self.broken["portfolios"]),
                         self.worktree and [sorted(p.name for p in (self.worktree / folder).glob("*.yml"))
                                            for folder in ("committees", "portfolios")])
        self.load_meetings(archive, context)
        archive.meetings.sort(key=lambda m: (m.date, m.committee))
        return archive

    def load_meetings(self, archive: Archive, context: str) -> None:
        """Every meeting file: as the last build loaded it from the same bytes, documents and context
        (the cache's "meetings" stage), or loaded now, in the worker pool when there are many."""
        keyed: dict[str, tuple[Path, bytes | None]] = {}
        self.cache.current.files_seen_at = time.time_ns()  # before the first file is looked at
        previous = self.cache.previous.meetings
        for path in self.meeting_files(archive):
            shown = self.shown(path)
            folder = path.parent / path.stem
            try:
                # new or changed, or loaded in another context: read now
                _, key, data = self.keyed_read(path, shown, previous, (context, self.document_listing(folder),
                                                                      self.worktree_documents(folder)),
                                               safefiles.MEETING_FILE_LIMIT)
            except (OSError, safefiles.UnsafeFile):
                self.load_meeting(path, archive)  # reports what cannot be read
                continue
            keyed[key] = (path, data)
            archive.fingerprints[shown] = key

        def load_missing(missing: list[str]) -> dict[str, tuple[LoadedMeeting, list[Problem]]]:
            # a file not read above (data None) is one whose value the cache's index lists but that
            # could not be decoded: read here, reporting what cannot be read
            loaded = pool.map_ordered(lambda key: self.load_alone(*keyed[key], archive), missing)
            return dict(zip(missing, loaded, strict=True))

        for entry in self.cache.memo_many("meetings", list(keyed), load_missing, self.report).values():
            archive.document_files.update(entry.documents)
            if entry.meeting:
                archive.meetings.append(entry.meeting)

    def load_alone(self, path: Path, data: bytes | None, archive: Archive) -> tuple[LoadedMeeting, list[Problem]]:
        """One meeting file loaded with a report and documents of its own (in a worker, or not)."""
        loader = copy.copy(self)
        loader.report, loader.documents = Report(), {}
        meeting = loader.load_meeting(path, archive, data)
        return LoadedMeeting(meeting, loader.documents), loader.report.problems


def load_archive(content_dir, report: Report, cache: BuildCache | None = None,
                 worktree: tuple[Path, str] | None = None) -> Archive | None:
    """`worktree`: when `content_dir` is what is being committed, the working content folder and
    its path in the repository (e.g. "content/")."""
    loader = ContentLoader(content_dir, report, cache)
    if worktree is not None:
        loader.worktree, loader.worktree_prefix = worktree
    return loader.load()
