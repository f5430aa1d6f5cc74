"""Which files the content folder holds: the YAML files of a folder, the meeting files of
the year folders, a meeting's documents; entries that do not belong are reported.
"""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from .. import safefiles
from ..models import Archive
from .files import IGNORED_NAMES, FileReader


class Discovery(FileReader):
    def report_unsafe_entries(self) -> None:
        """Links, devices and FIFOs anywhere in the content folder are errors at the entry."""
        for path, message, hint in safefiles.unsafe_entries(self.root):
            self.unsafe.add(Path(path))
            self.report.error(self.shown(Path(path)), 1, message, hint)

    def yaml_files(self, folder: str) -> list[Path]:
        directory = self.root / folder
        if not self.regular_folder(directory):
            return []
        files = []
        for path in sorted(directory.iterdir()):
            if path.name in IGNORED_NAMES or path.name.startswith(".") or path in self.unsafe:
                continue
            if path.suffix == ".yml" and path.is_file():
                files.append(path)
            elif path.suffix == ".yaml":
                self.report.error(self.shown(path), 1, "content files end in `.yml`", f"rename it to {path.stem}.yml")
            else:
                self.report.error(self.shown(path), 1,
                                  f"unexpected {'folder' if path.is_dir() else 'file'} in {folder}/",
                                  "only `.yml` files belong here")
        return files

    def meeting_files(self, archive: Archive) -> list[Path]:
        """Every meeting file of the year folders, in order; the document folders seen beside them
        go into `document_folders` (most meetings have none, and need not be looked for)."""
        directory = self.root / "meetings"
        if not self.regular_folder(directory):
            return []
        files: list[Path] = []
        for year_dir in sorted(directory.iterdir()):
            if year_dir.name in IGNORED_NAMES or year_dir.name.startswith(".") or year_dir in self.unsafe:
                continue
            if not (year_dir.is_dir() and re.match(r"^[0-9]{4}$", year_dir.name)):
                self.report.error(self.shown(year_dir), 1, "meetings are kept in a folder per year",
                                  "move it to content/meetings/<YYYY>/")
                continue
            with os.scandir(year_dir) as listing:  # each entry's kind without a stat of its own
                entries = sorted(listing, key=lambda entry: entry.name)
            names = {entry.name for entry in entries}
            for entry in entries:
                if entry.name in IGNORED_NAMES or entry.name.startswith("."):
                    continue
                path = year_dir / entry.name
                if path in self.unsafe:
                    continue
                if entry.is_dir():
                    self.document_folders.add(path)
                    if entry.name + ".md" not in names:
                        self.report.error(self.shown(path), 1,
                                          f"document folder without a meeting file {entry.name}.md",
                                          "a meeting's documents go in a folder named like its .md file")
                    continue
                if not entry.name.endswith(".md"):
                    self.report.error(self.shown(path), 1, "unexpected file among the meetings",
                                      "a meeting file is named YYYY-MM-DD-<committee>.md; "
                                      "its PDFs go in a folder of the same name")
                    continue
                files.append(path)
        return files

    def document_listing(self, folder: Path) -> list | None:
        """What loading a meeting checks of its documents' folder: each entry's name, kind, size
        and time (by lstat: a document replaced by a link, or by other bytes of the same size,
        is a change, so its kind is checked again)."""
        if folder not in self.document_folders or not self.regular_folder(folder):
            return None
        listing = []
        for path in folder.iterdir():
            info = path.lstat()
            listing.append((path.name, stat.S_IFMT(info.st_mode), info.st_size, info.st_mtime_ns))
        return sorted(listing)

    def worktree_documents(self, folder: Path) -> list[str] | None:
        """The meeting's documents on the clerk's computer, when checking what is being committed
        (what is reported about a missing document depends on them)."""
        if self.worktree is None:
            return None
        on_disk = self.worktree / folder.relative_to(self.root)
        return sorted(p.name for p in on_disk.iterdir()) if on_disk.is_dir() else None
