"""Temporary folders and files beside the output and the cache, and the removal of those
that a killed build left behind.

A build makes its staging folder, the search index's work folders and the cache's
temporary file beside their targets, so that each can be renamed into place. A build
killed with SIGKILL (or by the machine going down) cannot remove them, and they can be
as large as the site. So each is locked (`flock`) by the process that made it for as
long as it lives, and every build removes the ones whose lock is free: their maker is
gone. Another build running at the same time holds its own locks, so its work is left
alone. Making a folder and locking it happen under a shared lock of the parent folder,
and the search for leftovers under an exclusive one, so a folder is never seen
between the two.

Without `fcntl` (Windows) nothing is locked and leftovers are left where they are.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Linux or macOS
    fcntl = None  # type: ignore[assignment]


@contextlib.contextmanager
def _parent_locked(parent: Path, exclusive: bool):
    if fcntl is None:
        yield
        return
    fd = os.open(parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # releases the lock


def _lock(path: str | os.PathLike, wait: bool) -> int | None:
    """An open descriptor of `path` holding its exclusive lock, or None when another
    process holds it (only when not `wait`)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    if fcntl is None:
        return fd
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except OSError:
        os.close(fd)
        raise
    return fd


class Scratch:
    """A temporary folder or file, locked by this process until `release()`."""

    def __init__(self, path: Path, fd: int | None):
        self.path = path
        self.fd = fd

    @classmethod
    def folder(cls, parent: Path, prefix: str) -> "Scratch":
        with _parent_locked(parent, exclusive=False):
            path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
            return cls(path, _lock(path, wait=True))

    @classmethod
    def adopt(cls, parent: Path, prefix: str, existing: Path) -> "Scratch | None":
        """A folder made of `existing` (another folder on the same disk), moved here under a new
        name and locked; None when it cannot be moved (gone, or taken by another build)."""
        with _parent_locked(parent, exclusive=False):
            path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
            try:
                os.rename(existing, path)  # onto the empty folder just made: one step
            except OSError:
                path.rmdir()
                return None
            return cls(path, _lock(path, wait=True))

    @classmethod
    def file(cls, parent: Path, prefix: str) -> tuple["Scratch", int]:
        """The file, and a descriptor open for writing it."""
        with _parent_locked(parent, exclusive=False):
            fd, name = tempfile.mkstemp(prefix=prefix, dir=parent)
            return cls(Path(name), _lock(name, wait=True)), fd

    def release(self) -> None:
        """Unlock it (it is renamed into place, or deleted, by its owner)."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def remove(self) -> None:
        if self.path.is_dir() and not self.path.is_symlink():
            shutil.rmtree(self.path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                self.path.unlink()
        self.release()


def remove_leftovers(parent: Path, prefixes: tuple[str, ...]) -> int:
    """Remove what killed builds left in `parent` (names starting with one of `prefixes`,
    unlocked). Returns how many were removed; never fails (they are only disk space)."""
    if fcntl is None:
        return 0
    found: list[Scratch] = []
    try:
        with _parent_locked(parent, exclusive=True), os.scandir(parent) as entries:
            for entry in entries:
                if not entry.name.startswith(prefixes):
                    continue
                try:
                    fd = _lock(entry.path, wait=False)
                except OSError:  # a symbolic link, or gone
                    if entry.is_symlink():
                        with contextlib.suppress(OSError):
                            os.unlink(entry.path)
                    continue
                if fd is not None:  # nobody holds it: its maker is gone
                    found.append(Scratch(Path(entry.path), fd))
    except OSError:
        pass
    for leftover in found:  # removed outside the parent's lock: they can be large
        leftover.remove()
    return len(found)
