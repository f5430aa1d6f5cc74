"""Stage 4: the only module that writes into the output folder.

Files are streamed into a staging folder beside the target as they are made,
and the staging folder is swapped in only when the whole site (search index
included) is ready, so a failed build leaves the previous site exactly as it was.

A file whose bytes (or whose inputs, see `reuse`) are the same as in the previous
build is not written again: it is hard-linked from the previous site, after
checking that the file there is still the one the cache describes (a regular file
of the same size, modification time, change time and inode, or else the same bytes),
so a site changed by hand is never trusted. When most of the previous site is likely
to be kept (the cache describes it), a helper process checks and links all of it into
the staging folder while the content loads (`linktree.py`); the build then keeps what
it linked, replaces the files it makes, and removes the ones it no longer makes.

The site the swap replaces is not deleted but kept in the cache folder (`spare`), as
the next build's staging folder: most of its files are the new site's too (hard links),
so the helper only links what that build changed, and the files kept stay linked twice
throughout, so their change times stay as recorded. Without a cache the previous site
is deleted, by a helper process, after the swap.

The output folder is deleted and replaced whole at every build, so the writer refuses
one that it did not make (`output_problem`): the content folder, the repository, or a
folder of other files. Every site it writes carries a small marker file (`MARKER`).
The swap is an atomic exchange of the two folders where the system has one (Linux's
renameat2), so the output folder holds a complete site at every instant, even when the
build is killed; what a killed build leaves beside it is removed by the next
(`scratch.py`).
"""
from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import stat as stat_kinds
import subprocess
import sys
import tempfile
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Callable, NamedTuple

from . import linktree, safefiles, urls
from .cache import BuildCache, OutputRecord, content_hash, file_hash
from .scratch import Scratch, remove_leftovers

ROOT = Path(__file__).resolve().parent.parent  # the folder holding build.py
LINKTREE = Path(__file__).resolve().with_name("linktree.py")  # the helper process's script

# In every site the writer makes, so that a later build knows the folder is its own to
# replace. A dot-file: no page of the site can have this name (urls.py makes none).
MARKER = ".site-built-by-build-py"
MARKER_TEXT = (b"This folder is made by `python build.py`: every build deletes it and writes it anew.\n"
               b"Do not keep other files in it.\n")


class OutputConflict(Exception):
    """Two parts of the build tried to write the same file."""


class UnsafeOutput(Exception):
    """The output folder is not one the build may replace (wrong usage: exit 2)."""


def repository_root(folder: Path) -> Path | None:
    """The top folder of the git work tree holding `folder` (the nearest with `.git`), if any."""
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def output_problem(out, content) -> str | None:
    """Why the build must not replace `out` with the site built from `content`, or None.

    The build deletes its output folder and writes it anew, so it refuses one that is, holds
    or is inside the content folder, one that is or holds the repository (or the folder of
    build.py), one inside a `.git` folder, and a folder of other files: an existing folder
    that is not empty and has no marker of a previous build."""
    shown = str(out)
    out = Path(out).resolve()
    content = Path(content).resolve()
    guarded = [("the content folder", content)]
    for root in (repository_root(content), ROOT):
        if root is not None and all(root != folder for _, folder in guarded):
            guarded.append(("the repository" if root != ROOT else "the folder of build.py", root))
    for what, folder in guarded:
        if out == folder:
            return f"--out {shown} is {what}: the build would delete it; choose another folder, e.g. --out _site"
        if folder.is_relative_to(out):
            return (f"--out {shown} holds {what} ({folder}): the build would delete it; "
                    f"choose another folder, e.g. --out _site")
    if out.is_relative_to(content):
        return f"--out {shown} is inside the content folder: choose a folder outside it, e.g. --out _site"
    if ".git" in out.parts:
        return f"--out {shown} is inside a .git folder: choose another folder, e.g. --out _site"
    try:
        if out.exists() or out.is_symlink():
            if not out.is_dir():
                return f"--out {shown} is a file, not a folder: choose another folder, e.g. --out _site"
            if not built_here(out) and any(out.iterdir()):
                return (f"--out {shown} is not empty and was not made by this build (it has no {MARKER} file): "
                        f"the build would delete what is in it; empty it, or choose another folder")
    except OSError as exc:
        return f"--out {shown} cannot be read: {plain_os_error(exc)}"
    return None


# What every site has had since before the marker: a site an earlier version built.
EARLIER_SITE = ("index.html", "404.html", "sitemap.xml", "meetings", "pagefind/pagefind-entry.json")


def built_here(folder: Path) -> bool:
    """Whether `folder` is a site this generator made: it has the marker or, made by a version
    from before the marker, every file such a site has (so an upgrade needs no clean-up)."""
    marker = folder / MARKER
    if marker.is_file() and not marker.is_symlink():
        return True
    return all((folder / name).exists() and not (folder / name).is_symlink() for name in EARLIER_SITE)


def plain_os_error(exc: OSError, doing: str | None = None) -> str:
    """One plain sentence for a failure of the disk or the system (never Python's own text):
    `doing` is what was being done, e.g. "writing the site into _site/"."""
    where = f" ({exc.filename})" if exc.filename else ""
    doing = doing or "working"
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return f"the disk is full while {doing}{where}: free some space and build again"
    if code == errno.EROFS:
        return f"the disk is read-only while {doing}{where}"
    if code in (errno.EACCES, errno.EPERM):
        return f"permission was refused while {doing}{where}: check who owns the folder"
    if code == errno.ENAMETOOLONG:
        return f"a file name is too long for this disk while {doing}{where}"
    if code in (errno.EBUSY, getattr(errno, "ETXTBSY", -1)):
        return f"a file or folder is in use by another program while {doing}{where}: close it and build again"
    if code in (errno.EMFILE, errno.ENFILE):
        return f"too many files are open while {doing}: build again, or raise the limit (ulimit -n)"
    if code == errno.EIO:
        return f"the disk reported an error while {doing}{where}: check the disk"
    if code == errno.ENOMEM:
        return f"the machine ran out of memory while {doing}"
    reason = exc.strerror or "an error of the system"
    return f"{reason[:1].lower()}{reason[1:]} while {doing}{where}"


def unchanged(source: str | Path, size: int, mtime_ns: int, ctime_ns: int, inode: int,
              sha: str) -> os.stat_result | None:
    """The file's stat if it is still the one recorded: a regular file (not a link to another)
    of the same size, times and inode, or else (a copy restored by a CI cache, say) the same
    bytes; None when it was changed or is gone. The change time is part of the check because
    no one can set it back: a file edited in place with its size and modification time
    restored is read and hashed."""
    if found := linktree.same_file(source, (size, mtime_ns, ctime_ns, inode)):
        return found
    try:
        stat = os.lstat(source)
        if stat_kinds.S_ISREG(stat.st_mode) and stat.st_size == size:
            with open(source, "rb") as stream:
                if content_hash(stream.read()) == sha:
                    return stat
    except OSError:
        pass
    return None


def helper(*args: str, **options) -> subprocess.Popen:
    """The writer's helper process (linktree.py), on the same Python."""
    options.setdefault("stdout", subprocess.DEVNULL)
    return subprocess.Popen([sys.executable, "-I", "-S", str(LINKTREE), *args], stderr=subprocess.DEVNULL, **options)


class Placed(NamedTuple):
    """A file the helper left in the staging folder, as it found it there: the fields of its stat
    that the writer records (so the writer need not look at each of the site's files again)."""

    st_size: int
    st_mtime_ns: int
    st_ctime_ns: int
    st_ino: int


def placed_files(report: bytes) -> dict[str, Placed]:
    """The helper's report: NUL-separated, each file's path, size, modification time, change time and inode."""
    fields = report.decode("utf-8", "surrogateescape").split("\0")
    return {fields[at]: Placed(int(fields[at + 1]), int(fields[at + 2]), int(fields[at + 3]), int(fields[at + 4]))
            for at in range(0, len(fields) - 4, 5)}


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step (Linux's renameat2 with RENAME_EXCHANGE); False where the
    system or the file system cannot, so the caller renames twice instead."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError, TypeError):
        return False
    renameat2.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV, errno.EPERM):
        return False
    raise OSError(code, os.strerror(code), str(second))


class Writer:
    def __init__(self, out_dir: str | os.PathLike, cache: BuildCache | None = None):
        self.out = Path(out_dir).resolve()
        cache = cache or BuildCache.disabled()
        # the site before this one, kept in the cache folder to be the next staging folder
        self.spare = cache.path.with_suffix(".site") if cache.path is not None else None
        self.refresh = False  # whether deleting the previous site changed the kept files' change times
        same_site = cache.previous.site_dir == str(self.out)
        self.previous = cache.previous.outputs if same_site else {}
        self.records: dict[str, OutputRecord] = cache.current.outputs
        self.records.clear()
        # folders a tool wrote (search-index shards):
        # folder -> (digest, {file: (size, mtime_ns, ctime_ns, inode, hash)})
        self.previous_folders = cache.previous.folders if same_site else {}
        self.folders_made = cache.current.folders
        self.folders_made.clear()
        cache.current.site_dir = str(self.out)
        self.staging: Path | None = None
        self.lock: Scratch | None = None  # the staging folder, locked while this build lives
        self.staging_name: Path | None = None  # where it was, for messages
        # helper processes deleting the previous site (or an aborted staging folder), or making the spare
        self.helpers: list[subprocess.Popen] = []
        self.linking: subprocess.Popen | None = None  # linking the previous site into the staging folder
        self.linking_report: BinaryIO | None = None  # where it says what it left there
        self.prefilled: frozenset[str] = frozenset()  # the files it was asked to check and link
        self.placed: dict[str, Placed] = {}  # what it left there, when it finished
        self.synced = False  # the helper finished: what is in the staging folder is what it says
        self.fresh = True  # the staging folder was made empty (not the spare): nothing in it to write through
        self.folders: set[str] = set()  # made in the staging folder
        self.written = 0  # files written this build
        self.kept = 0  # files linked unchanged from the previous site
        self.searched_closed = False  # the search index began: no page it indexes may be written after

    # -- lifecycle ------------------------------------------------------------

    def shown(self, filename):
        """A file named in an error, as the output folder's file it was to be (not the staging folder's)."""
        staging = self.staging_name
        if isinstance(filename, str) and staging is not None and filename.startswith(f"{staging}{os.sep}"):
            return os.path.join(self.out, filename[len(str(staging)) + 1:])
        return filename

    def leftover_prefixes(self) -> tuple[str, ...]:
        return (f".{self.out.name}.staging-", f".{self.out.name}.previous-", ".search-shard-")

    def worth_linking(self) -> bool:
        """Whether the cache describes a previous site here, so that most of it may be kept."""
        return bool(self.previous) and self.out.is_dir()

    def start(self, content=None) -> None:
        """Make the staging folder, and begin linking into it the previous site's files that the
        cache describes (checked one by one as they are kept); `content`: the content folder, to
        refuse an output folder the build must not replace (the command line says so before it
        gets here). Again after it started: nothing."""
        if self.staging is not None:
            return
        if content is not None and (problem := output_problem(self.out, content)):
            raise UnsafeOutput(problem)
        self.out.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(self.out.parent, self.leftover_prefixes())
        worth_linking = self.worth_linking()
        self.lock = self._take_spare() if worth_linking else None
        self.fresh = self.lock is None
        if self.lock is None:
            self.lock = Scratch.folder(self.out.parent, f".{self.out.name}.staging-")
        self.staging = self.staging_name = self.lock.path
        self.staging.chmod(0o755)
        if worth_linking:
            self.linking_report = tempfile.TemporaryFile()  # noqa: SIM115  (closed once read, or by abort)
            self.linking, self.prefilled = self._sync(self.staging, self.previous, self.previous_folders,
                                                      self.linking_report)

    def _sync(self, target: Path, records: dict[str, OutputRecord],
              folders: dict[str, tuple[str, dict[str, tuple[int, int, int, int, str]]]],
              report: BinaryIO | None = None) -> tuple[subprocess.Popen, frozenset[str]]:
        """The helper linking into `target` the output folder's files that are still the ones
        `records` and `folders` describe; and the files it was asked to link. What it left there
        is written to `report` (a file, not a pipe: the build reads it only once the helper ends)."""
        # each file's five fields, separated by NUL (one string a file: this runs at every build)
        listed = [f"{key}\0{r.size}\0{r.mtime_ns}\0{r.ctime_ns}\0{r.inode}" for key, r in records.items()]
        keys = list(records)
        for folder, (_, files) in folders.items():
            for name, (size, mtime_ns, ctime_ns, inode, _) in files.items():
                keys.append(key := f"{folder}/{name}")
                listed.append(f"{key}\0{size}\0{mtime_ns}\0{ctime_ns}\0{inode}")
        with tempfile.TemporaryFile() as listing:
            listing.write("\0".join(listed).encode("utf-8", "surrogateescape"))
            listing.seek(0)
            process = helper("sync", str(self.out), str(target), stdin=listing,
                             **({"stdout": report} if report is not None else {}))
        return process, frozenset(keys)

    def prepare_spare(self) -> None:
        """After a build that left no spare (the first into its folder, or one whose replaced site
        was deleted), in a process that builds again (the preview server): begin making the next
        build's spare now, the site just written linked file by file by the helper, in the
        background. Else the next build links the whole site into its staging folder while the
        clerk waits for their first change to show (a second and a half at 4,000 meetings).
        Linking changes the files' change times: `wait()` records them again."""
        spare = self.spare
        if spare is None or self.helpers or self.staging is not None or not self.out.is_dir():
            return
        try:
            if spare.exists() or spare.is_symlink():
                return
            spare.mkdir(parents=True)
            self.helpers.append(self._sync(spare, self.records, self.folders_made)[0])
        except OSError:  # no room or no process to be had: the next build links the site itself
            return
        self.refresh = True

    def _take_spare(self) -> Scratch | None:
        """The site the last build replaced, as this build's staging folder (see the module's
        docstring); None when there is none, or it is on another disk than the output."""
        spare = self.spare
        if spare is None:
            return None
        try:
            if not spare.is_dir() or spare.is_symlink() or spare.stat().st_dev != self.out.parent.stat().st_dev:
                return None
        except OSError:
            return None
        return Scratch.adopt(self.out.parent, f".{self.out.name}.staging-", spare)

    def _set_aside(self, folder: Path) -> None:
        """Keep `folder` (the site just replaced, or a staging folder not swapped in) as the next
        build's spare; delete it where there is no cache folder to keep it in."""
        if self.spare is not None:
            try:
                self.spare.parent.mkdir(parents=True, exist_ok=True)
                os.rename(folder, self.spare)
                return
            except OSError:  # another disk, or another build's spare is there already
                pass
        self._remove(folder)

    def _linked(self) -> None:
        """Wait for the linking helper, before the first file is checked or written."""
        if self.linking is not None:
            self.synced = self.linking.wait() == 0
            self.linking = None
            if self.linking_report is not None:
                with self.linking_report as report:
                    report.seek(0)
                    if self.synced:
                        self.placed = placed_files(report.read())
                self.linking_report = None

    def commit(self, finish: Callable[[Path], None] | None = None) -> None:
        """Run `finish` on the complete staging folder (the search index), then swap it in.
        The previous site is deleted in the background: call `wait()` before exiting."""
        assert self.staging is not None
        try:
            self.add(MARKER, MARKER_TEXT)
            if finish:
                finish(self.staging)
            self._remove_unmade()
            if self.out.is_dir():
                if exchange(self.staging, self.out):
                    previous = self.staging  # now holds the previous site
                else:  # two renames: for an instant there is no output folder
                    previous = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.previous-", dir=self.out.parent))
                    previous.rmdir()
                    os.rename(self.out, previous)
                    os.rename(self.staging, self.out)
                self._set_aside(previous)
                # deleting the previous site's links to the files kept from it changes their change times
                self.refresh = bool(self.helpers)
            else:
                os.rename(self.staging, self.out)
        except BaseException:
            self.abort()
            raise
        self.staging = None
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def _remove_unmade(self) -> None:
        """Delete from the staging folder what was linked from the previous site but not kept
        nor made again (a withdrawn meeting's page, a search shard no longer made), and the
        folders that leaves empty."""
        self._linked()
        assert self.staging is not None
        made = set(self.records)
        for folder, (_, files) in self.folders_made.items():
            made.update(f"{folder}/{name}" for name in files)
        if not self.fresh and not self.synced:  # the spare, not cleared by the helper: what else it holds
            linktree.remove_others(str(self.staging), made)
            return
        folders = set()
        for key in self.prefilled - made:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(self.staging, key))
            folder = key.rpartition("/")[0]
            while folder and folder not in folders:
                folders.add(folder)
                folder = folder.rpartition("/")[0]
        for folder in sorted(folders, key=lambda name: -name.count("/")):
            with contextlib.suppress(OSError):  # not empty: it holds what is made
                os.rmdir(os.path.join(self.staging, folder))

    def _remove(self, folder: Path) -> None:
        """Delete `folder` in a helper process, which locks it as it goes: this build goes on
        (`wait` waits for it), and another build leaves the folder to the helper."""
        try:
            self.helpers.append(helper("remove", str(folder)))
        except OSError:  # no process to be had: here, then
            shutil.rmtree(folder, ignore_errors=True)

    def wait(self) -> None:
        """Until the helpers are done (deleting the previous site or an aborted staging folder,
        making the spare); then record the files' change times as they are now (deleting the
        previous site's links to the files kept from it changed them, and so does linking them)."""
        for process in self.helpers:
            process.wait()
        self.helpers.clear()
        if self.refresh:
            self.refresh_records()
            self.refresh = False

    def refresh_records(self) -> None:
        for key, record in self.records.items():
            try:
                stat = os.stat(os.path.join(self.out, key))
            except OSError:
                continue
            if (stat.st_size, stat.st_ino) == (record.size, record.inode):
                record.mtime_ns, record.ctime_ns = stat.st_mtime_ns, stat.st_ctime_ns
        for folder, (_, files) in self.folders_made.items():
            for name, (size, _, _, inode, sha) in list(files.items()):
                try:
                    stat = os.stat(os.path.join(self.out, folder, name))
                except OSError:
                    continue
                if (stat.st_size, stat.st_ino) == (size, inode):
                    files[name] = (size, stat.st_mtime_ns, stat.st_ctime_ns, inode, sha)

    def abort(self) -> None:
        if self.linking is not None:
            self.linking.kill()
            self.linking.wait()
            self.linking = None
        if self.linking_report is not None:
            self.linking_report.close()
            self.linking_report = None
        if self.staging is not None:
            self._set_aside(self.staging)  # checked again, file by file, before it is used
            self.staging = None
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    # -- files ------------------------------------------------------------------

    def _key(self, path: str) -> str:
        framed = f"/{path}/"  # every part between slashes: none empty, `.` or `..` (asked for every file)
        if not path or "//" in framed or "/./" in framed or "/../" in framed:
            pure = PurePosixPath(path)  # said otherwise than the URL module says it (not the rule for every file)
            if pure.is_absolute() or ".." in pure.parts or not pure.parts:
                raise OutputConflict(f"refusing to write outside the output folder: {path}")
            path = pure.as_posix()
        key = path
        if key in self.records:
            raise OutputConflict(f"two parts of the build would write {key}")
        if self.searched_closed and urls.searchable(key) is not None:
            raise OutputConflict(f"{key} is a page the search indexes, made after the search index began "
                                 f"(a page kind that makes such pages must say so: SEARCHED)")
        return key

    def _target(self, key: str) -> str:
        assert self.staging is not None, "Writer.start() first"
        self._linked()
        # plain strings, not Path: this runs for every file of the site
        folder, _, _ = key.rpartition("/")
        staging = os.fspath(self.staging)
        if folder not in self.folders:
            os.makedirs(os.path.join(staging, folder), exist_ok=True)
            self.folders.add(folder)
        return f"{staging}/{key}"

    def add(self, path: str, data: bytes | bytearray | memoryview, digest: str | None = None,
            search: str | None = None) -> None:
        """Write one file (or keep the previous site's copy when its bytes are the same).
        `digest`: what it is made from; `search`: what its searchable text is made from."""
        key = self._key(path)
        sha = content_hash(data)
        previous = self.previous.get(key)
        if previous is not None and previous.sha == sha and self._keep(key, previous, digest, search):
            return
        target = self._target(key)
        self._clear(key, target)
        with open(target, "wb") as stream:
            stream.write(data)
        stat = os.stat(target)
        self.records[key] = OutputRecord(digest, sha, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino,
                                         search)
        self.written += 1

    def add_streamed(self, path: str, write: Callable[[BinaryIO], object], digest: str | None = None) -> None:
        """`add` for a large file (the bulk download, the bulk JSON) that `write(stream)` writes
        straight into the staging folder, never whole in memory: beside its place first, so that
        the previous site's copy is kept when the bytes are the same."""
        key = self._key(path)
        target = self._target(key)
        made = target + ".made"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(made)  # never written through: a file there is none of this build's
        with open(made, "w+b") as stream:
            write(stream)
            stream.flush()
            stream.seek(0)
            sha = file_hash(stream)
        previous = self.previous.get(key)
        if previous is not None and previous.sha == sha and self._keep(key, previous, digest, None):
            os.unlink(made)
            return
        os.replace(made, target)  # a new name for the file: never a write through a link at `target`
        stat = os.stat(target)
        self.records[key] = OutputRecord(digest, sha, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
        self.written += 1

    def reuse(self, path: str, digest: str) -> bool:
        """Keep the previous build's file if it was made from the same inputs (`digest`);
        False means: make it and `add` it."""
        key = self._key(path)
        previous = self.previous.get(key)
        return previous is not None and previous.digest == digest and self._keep(key, previous, digest, previous.search)

    def _keep(self, key: str, previous: OutputRecord, digest: str | None, search: str | None) -> bool:
        stat = self._keep_file(key, previous.size, previous.mtime_ns, previous.ctime_ns, previous.inode, previous.sha)
        if stat is None:
            return False
        self.records[key] = OutputRecord(digest, previous.sha, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns,
                                         stat.st_ino, search)
        self.kept += 1
        return True

    def _keep_file(self, key: str, size: int, mtime_ns: int, ctime_ns: int, inode: int,
                   sha: str) -> os.stat_result | Placed | None:
        """The previous site's file at `key`, in the staging folder: as the helper linked it, or
        linked here when it is still the one recorded; its stat, or None: make it again."""
        assert self.staging is not None, "Writer.start() first"
        self._linked()
        stat = self._prefilled(key, size, mtime_ns, inode)
        if stat is not None:
            self.folders.add(key.rpartition("/")[0])  # the file is there, so its folder is
            return stat
        target = self._target(key)
        source = os.path.join(self.out, key)
        if unchanged(source, size, mtime_ns, ctime_ns, inode, sha) is None:
            return None
        try:
            self._clear(key, target)
            os.link(source, target)
            return os.stat(target)  # linking changed its change time
        except OSError:
            return None

    def _clear(self, key: str, target: str) -> None:
        """Remove what the staging folder holds at `target` before a file is put there: maybe a
        link to the published file, which must never be written through."""
        if not self.fresh or key in self.prefilled:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(target)

    def _prefilled(self, key: str, size: int, mtime_ns: int, inode: int) -> Placed | None:
        """The file the helper linked at `key` in the staging folder, which it checked (change time
        included) before linking, as it found it after: None when it linked none (or another)."""
        if (placed := self.placed.get(key)) is None:  # (none when the helper failed)
            return None
        return placed if (placed.st_size, placed.st_mtime_ns, placed.st_ino) == (size, mtime_ns, inode) else None

    # -- folders written by a tool (the search index) -------------------------------

    def keep_folder(self, folder: str, digest: str) -> bool:
        """Link a whole folder from the previous site when it was made from the same inputs and
        every file in it is still the one recorded; False means: make it again."""
        assert self.staging is not None
        self._linked()
        previous = self.previous_folders.get(folder)
        kept = previous is not None and previous[0] == digest and self._keep_files(folder, digest, previous[1])
        if not kept:  # the tool writes it anew, into an empty folder
            shutil.rmtree(self.staging / folder, ignore_errors=True)
            return False
        return True

    def _keep_files(self, folder: str, digest: str, files: dict[str, tuple[int, int, int, int, str]]) -> bool:
        kept = {}
        for name, record in files.items():
            stat = self._keep_file(f"{folder}/{name}", *record)
            if stat is None:
                return False
            kept[name] = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, record[4])
        self.folders_made[folder] = (digest, kept)
        return True

    def record_folder(self, folder: str, digest: str) -> None:
        """Remember what a tool wrote into a folder of the staging site, for `keep_folder` next time."""
        assert self.staging is not None
        root = self.staging / folder
        files = {}
        for path in sorted(root.rglob("*")):
            if path.is_file():
                stat = path.stat()
                files[path.relative_to(root).as_posix()] = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns,
                                                            stat.st_ino, content_hash(path.read_bytes()))
        self.folders_made[folder] = (digest, files)

    def adopt(self, records: dict[str, OutputRecord], written: int, kept: int) -> None:
        """Take over the files a forked worker wrote into the staging folder with its copy of this writer."""
        for key, record in records.items():
            self._key(key)  # refuses a path written twice
            self.records[key] = record
        self.written += written
        self.kept += kept

    def close_searched(self) -> None:
        """Every page the search indexes is written (the search index begins, in other threads,
        while the rest of the site is made): another would be left out of it, so it is refused."""
        self.searched_closed = True

    def paths(self) -> list[str]:
        return sorted(self.records)

    def record(self, path: str) -> OutputRecord | None:
        """What was written (or kept) at `path` in this build so far: its size and hash."""
        found = self.records.get(path)  # as the writer keeps it, most often: no parsing
        return found if found is not None else self.records.get(PurePosixPath(path).as_posix())

    def same_as_before(self, path: str) -> bool:
        """Whether the file at `path`, written (or kept) in this build, has the bytes the previous
        build's had (their hashes): for an output assembled from others (the bulk download),
        whose previous copy (`previous_file`) was made from those."""
        key = path if path in self.records else PurePosixPath(path).as_posix()
        before, now = self.previous.get(key), self.records.get(key)
        return before is not None and now is not None and before.sha == now.sha

    def previous_file(self, path: str) -> BinaryIO | None:
        """The previous build's file at `path`, open, when it is still the one that build recorded
        (so made by the same code from what its record says: the same size, times and inode, as
        for every file kept, or else hashed here, a megabyte at a time): for an output assembled
        from parts that are mostly unchanged (the bulk download), read where it is rather than into
        memory. None when there is none to trust. Only someone who can write the published site
        could change it after the check, and they could change the site itself."""
        key = PurePosixPath(path).as_posix()
        previous = self.previous.get(key)
        if previous is None:
            return None
        # the helper's link in the staging folder, which it checked (change time included) before
        # linking it, which changed the published file's change time
        linked = self.staging is not None and self._prefilled(key, previous.size, previous.mtime_ns,
                                                              previous.inode) is not None
        try:
            stream = safefiles.open_regular(self.staging / key if linked and self.staging else self.out / key)
        except (OSError, safefiles.UnsafeFile):
            return None
        try:
            found = os.fstat(stream.fileno())
            recorded = (found.st_size, found.st_mtime_ns, found.st_ino) == (previous.size, previous.mtime_ns,
                                                                             previous.inode)
            # the change time: as recorded, unless the helper checked it before its link changed it
            if (recorded and (linked or found.st_ctime_ns == previous.ctime_ns)
                    or found.st_size == previous.size and file_hash(stream) == previous.sha):
                stream.seek(0)
                return stream
        except OSError:
            pass
        stream.close()
        return None

    def open_written(self, path: str) -> BinaryIO:
        """A file already written (or kept) in this build, open to read: for a file made of other
        outputs (the bulk download), read a part at a time."""
        assert self.staging is not None
        return open(self.staging / PurePosixPath(path).as_posix(), "rb")  # noqa: SIM115  (the caller closes it)
