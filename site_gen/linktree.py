"""The writer's helper process, run beside the build.

`python linktree.py sync SITE FOLDER` makes FOLDER hold, as hard links, the files of SITE that
are still the ones the build recorded, and nothing else. FOLDER is empty, or it is the site
before the last build (the writer keeps it, see writer.py): then most of its files are links to
the same files as SITE's already, and only what the last build changed is linked anew. The
standard input gives, for each file, NUL-separated: its path, and the size, modification time,
change time and inode recorded when it was made. A file whose stat differs is not linked (the
build checks it again, by its bytes, and makes it when they changed). The change time is
checked here, before linking, because linking changes it.

`python linktree.py remove FOLDER` deletes a folder.

Run as a script of its own (`-I -S`: it imports nothing of the package) on the machine's other
core: most of either job is the kernel's, but done from the building process it took a second
or two of every rebuild that kept most of the site, and a thread would have been no help (each
of its system calls waits for the interpreter's lock).

FOLDER comes from the cache folder, so nothing in it is trusted: a symbolic link, or a file
where a folder belongs, is removed, never followed.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Linux or macOS
    fcntl = None  # type: ignore[assignment]

FIELDS = 5  # path, size, modification time, change time, inode


def safe_key(key: str) -> bool:
    """A path inside the folder: relative, without `..` or empty parts (the writer records no other)."""
    return bool(key) and not key.startswith("/") and all(part not in ("", ".", "..") for part in key.split("/"))


def same_file(path: str | os.PathLike, expected: tuple[int, ...]) -> os.stat_result | None:
    """The stat of the regular file at `path` (not a link) when its size, modification time,
    change time and inode are `expected`; None otherwise, or when there is none."""
    try:
        found = os.lstat(path)
    except OSError:
        return None
    if stat.S_ISREG(found.st_mode) and (found.st_size, found.st_mtime_ns, found.st_ctime_ns,
                                        found.st_ino) == expected:
        return found
    return None


def discard(path: str) -> None:
    """Remove what is at `path`, if anything: a folder with what is in it, or a file or link."""
    try:
        if stat.S_ISDIR(os.lstat(path).st_mode):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
    except OSError:
        pass


class Folders:
    """The folders of the target, each checked once to be a real folder (made when missing)."""

    def __init__(self, target: str):
        self.target = target
        self.checked = {""}

    def ready(self, folder: str) -> bool:
        if folder in self.checked:
            return True
        parent = folder.rpartition("/")[0]
        if not self.ready(parent):
            return False
        path = os.path.join(self.target, folder)
        try:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                discard(path)
                os.mkdir(path)
        except FileNotFoundError:
            try:
                os.mkdir(path)
            except OSError:
                return False
        except OSError:
            return False
        self.checked.add(folder)
        return True


def sync(site: str, target: str, records: list[str]) -> list[str]:
    """What is in place in `target` afterwards, as the five fields of each file."""
    folders = Folders(target)
    wanted: set[str] = set()
    placed: list[str] = []
    for at in range(0, len(records) - FIELDS + 1, FIELDS):
        key = records[at]
        try:
            expected = tuple(int(value) for value in records[at + 1:at + FIELDS])
        except ValueError:
            continue
        if not safe_key(key) or not folders.ready(key.rpartition("/")[0]):
            continue
        wanted.add(key)
        path = os.path.join(target, key)
        if same_file(path, expected):  # the site's own file, unchanged since it was recorded
            placed.append("\0".join(records[at:at + FIELDS]))
            continue
        discard(path)
        if same_file(os.path.join(site, key), expected):
            with contextlib.suppress(OSError):
                os.link(os.path.join(site, key), path, follow_symlinks=False)
                found = os.lstat(path)
                placed.append(f"{key}\0{found.st_size}\0{found.st_mtime_ns}\0{found.st_ctime_ns}\0{found.st_ino}")
    remove_others(target, wanted)
    return placed


def remove_others(target: str, wanted: set[str]) -> None:
    """Remove from `target` every file that is not `wanted`, then the folders left empty."""
    for root, folders, files in os.walk(target, topdown=False):
        relative = os.path.relpath(root, target).replace(os.sep, "/")
        prefix = "" if relative == "." else f"{relative}/"
        for name in files:
            if f"{prefix}{name}" not in wanted:
                discard(os.path.join(root, name))
        for name in folders:
            path = os.path.join(root, name)
            if os.path.islink(path):
                discard(path)
            else:
                with contextlib.suppress(OSError):  # not empty: it holds what is wanted
                    os.rmdir(path)


def remove(folder: str) -> None:
    """Delete `folder`, holding its lock meanwhile (as the build's scratch folders are locked),
    so that a build starting meanwhile leaves it to this process rather than deleting it too."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)  # the build that made it releases it as it hands it over
        shutil.rmtree(folder, ignore_errors=True)
    finally:
        os.close(fd)


def main(argv: list[str]) -> None:
    if len(argv) == 4 and argv[1] == "sync":
        listing = sys.stdin.buffer.read().decode("utf-8", "surrogateescape")
        placed = sync(argv[2], argv[3], listing.split("\0"))
        sys.stdout.buffer.write("\0".join(placed).encode("utf-8", "surrogateescape"))
    elif len(argv) == 3 and argv[1] == "remove":
        remove(argv[2])
    else:
        sys.exit("usage: linktree.py sync SITE FOLDER < records | linktree.py remove FOLDER")


if __name__ == "__main__":
    main(sys.argv)
