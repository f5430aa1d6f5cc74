"""Stage 4: the only module that writes into the output folder.

Files are streamed into a staging folder beside the target as they are made,
and the staging folder is swapped in only when the whole site (search index
included) is ready, so a failed build leaves the previous site exactly as it was.

A file whose bytes (or whose inputs, see `reuse`) are the same as in the previous
build is not written again: it is hard-linked from the previous site, after
checking that the file there is still the one the cache describes (its size,
modification time and inode, or else its bytes' hash), so a site changed by
hand is never trusted.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path, PurePosixPath
from typing import Callable

from .cache import BuildCache, OutputRecord, content_hash


class OutputConflict(Exception):
    """Two parts of the build tried to write the same file."""


def unchanged(source: Path, size: int, mtime_ns: int, inode: int, sha: str) -> os.stat_result | None:
    """The file's stat if it is still the one recorded: the same size, time and inode, or else
    (a copy restored by a CI cache, say) the same bytes; None when it was changed or is gone."""
    try:
        stat = source.stat()
        if (stat.st_size, stat.st_mtime_ns, stat.st_ino) == (size, mtime_ns, inode):
            return stat
        if stat.st_size == size and content_hash(source.read_bytes()) == sha:
            return stat
    except OSError:
        pass
    return None


class Writer:
    def __init__(self, out_dir: str | os.PathLike, cache: BuildCache | None = None):
        self.out = Path(out_dir).resolve()
        cache = cache or BuildCache.disabled()
        same_site = cache.previous.site_dir == str(self.out)
        self.previous = cache.previous.outputs if same_site else {}
        self.records: dict[str, OutputRecord] = cache.current.outputs
        self.records.clear()
        # folders a tool wrote (search-index shards): folder -> (digest, {file: (size, mtime_ns, inode, hash)})
        self.previous_folders = cache.previous.folders if same_site else {}
        self.folders_made = cache.current.folders
        self.folders_made.clear()
        cache.current.site_dir = str(self.out)
        self.staging: Path | None = None
        self.cleaning: threading.Thread | None = None  # deleting the previous site
        self.folders: set[str] = set()  # made in the staging folder
        self.written = 0  # files written this build
        self.kept = 0  # files linked unchanged from the previous site

    # -- lifecycle ------------------------------------------------------------

    def start(self) -> None:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.staging-", dir=self.out.parent))
        self.staging.chmod(0o755)

    def commit(self, finish: Callable[[Path], None] | None = None) -> None:
        """Run `finish` on the complete staging folder (the search index), then swap it in.
        The previous site is deleted in the background: call `wait()` before exiting."""
        assert self.staging is not None
        try:
            if finish:
                finish(self.staging)
            if self.out.exists():
                previous = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.previous-", dir=self.out.parent))
                previous.rmdir()
                os.rename(self.out, previous)
                os.rename(self.staging, self.out)
                self.cleaning = threading.Thread(target=shutil.rmtree, args=(previous,), kwargs={"ignore_errors": True})
                self.cleaning.start()
            else:
                os.rename(self.staging, self.out)
        except BaseException:
            self.abort()
            raise
        self.staging = None

    def wait(self) -> None:
        """Until the previous site is deleted."""
        if self.cleaning is not None:
            self.cleaning.join()
            self.cleaning = None

    def abort(self) -> None:
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None

    # -- files ------------------------------------------------------------------

    def _key(self, path: str) -> str:
        pure = PurePosixPath(path)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts:
            raise OutputConflict(f"refusing to write outside the output folder: {path}")
        key = pure.as_posix()
        if key in self.records:
            raise OutputConflict(f"two parts of the build would write {key}")
        return key

    def _target(self, key: str) -> str:
        assert self.staging is not None, "Writer.start() first"
        # plain strings, not Path: this runs for every file of the site
        folder, _, _ = key.rpartition("/")
        if folder not in self.folders:
            os.makedirs(os.path.join(self.staging, folder), exist_ok=True)
            self.folders.add(folder)
        return os.path.join(self.staging, key)

    def add(self, path: str, data: bytes, digest: str | None = None, search: str | None = None) -> None:
        """Write one file (or keep the previous site's copy when its bytes are the same).
        `digest`: what it is made from; `search`: what its searchable text is made from."""
        key = self._key(path)
        sha = content_hash(data)
        previous = self.previous.get(key)
        if previous is not None and previous.sha == sha and self._keep(key, previous, digest, search):
            return
        target = self._target(key)
        with open(target, "wb") as stream:
            stream.write(data)
        stat = os.stat(target)
        self.records[key] = OutputRecord(digest, sha, stat.st_size, stat.st_mtime_ns, stat.st_ino, search)
        self.written += 1

    def reuse(self, path: str, digest: str) -> bool:
        """Keep the previous build's file if it was made from the same inputs (`digest`);
        False means: make it and `add` it."""
        key = self._key(path)
        previous = self.previous.get(key)
        return previous is not None and previous.digest == digest and self._keep(key, previous, digest, previous.search)

    def _keep(self, key: str, previous: OutputRecord, digest: str | None, search: str | None) -> bool:
        source = self.out / key
        stat = unchanged(source, previous.size, previous.mtime_ns, previous.inode, previous.sha)
        if stat is None:
            return False
        try:
            os.link(source, self._target(key))
        except OSError:
            return False
        self.records[key] = OutputRecord(digest, previous.sha, stat.st_size, stat.st_mtime_ns, stat.st_ino, search)
        self.kept += 1
        return True

    # -- folders written by a tool (the search index) -------------------------------

    def keep_folder(self, folder: str, digest: str) -> bool:
        """Link a whole folder from the previous site when it was made from the same inputs and
        every file in it is still the one recorded; False means: make it again."""
        previous = self.previous_folders.get(folder)
        if previous is None or previous[0] != digest:
            return False
        stats = {name: unchanged(self.out / folder / name, *record) for name, record in previous[1].items()}
        if not all(stats.values()):
            return False
        try:
            for name in stats:
                os.link(self.out / folder / name, self._target(f"{folder}/{name}"))
        except OSError:
            shutil.rmtree(self.staging / folder, ignore_errors=True)
            return False
        self.folders_made[folder] = (digest, {name: (stat.st_size, stat.st_mtime_ns, stat.st_ino, previous[1][name][3])
                                              for name, stat in stats.items()})
        return True

    def record_folder(self, folder: str, digest: str) -> None:
        """Remember what a tool wrote into a folder of the staging site, for `keep_folder` next time."""
        assert self.staging is not None
        root = self.staging / folder
        files = {}
        for path in sorted(root.rglob("*")):
            if path.is_file():
                stat = path.stat()
                files[path.relative_to(root).as_posix()] = (stat.st_size, stat.st_mtime_ns, stat.st_ino,
                                                            content_hash(path.read_bytes()))
        self.folders_made[folder] = (digest, files)

    def adopt(self, records: dict[str, OutputRecord], written: int, kept: int) -> None:
        """Take over the files a forked worker wrote into the staging folder with its copy of this writer."""
        for key, record in records.items():
            self._key(key)  # refuses a path written twice
            self.records[key] = record
        self.written += written
        self.kept += kept

    def paths(self) -> list[str]:
        return sorted(self.records)

    def record(self, path: str) -> OutputRecord | None:
        """What was written (or kept) at `path` in this build so far: its size and hash."""
        return self.records.get(PurePosixPath(path).as_posix())

    def read(self, path: str) -> bytes:
        """The bytes of a file already written (or kept) in this build: for a file made of
        other outputs (the bulk download)."""
        assert self.staging is not None
        return (self.staging / PurePosixPath(path).as_posix()).read_bytes()
