"""Reading content files safely: regular files inside the content folder, UTF-8, no
control characters, YAML blocks whose every mistake is reported at its line.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from .. import safefiles, safetext, yamlio
from ..cache import BuildCache, content_hash, digest
from ..problems import Report
from ..yamlio import YamlList, YamlMap

IGNORED_NAMES = {".gitkeep", ".DS_Store", "Thumbs.db", "README.md"}
# A file changed this close before the last build looked at it may have been changed again after,
# within the same tick of a coarse file system clock (and so with the same times): it is read again.
RACY_NS = 2_000_000_000


class FileReader:
    """What every loader shares: the content folder, the report, and how a file is read."""

    def __init__(self, content_dir: str | os.PathLike, report: Report, cache: BuildCache | None = None):
        self.root = Path(content_dir)
        self.report = report
        # paths are shown relative to the content folder's parent: content/meetings/...
        self.shown_root = self.root.resolve().name or str(self.root)
        # files that exist but failed to load: references to them are not
        # reported again as unknown, so one mistake gives one message
        self.broken: dict[str, set[str]] = {"committees": set(), "portfolios": set()}
        self.cache = cache or BuildCache.disabled()
        self.fingerprints: dict[str, str] = {}  # shown path -> hash of each file read
        self.unsafe: set[Path] = set()  # links, devices, FIFOs: reported once, never read
        # checking what is being committed: the content folder on the clerk's computer, and its
        # path in the repository ("content/"), so a file that is there but not committed is named
        self.worktree: Path | None = None
        self.worktree_prefix = ""
        # the documents of the meeting being loaded: output path -> file (Archive.document_files)
        self.documents: dict[str, str] = {}
        self.stats: dict[str, os.stat_result] = {}  # the meeting files', taken before reading them
        self.document_folders: set[Path] = set()  # the folders found beside the meeting files
        self._root_prefix = str(self.root) + os.sep

    def shown(self, path: Path) -> str:
        text = str(path)  # as strings: asked for every file of the archive at every build
        if text.startswith(self._root_prefix):
            return f"{self.shown_root}/{text[len(self._root_prefix):].replace(os.sep, '/')}"
        return f"{self.shown_root}/{path.relative_to(self.root).as_posix()}"

    def read_bytes(self, path: Path, limit: int = safefiles.YAML_FILE_LIMIT) -> bytes | None:
        """A content file's bytes: a regular file inside the content folder, never through a link."""
        try:
            return safefiles.read_limited(path, limit, self.root)
        except safefiles.UnsafeFile as exc:
            self.report.error(self.shown(path), 1, exc.message, exc.hint)
        except OSError as exc:
            self.report.error(self.shown(path), 1, f"cannot read the file: {exc.strerror}")
        return None

    def unchanged_hash(self, path: Path, shown: str) -> str | None:
        """The hash of a file's bytes as the last build read them, when its record (size, times, inode)
        says it is the same file, as git's index does; None: read it. A file changed in place with
        its size and modification time put back has another change time; one the last build saw
        being written (`RACY_NS`) is always read."""
        record = self.cache.previous.files.get(shown)
        try:
            info = os.lstat(path)
        except OSError:
            return None
        self.stats[shown] = info
        if (record is None or not stat.S_ISREG(info.st_mode)
                or info.st_mtime_ns >= self.cache.previous.files_seen_at - RACY_NS
                or (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino) != tuple(record[:4])):
            return None
        return record[4]

    def keyed_read(self, path: Path, shown: str, previous, extra: tuple, limit: int) -> tuple[str, str, bytes | None]:
        """A content file's hash and its key in a cache stage (a digest of its shown path, its hash and
        `extra`, what loading it depends on besides): read only when its record does not vouch for
        its hash (`unchanged_hash`) or the last build's stage (`previous`) has no value under that
        key; then with the bytes read, else None. Raises OSError or UnsafeFile when it cannot be read."""
        data, sha = None, self.unchanged_hash(path, shown)
        if sha is None or (key := digest(shown, sha, *extra)) not in previous:
            data = safefiles.read_limited(path, limit, self.root)  # the stat taken before
            sha = content_hash(data)
            key = digest(shown, sha, *extra)
        self.remember_file(shown, sha)
        return sha, key, data

    def remember_file(self, shown: str, sha: str) -> None:
        """A file's record for the next build (`unchanged_hash`), from the stat taken before reading
        it: were it changed after, its times would differ from those recorded."""
        info = self.stats.get(shown)
        if info is not None and stat.S_ISREG(info.st_mode):
            self.cache.current.files[shown] = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, sha)

    def regular_file(self, path: Path) -> bool:
        """A plain file (not a link, device or FIFO) whose real path is inside the content folder."""
        return self._regular(path, stat.S_ISREG)

    def regular_folder(self, path: Path) -> bool:
        """A folder (not a link to one) whose real path is inside the content folder."""
        return self._regular(path, stat.S_ISDIR)

    def _regular(self, path: Path, is_kind) -> bool:
        try:
            return path not in self.unsafe and is_kind(os.lstat(path).st_mode) and safefiles.inside(self.root, path)
        except OSError:
            return False

    def read_text(self, path: Path, data: bytes | None = None, limit: int = safefiles.YAML_FILE_LIMIT) -> str | None:
        shown = self.shown(path)
        if data is None:
            data = self.read_bytes(path, limit)
            if data is None:
                return None
        self.fingerprints[shown] = content_hash(data)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            self.report.error(shown, line, f"the file is not UTF-8 text (byte 0x{data[exc.start]:02X} cannot be read)",
                              "save the file with the UTF-8 encoding (most editors offer it under 'Save as')")
            return None
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if self.report_controls(shown, text):
            return None
        if not text.strip():
            self.report.error(shown, 1, "the file is empty")
            return None
        return text

    def report_controls(self, shown: str, text: str) -> bool:
        """Invisible control characters (Word's vertical tab, an escape sequence) are errors at
        their line: they would make the feeds invalid XML and could rewrite a terminal."""
        found = safetext.first_controls(text)
        for line, column, char in found:
            self.report.error(shown, line,
                              f"an invisible control character ({safetext.describe(char)}) at column {column}",
                              "delete it (it often comes with text copied from Word or a PDF)")
        return bool(found)

    def read_yaml(self, path: Path, text: str | None = None, first_line: int = 1) -> YamlMap | None:
        shown = self.shown(path)
        if text is None:
            text = self.read_text(path)
            if text is None:
                return None
        problems: list[yamlio.YamlProblem] = []
        try:
            data = yamlio.parse(text, first_line, problems)
        except yamlio.YamlProblem as exc:
            self.report.error(shown, exc.line, exc.message, exc.hint)
            return None
        for problem in problems:
            self.report.error(shown, problem.line, problem.message, problem.hint)
        self.report_dropped_comments(shown, text, first_line)
        if not isinstance(data, YamlMap):
            what = "nothing" if data is None else "a list" if isinstance(data, YamlList) else "a single value"
            self.report.error(shown, first_line, f"expected a block of `key: value` lines, found {what}")
            return None
        return data

    def report_dropped_comments(self, shown: str, text: str, first_line: int) -> None:
        """Nothing a clerk writes is dropped silently: a note after a value is named."""
        for problem in yamlio.dropped_comments(text, first_line):
            self.report.warning(shown, problem.line, problem.message, problem.hint)
