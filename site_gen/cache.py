"""The incremental-build cache: what the last build loaded, rendered and wrote.

One file per (content folder, output folder) pair, kept outside the output
(by default in `.cache/` beside it) and safe to delete. Everything in it is keyed
by content hashes, and the whole file by a hash of the generator's own code,
templates and library versions, so a cache from other code is never used.
A cache that cannot be read, fails its checksum or was written by other code
is ignored (the build is then a cold one), never trusted.

What is kept (see `State`):
- each meeting file as loaded (model, problems, documents), keyed by the file's
  bytes and what loading it depends on;
- each meeting's rendered Markdown, keyed by the meeting and the indicator codes;
- each output file's hash, size and identity on disk, and the digest of what it
  was made from, so an unchanged page is linked from the previous site rather
  than rendered and written again;
- the digest and files of each search-index shard;
- each meeting's calendar event, and each git version's `status:` (history.py).
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

MAGIC = b"site_gen-cache\n"
FORMAT = 1
ROOT = Path(__file__).resolve().parent.parent
# The generator's own inputs besides the content: a change to any of them makes a new cache.
# The code is hashed once per process (a running process does not reload it); the templates
# and assets at every build (the preview server rebuilds when they change).
CODE_FOLDERS = ("site_gen", "schemas")
EDITABLE_FOLDERS = ("templates", "assets")
LIBRARIES = ("Jinja2", "markdown-it-py", "mdit-py-plugins", "PyYAML", "pagefind-bin", "icalendar", "orjson")


def new_hash():
    return hashlib.blake2b(digest_size=20)


def content_hash(data: bytes) -> str:
    """The hash of a file's bytes (content files, output files, the cache itself)."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def digest(*parts) -> str:
    """A stable hash of strings, numbers, None, and (nested) tuples, lists and frozen
    dataclasses of them: their repr is deterministic, tells them apart, and is made in C
    (this is called for every page of every build). Only plain data: an object whose repr
    is its address would never hash the same twice, and so never be reused. Hash a file's
    bytes with `content_hash` first: the repr of bytes is slow."""
    return content_hash(repr(parts).encode("utf-8", "surrogatepass"))


_CODE_SIGNATURE: str | None = None


def folder_files(folder: Path) -> list:
    return [(path.relative_to(folder).as_posix(), content_hash(path.read_bytes())) for path in sorted(folder.rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts]


def code_signature(templates: Path | None = None) -> str:
    """A hash of everything besides the content that decides the output (see CODE_FOLDERS);
    `templates`: another templates folder than the project's."""
    global _CODE_SIGNATURE
    if _CODE_SIGNATURE is None:
        parts: list = [str(FORMAT), sys.version]
        for folder in CODE_FOLDERS:
            parts.append((folder, folder_files(ROOT / folder)))
        for library in LIBRARIES:
            try:
                parts.append((library, metadata.version(library)))
            except metadata.PackageNotFoundError:
                parts.append((library, None))
        _CODE_SIGNATURE = digest(parts)
    return digest(_CODE_SIGNATURE, [folder_files(Path(templates) if templates and folder == "templates" else ROOT / folder)
                                     for folder in EDITABLE_FOLDERS])


@dataclass
class LoadedMeeting:
    key: str
    meeting: object  # models.Meeting, or None when it failed to load
    problems: list  # problems.Problem, replayed into the report
    documents: dict[str, str]  # what it added to Archive.document_files


@dataclass
class OutputRecord:
    digest: str | None  # what the file was made from, when that is known without making it
    sha: str  # of its bytes
    size: int
    mtime_ns: int
    inode: int
    # for a page the search indexes: a digest of what its searchable text is made from, when
    # the renderer knows it (so a change outside that text re-indexes nothing); else None
    search: str | None = None


@dataclass
class State:
    meetings: dict[str, LoadedMeeting] = field(default_factory=dict)  # shown path -> what loading gave
    renders: dict[str, object] = field(default_factory=dict)  # render key -> linking.MeetingRender
    outputs: dict[str, OutputRecord] = field(default_factory=dict)  # output path -> record
    site_dir: str | None = None  # the output folder the records describe
    blob_statuses: dict[str, str] = field(default_factory=dict)  # git blob id -> status: for history.py
    events: dict[str, bytes] = field(default_factory=dict)  # a meeting's calendar event, by its inputs' digest
    # folders written by a tool (the search index's shards): folder -> (digest, {file: (size, mtime_ns, inode, hash)})
    folders: dict[str, tuple[str, dict[str, tuple[int, int, int, str]]]] = field(default_factory=dict)


class BuildCache:
    """The previous build's state (read once) and this build's (written after a build that succeeded)."""

    def __init__(self, path: Path | None, signature: str = ""):
        self.path = path
        self.signature = signature
        self.previous = State()
        self.current = State()
        self.ignored: str | None = None  # why an existing cache file was not used

    @classmethod
    def for_build(cls, cache_dir: str | os.PathLike, content_dir, out_dir=None, templates: Path | None = None) -> "BuildCache":
        """The cache of building `content_dir` into `out_dir`; without `out_dir`, of checking it."""
        pair = digest(str(Path(content_dir).resolve()), str(Path(out_dir).resolve()) if out_dir else "check")
        cache = cls(Path(cache_dir) / f"build-{pair[:16]}.pickle", code_signature(templates))
        cache.read()
        return cache

    @classmethod
    def disabled(cls) -> "BuildCache":
        return cls(None)

    def read(self) -> None:
        if self.path is None or not self.path.exists():
            return
        try:
            with open(self.path, "rb") as stream:
                magic = stream.read(len(MAGIC))
                signature = stream.read(40).decode("ascii", "replace")
                checksum = stream.read(40).decode("ascii", "replace")
                if magic != MAGIC:
                    self.ignored = "it is not a cache file"
                    return
                if signature != self.signature:
                    return  # written by other code or templates: silently a cold build
                # unpickled as it is read (never the whole file in memory at once) and trusted
                # only once the checksum of everything read matches
                hashing = _Hashing(stream)
                try:
                    state = pickle.load(hashing)
                except Exception as exc:  # any failure to unpickle means: do not trust it
                    self.ignored = ("it is damaged (checksum mismatch)" if hashing.finish() != checksum
                                    else f"it could not be read ({type(exc).__name__})")
                    return
                read = hashing.finish()
        except OSError as exc:
            self.ignored = f"could not read it ({exc.strerror})"
            return
        if read != checksum:
            self.ignored = "it is damaged (checksum mismatch)"
        elif not isinstance(state, State):
            self.ignored = "it holds something unexpected"
        else:
            self.previous = state

    def advance(self) -> None:
        """After a build that succeeded, in a process that builds again (the preview server):
        this build's state is the next one's previous state, without a trip to the disk."""
        self.previous, self.current = self.current, State()

    def save(self, state: State | None = None) -> None:
        """Write this build's state atomically; a failure to write only costs the next build time."""
        if self.path is None:
            return
        temporary = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(prefix=".tmp-", dir=self.path.parent)
            with os.fdopen(fd, "wb") as stream:
                stream.write(MAGIC + self.signature.encode("ascii") + b"0" * 40)  # the checksum, once known
                hashing = _Hashing(stream)
                pickle.dump(self.current if state is None else state, hashing, protocol=pickle.HIGHEST_PROTOCOL)
                stream.seek(len(MAGIC) + 40)
                stream.write(hashing.finish().encode("ascii"))
            os.replace(temporary, self.path)
        except OSError:
            if temporary:
                try:
                    os.unlink(temporary)
                except OSError:
                    pass


class _Hashing:
    """A file that hashes what passes through it."""

    def __init__(self, stream):
        self.stream = stream
        self.hash = new_hash()

    def write(self, data) -> int:
        self.hash.update(data)
        return self.stream.write(data)

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.hash.update(data)
        return data

    def readline(self) -> bytes:
        data = self.stream.readline()
        self.hash.update(data)
        return data

    def readinto(self, buffer) -> int:
        count = self.stream.readinto(buffer)
        self.hash.update(memoryview(buffer)[:count])
        return count

    def finish(self) -> str:
        """The hash of everything, the rest of a file being read included."""
        if self.stream.readable():
            while chunk := self.stream.read(1 << 20):
                self.hash.update(chunk)
        return self.hash.hexdigest()
