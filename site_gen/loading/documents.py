"""A meeting's documents: files in its folder (checked, named safely, sized) or web addresses.
"""
from __future__ import annotations

import difflib
import re
from pathlib import Path

from .. import fields, safefiles
from ..fields import Fields, slugify
from ..models import Document
from .references import References

DOCUMENT_FILE_RE = re.compile(r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$")
# a document keeps its name in the output
DOCUMENT_NAME_MAX = 100
# the meeting's own files, beside its documents in the same output folder
RESERVED_DOCUMENT_NAMES = {"index.html", "meeting.json"}


class DocumentLoader(References):
    def load_documents(self, f: Fields, shown: str, path: Path):
        folder = path.parent / path.stem
        for entry, _ in self.entries(f, "documents", shown):
            df = Fields(self.report, shown, entry, fields.DOCUMENT)
            title = df.text("title", required=True, example="Report of the Director")
            file = df.text("file")
            url = df.text("url")
            size = df.text("size")
            if file and url:
                self.report.error(shown, df.line("url"), "a document has either a `file` or a `url`, not both")
                url = None
            if file:
                if file in RESERVED_DOCUMENT_NAMES:
                    self.report.error(shown, df.line("file"),
                                      f"`{file}` is a name the site uses for the meeting's own page or data",
                                      "rename the document, e.g. report.pdf")
                    file = None
                elif len(file) > DOCUMENT_NAME_MAX:
                    self.report.error(shown, df.line("file"),
                                      f"the file name `{file[:40]}…` is {len(file)} characters long; "
                                      f"at most {DOCUMENT_NAME_MAX}", "rename the file to something shorter")
                    file = None
                elif not DOCUMENT_FILE_RE.match(file) or ".." in file:
                    self.report.error(shown, df.line("file"),
                                      f"`{file}` must be a plain lower-case file name in the meeting's folder",
                                      f"for example {slugify(Path(file).stem) or 'report'}{Path(file).suffix.lower()}; "
                                      "no folders, `..`, `/` or `\\`")
                    file = None
                elif folder in self.unsafe or folder / file in self.unsafe:
                    file = None  # a link or device, reported at the file itself
                elif not self.regular_file(folder / file):
                    self.missing_document(shown, df.line("file"), folder, file)
                    file = None
                elif problem := safefiles.document_problem(folder / file, self.root):
                    self.report.error(shown, df.line("file"), *problem)
                    file = None
                else:
                    self.documents[(folder / file).relative_to(self.root).as_posix()] = str(folder / file)
                    if size is None:
                        size = human_size((folder / file).stat().st_size)
            if url and not re.match(r"^https?://[^\s/]+\S*$", url, re.IGNORECASE):
                self.report.error(shown, df.line("url"), f"`{url}` is not a web address",
                                  "a document url must start with https:// (or http://)")
                url = None
            if title:
                yield Document(title=title, file=file, url=url, size=size)

    def missing_document(self, shown: str, line: int, folder: Path, file: str) -> None:
        """A `file:` that is not in the meeting's folder: not committed (when checking what is being
        committed and the file is on the clerk's computer), misspelt, or missing."""
        folder_shown = self.shown(folder)
        on_disk = self.worktree / folder.relative_to(self.root) if self.worktree is not None else None
        if on_disk is not None and (on_disk / file).is_file():
            repo_folder = f"{self.worktree_prefix}{folder.relative_to(self.root).as_posix()}/"
            self.report.error(shown, line, f"{folder_shown}/{file} is not committed: git add {repo_folder}",
                              "the file is on your computer but not in this commit, so the published site "
                              "(built from a fresh copy) would not have it")
            return
        present = sorted({p.name for where in (folder, on_disk) if where is not None and where.is_dir()
                          for p in where.iterdir() if p.is_file()})
        close = difflib.get_close_matches(file, present, n=1, cutoff=0.6)
        self.report.error(shown, line, f"the document `{file}` is not in {folder_shown}/",
                          f"did you mean `{close[0]}`?" if close else
                          "put the file in that folder, or correct its name (names are case-sensitive)")


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"
