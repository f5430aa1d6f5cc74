"""The incremental-build cache: what the last build loaded, rendered and wrote.

One file per (content folder, output folder) pair, kept outside the output
(by default in `.cache/` beside it) and safe to delete. Everything in it is keyed
by content hashes, and the whole file by a hash of the generator's own code,
templates and library versions, so a cache from other code is never used.
A cache that cannot be read, fails its checksum or was written by other code
is ignored (the build is then a cold one), never trusted.

What is kept (see `State`):
- the memoised stages (`BuildCache.memo`): each meeting file as loaded (model,
  documents) and each indicator file, what each meeting's Markdown mentions and its HTML, each meeting's
  entries in the bulk open-data files, each meeting's calendar event and each git
  version's `status:` (history.py), by explicit keys made of content hashes; and
  what those computations reported, replayed when they are reused. A command-line
  build keeps the largest it computes in a scratch file until it saves (`Spilled`);
- each output file's hash, size and identity on disk, and the digest of what it
  was made from, so an unchanged page is linked from the previous site rather
  than rendered and written again;
- the digest and files of each search-index shard.

The file is data only: one JSON document (orjson) a memoised value, each decoded by a
schema made from the dataclasses' type annotations when a build asks for it (so a build
reads the values it uses, not the whole archive), and an index of where each value is,
with the output records. Reading it can make no other object and run no code. Everything
in it is authenticated before it is decoded, with keyed hashes (BLAKE2b for the index,
HMAC-SHA-256 for each value) whose key is kept outside the repository and the cache
folder (`cache_key`): the index by the hash in the file's head, and each value by its
own hash in the index, checked when the value is read. A cache file that came from
elsewhere (committed in a pull request, restored by CI from another job, copied from
another machine) fails the check and is ignored, because whoever made it could not know
the key; a value damaged since is not used (it is computed again). That matters because
the cache holds rendered HTML, which a rebuild publishes as it is. It does not protect
against someone who can run programs as the user who builds: they can read the key, and
change the site directly anyway.

Saving after a build appends only the values that build computed, then a new index,
and then points the head at it (`BuildCache.save`): the values already in the file
stay where they are, so the cost of saving follows the change, not the archive. The
file is written anew (and so compacted) when more than half of it is no longer used.

Layout: MAGIC, the code signature (40), the keyed hash of the index (64 hex), the
index's offset and length in the body (16 digits each), then the body: values and
indexes one after another.
"""
from __future__ import annotations

import base64
import contextlib
import dataclasses
import datetime
import hashlib
import hmac
import operator
import os
import secrets
import stat
import sys
import tempfile
import types
import typing
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import orjson

from .models import History, Indicator, Meeting
from .problems import Problem, Report
from .renders import MeetingFindings, MeetingMarkup, MeetingRows
from .scratch import Scratch, remove_leftovers

T = typing.TypeVar("T")

MAGIC = b"site_gen-cache 5\n"
OLDER = b"site_gen-cache "  # how the files of every format start: an older one is other code
FORMAT = 5
# State's fields read lazily from the file, a run of values at a time (the others are in the index)
MEMO_STAGES = ("meetings", "indicators", "renders", "markup", "rows", "row_digests", "blob_statuses", "events",
               "problems")
PLACE = 32  # the index's offset and length in the body, 16 ASCII digits each
MAC_AT = len(MAGIC) + 40  # where the head's keyed hash is, followed by the index's place
HEAD = MAC_AT + 64 + PLACE
VALUE_MAC = 16  # bytes of each value's keyed hash (another length than the index's: never taken for it)
ROOT = Path(__file__).resolve().parent.parent
# The generator's own inputs besides the content: a change to any of them makes a new cache.
# The code is hashed once per process (a running process does not reload it); the templates
# and assets at every build (the preview server rebuilds when they change).
CODE_FOLDERS = ("site_gen", "schemas")
EDITABLE_FOLDERS = ("templates", "assets")
LIBRARIES = ("Jinja2", "markdown-it-py", "mdit-py-plugins", "PyYAML", "pagefind-bin", "icalendar", "orjson")


# SHA-256 (OpenSSL's, in the processor's own instructions where it has them, as most since 2017
# do): twice as fast here as BLAKE2b for what a build hashes most, content files, pages, and the
# cache's values as they are read. Cut to 40 hex digits: a fifth of a large site's index is hashes.
HASH_DIGITS = 40


def content_hash(data: bytes | bytearray | memoryview) -> str:
    """The hash of a file's bytes (content files, output files, the cache itself)."""
    return hashlib.sha256(data).hexdigest()[:HASH_DIGITS]


def file_hash(stream) -> str:
    """`content_hash` of what is left to read in a binary file, read a megabyte at a time."""
    found = hashlib.sha256()
    while chunk := stream.read(1 << 20):
        found.update(chunk)
    return found.hexdigest()[:HASH_DIGITS]


_DIGEST_OPTIONS = orjson.OPT_NON_STR_KEYS


def digest(*parts) -> str:
    """A stable hash of strings, numbers, None, dates, and (nested) tuples, lists, dictionaries
    and dataclasses of them, as orjson writes them: deterministic, made in C, and a tenth of
    the time of their repr (this is called for every page of every build, on lists of every
    mention of an indicator). A tuple and a list of the same values hash alike, which no caller
    mixes up; numbers are finite (the loader refuses NaN and infinities, which JSON would write
    as null). Anything else is hashed by its repr: only plain data, since an object whose repr
    is its address would never hash the same twice, and so never be reused. Hash a file's bytes
    with `content_hash` first."""
    try:
        data = orjson.dumps(parts, default=repr, option=_DIGEST_OPTIONS)
    except (orjson.JSONEncodeError, TypeError):  # an integer beyond 64 bits, a surrogate in a string
        data = repr(parts).encode("utf-8", "surrogatepass")
    return content_hash(data)


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
    return digest(_CODE_SIGNATURE, [folder_files(Path(templates) if templates and folder == "templates"
                                                 else ROOT / folder)
                                     for folder in EDITABLE_FOLDERS])


@dataclass
class LoadedMeeting:
    meeting: Meeting | None  # None when it failed to load
    documents: dict[str, str]  # what it added to Archive.document_files


@dataclass
class OutputRecord:
    digest: str | None  # what the file was made from, when that is known without making it
    sha: str  # of its bytes
    size: int
    mtime_ns: int
    ctime_ns: int  # no one can set it back: a file edited in place is not taken for the one written
    inode: int
    # for a page the search indexes: a digest of what its searchable text is made from, when
    # the renderer knows it (so a change outside that text re-indexes nothing); else None
    search: str | None = None


@dataclass
class State:
    # the memoised stages (`BuildCache.memo`), each a mapping of explicit keys to values:
    meetings: dict[str, LoadedMeeting] = field(default_factory=dict)  # a meeting file as loaded
    indicators: dict[str, Indicator] = field(default_factory=dict)  # an indicator file as loaded
    renders: dict[str, MeetingFindings] = field(default_factory=dict)  # what a meeting's Markdown mentions
    markup: dict[str, MeetingMarkup] = field(default_factory=dict)  # a meeting's Markdown as HTML
    rows: dict[str, MeetingRows] = field(default_factory=dict)  # a meeting's entries in the bulk open data
    # the hash of those entries (`MeetingRows.digest`), by the same key: what the bulk files are made
    # from, read without the entries (tens of megabytes for a large archive) when none is made again
    row_digests: dict[str, str] = field(default_factory=dict)
    blob_statuses: dict[str, str] = field(default_factory=dict)  # git blob id -> status: for history.py
    events: dict[str, bytes] = field(default_factory=dict)  # a meeting's calendar event, by its inputs' digest
    # the history read from git, by a hash of git's log: kept in memory only, from one build of the
    # preview server to the next (not saved: `MEMO_STAGES`)
    histories: dict[str, History] = field(default_factory=dict)
    # what a memoised computation reported, by "stage:key" (only those that reported something)
    problems: dict[str, list[Problem]] = field(default_factory=dict)
    outputs: dict[str, OutputRecord] = field(default_factory=dict)  # output path -> record
    # each meeting file as read: shown path -> (size, mtime_ns, ctime_ns, inode, hash of its bytes),
    # and when that build began looking at them (its clock, in ns): a file whose record still
    # matches is not read again, unless it was changed within a moment of that (`loading.files`)
    files: dict[str, tuple[int, int, int, int, str]] = field(default_factory=dict)
    files_seen_at: int = 0
    site_dir: str | None = None  # the output folder the records describe
    # folders written by a tool (the search index's shards):
    # folder -> (digest, {file: (size, mtime_ns, ctime_ns, inode, hash)})
    folders: dict[str, tuple[str, dict[str, tuple[int, int, int, int, str]]]] = field(default_factory=dict)
    # values of the previous build's cache file kept without being read (`BuildCache.carry`): stage -> keys
    unread: dict[str, set[str]] = field(default_factory=dict, compare=False)


class BuildCache:
    """The previous build's state (read once) and this build's (written after a build that succeeded)."""

    def __init__(self, path: Path | None, signature: str = ""):
        self.path = path
        self.signature = signature
        # kept in memory between builds (the preview server): what the next build must wait for first
        self.settle: Callable[[], None] | None = None
        self.previous = State()
        self.current = State()
        self.ignored: str | None = None  # why an existing cache file was not used

    @classmethod
    def for_build(cls, cache_dir: str | os.PathLike, content_dir, out_dir=None,
                  templates: Path | None = None) -> "BuildCache":
        """The cache of building `content_dir` into `out_dir`; without `out_dir`, of checking it."""
        pair = digest(str(Path(content_dir).resolve()), str(Path(out_dir).resolve()) if out_dir else "check")
        cache = cls(Path(cache_dir) / f"build-{pair[:16]}.cache", code_signature(templates))
        cache.read()
        return cache

    @classmethod
    def disabled(cls) -> "BuildCache":
        return cls(None)

    # -- the memo seam: every stage reuses what the last build computed through these ----------

    def memo(self, stage: str, key: str, compute: Callable[[Report], T], report: Report | None = None) -> T:
        """What `compute` gave in the last build for the same `stage` and `key`, else what it gives now.
        `key` is explicit: a digest of everything the value depends on (content hashes, settings), never
        of the value's own objects. `compute` reports into the report it is given; those problems are
        kept with the value and replayed into `report` on every build that uses it, so a reused value
        reports exactly what computing it did."""
        return self.memo_many(stage, [key], lambda missing: {k: _computed(compute) for k in missing}, report)[key]

    def memo_many(self, stage: str, keys: Sequence[str],
                  compute_missing: Callable[[list[str]], dict[str, tuple[T, list[Problem]]]],
                  report: Report | None = None, usable: Callable[[T], bool] | None = None,
                  hold: bool = True) -> dict[str, T]:
        """`memo` for many keys at once, so that the missing ones are computed together (in the worker
        pool, or by one git process): `compute_missing(missing keys)` is called once, with an empty list
        when nothing is missing, and gives each key's (value, problems); a key it leaves out has no
        value (and is not kept). The values come in the order of `keys`, and so are problems replayed.
        `usable(previous value)`: whether a value kept from the last build still stands for what is
        outside the cache (an output file's record: the file is still the one recorded); when not,
        it is computed again. `hold=False`: the values kept from the last build are carried to the
        next (`carry`) rather than held by this build's state, so that they go when the caller is
        done with them (each meeting's entries in the bulk open data, read for three files)."""
        previous, current = getattr(self.previous, stage), getattr(self.current, stage)
        reused = {key: value for key, value in _values(previous, keys).items()  # those that could be read
                  if usable is None or usable(value)}
        fresh = compute_missing([key for key in keys if key not in reused])
        reported = _values(self.previous.problems, [f"{stage}:{key}" for key in reused if key not in fresh])
        values: dict[str, T] = {}
        for key in keys:
            name = f"{stage}:{key}"
            if key in fresh:
                value, problems = fresh[key]
            elif key in reused:
                value, problems = reused[key], reported.get(name) or []
            else:
                continue
            values[key] = value
            if hold or key in fresh:
                current[key] = value
            if problems:
                self.current.problems[name] = problems
                if report is not None:
                    report.problems.extend(problems)
        if not hold:
            self.carry(stage, [key for key in reused if key not in fresh])
        return values

    def spill(self, stages: Sequence[str], folder: Path | None = None) -> None:
        """This build's values of `stages` kept in a scratch file rather than in memory (`Spilled`):
        for a build whose state is saved when it ends (the command line), not one passed on in memory
        (the preview server). The file is beside the cache, or in `folder` for a build without one
        (its values are still read back within the build: each meeting's HTML by its pages)."""
        key = cache_key() if self.path is not None else secrets.token_bytes(32)
        folder = self.path.parent if self.path is not None else folder
        if folder is None or key is None:
            return
        hints = typing.get_type_hints(State)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for stage in stages:
                spilled = Spilled(folder, _decoder(typing.get_args(hints[stage])[1]), key)
                for name, value in getattr(self.current, stage).items():
                    spilled[name] = value
                setattr(self.current, stage, spilled)
        except OSError:  # no room beside the cache: kept in memory
            return

    def carry(self, stage: str, keys: Sequence[str]) -> None:
        """Keep for the next build the last build's values of `keys` that this build neither made
        nor read (a meeting's calendar event when no calendar holding it was made again; a
        meeting's HTML, read only for the pages made), with what computing them reported: else
        the next change makes them all again. Values in the cache file are saved as they are
        there (`State.unread`), never decoded for it."""
        previous, current = getattr(self.previous, stage), getattr(self.current, stage)
        lazy = isinstance(previous, LazyStage)
        unread = self.current.unread.setdefault(stage, set())
        for key in keys:
            if key in current or key not in previous:
                continue
            if lazy:
                unread.add(key)
            else:  # kept in memory (the preview server): passed on as they are
                current[key] = previous[key]
            name = f"{stage}:{key}"
            if name in self.previous.problems and (problems := self.previous.problems.get(name)):
                self.current.problems[name] = problems

    def read(self) -> None:
        if self.path is None or not (self.path.exists() or self.path.is_symlink()):
            return
        key = cache_key()
        if key is None:
            self.ignored = f"there is no key to check it with ({KEY_PROBLEM[0]})"
            return
        try:
            # never through a symbolic link, and only a regular file (not /dev/zero or a pipe)
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError as exc:
            self.ignored = f"could not read it ({exc.strerror})"
            return
        stream = open(fd, "rb")  # noqa: SIM115  (kept open by the lazy stages that read from it; closed when they go)
        try:
            previous = self._check(stream, key)
        except OSError as exc:
            self.ignored, previous = f"could not read it ({exc.strerror})", None
        if previous is None:
            stream.close()
        else:
            self.previous = previous

    def _check(self, stream, key: bytes) -> State | None:
        """The previous state, its index decoded and its values left in the file, once the file's
        keyed hash is found right (None, and why in `ignored`, when it is not used)."""
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            self.ignored = "it is not a cache file"
            return None
        start = stream.read(HEAD)
        if not start.startswith(MAGIC) or len(start) < HEAD:
            if not start.startswith(OLDER) or start.startswith(MAGIC):
                self.ignored = "it is not a cache file"
            return None  # an older format's: other code, silently a cold build
        signature = start[len(MAGIC):MAC_AT]
        if signature != self.signature.encode("ascii"):
            return None  # written by other code or templates: silently a cold build
        # nothing is decoded before the keyed hash of the index (and of where it is) is found right
        place = start[MAC_AT + 64:HEAD]
        try:
            index_at, length = int(place[:16]), int(place[16:])
            fits = index_at >= 0 and length >= 0 and HEAD + index_at + length <= info.st_size
            data = _read_at(stream, HEAD + index_at, length) if fits else b""
        except ValueError:
            data = b""
        if not hmac.compare_digest(index_mac(key, signature, place, data).encode("ascii"), start[MAC_AT:MAC_AT + 64]):
            self.ignored = "it is damaged or was not written on this machine (its checksum does not match)"
            return None
        try:
            return decode_state(orjson.loads(data), stream, key)
        except (orjson.JSONDecodeError, TypeError, ValueError, KeyError, AttributeError, IndexError) as exc:
            self.ignored = f"it could not be read ({type(exc).__name__})"
            return None

    def advance(self) -> None:
        """After a build that succeeded, in a process that builds again (the preview server):
        this build's state is the next one's previous state, without a trip to the disk."""
        for stage, names in self.current.unread.items():
            values, before = getattr(self.current, stage), getattr(self.previous, stage)
            for name in names:
                if name not in values and (value := before.get(name)) is not None:
                    values[name] = value  # decoded once, the first time; after that, only passed on
        self.current.unread = {}
        self.previous, self.current = self.current, State()

    def save(self, state: State | None = None) -> None:
        """Keep this build's state for the next: appended to the file the build read (`append_state`)
        when that is still the file there, else written anew, atomically. A failure to write only
        costs the next build time."""
        if self.path is None:
            return
        key = cache_key()
        if key is None:
            return
        state = self.current if state is None else state
        temporary: Scratch | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            remove_leftovers(self.path.parent, (".tmp-",))  # of builds killed while saving
            for pattern in ("build-*.pickle", "build-*.json"):  # older formats, never read
                for old in self.path.parent.glob(pattern):
                    old.unlink()
            try:
                if append_state(self.path, state, self.signature, key, self.previous):
                    return
            except (OSError, TypeError):  # the disk, or a value JSON cannot hold: written anew
                pass
            temporary, fd = Scratch.file(self.path.parent, ".tmp-")
            with os.fdopen(fd, "wb") as stream:
                write_state(stream, state, self.signature, key, self.previous)
            os.replace(temporary.path, self.path)
            temporary.release()
        except (OSError, TypeError):  # the disk, or a value JSON cannot hold: no cache next time
            if temporary is not None:
                temporary.remove()


# what reading a stored value may raise: it is then computed again
UNREADABLE = (KeyError, OSError, ValueError, TypeError, AttributeError, IndexError)


def _values(stored: Mapping, keys: Sequence[str]) -> dict:
    """The values of `keys` that `stored` has and can give (a stage of the previous build: in
    memory, or in its file, read a run at a time)."""
    if isinstance(stored, LazyStage):
        return stored.read_many(keys)
    return {key: value for key in keys if (value := stored.get(key)) is not None}


class _StoredValues(Mapping):
    """Values encoded in a file, each read, checked against its keyed hash and decoded when asked
    for (not kept): `entries` gives each one's [offset from `base`, length, keyed hash]."""

    def __init__(self, stream, entries: dict[str, list], decode: Callable | None, key: bytes, base: int):
        self.stream = stream
        self.entries = entries
        self.decode = decode
        self.key = key
        self.base = base

    def raw(self, key: str) -> bytes:
        offset, length, _ = self.entries[key]
        return _read_at(self.stream, self.base + offset, length)

    def __getitem__(self, key: str):
        if key not in self.entries:
            raise KeyError(key)
        return self._decoded(key, self.raw(key))

    def get(self, key, default=None):
        try:
            return self[key]
        except UNREADABLE:
            return default

    # a run of neighbouring values read at once by `read_many`: at most this many bytes, skipping
    # at most GAP bytes of other values between two
    RUN, GAP = 1 << 20, 1 << 16

    def read_many(self, keys: Sequence[str]) -> dict:
        """The values of `keys` that are here and can be read (as `get` gives them), read a run of
        neighbouring values at a time: a rebuild reads tens of thousands (every meeting's model,
        findings and warnings), and a system call each was a twentieth of it."""
        entries = self.entries
        places = sorted((entries[key][0], entries[key][1], key) for key in keys if key in entries)
        found: dict = {}
        first = 0
        while first < len(places):
            start, end = places[first][0], places[first][0] + places[first][1]
            last = first + 1
            while (last < len(places) and end <= places[last][0] <= end + self.GAP
                   and places[last][0] + places[last][1] - start <= self.RUN):
                end = places[last][0] + places[last][1]
                last += 1
            try:
                run = memoryview(_read_at(self.stream, self.base + start, end - start))
            except (OSError, ValueError):
                run = None
            for offset, length, key in places[first:last]:
                try:
                    data = run[offset - start:offset - start + length] if run is not None else self.raw(key)
                    found[key] = self._decoded(key, data)
                except UNREADABLE:
                    continue
            first = last
        return found

    def _decoded(self, key: str, data: bytes | memoryview):
        if not hmac.compare_digest(value_mac(self.key, data), self.entries[key][2]):
            raise ValueError("a value whose checksum does not match")  # damaged since: computed again
        value = orjson.loads(data)
        return value if self.decode is None else self.decode(value)

    def __contains__(self, key) -> bool:
        return key in self.entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


class LazyStage(_StoredValues):
    """A memoised stage of the previous build, each value read from the cache file and decoded
    when it is asked for (not kept: each is asked for once, and then held by the build)."""

    def __init__(self, stream, entries: dict[str, list], decode: Callable | None, key: bytes = b""):
        super().__init__(stream, entries, decode, key, HEAD)


class Spilled(_StoredValues, MutableMapping):
    """A memoised stage's values that this build computed, each encoded into a scratch file (unlinked:
    it goes with the process) as it is set, and read back, checked and decoded when asked for: a cold
    build of a large archive made every meeting's HTML, and held it all until the cache was saved.
    Saving copies each value's bytes as they are (`raw`). A forked worker keeps what it sets to
    itself: the file's end is its parent's to move."""

    def __init__(self, folder: Path, decode: Callable | None, key: bytes):
        stream = tempfile.TemporaryFile(dir=folder, prefix=".tmp-spill-")  # noqa: SIM115  (lives with the state)
        super().__init__(stream, {}, decode, key, 0)
        self.end = 0
        self.owner = os.getpid()
        self.local: dict[str, object] = {}  # set in a forked worker

    def __setitem__(self, name: str, value) -> None:
        if os.getpid() != self.owner:
            self.local[name] = value
            return
        data = _encode(value)
        os.pwrite(self.stream.fileno(), data, self.end)
        self.entries[name] = [self.end, len(data), value_mac(self.key, data)]
        self.end += len(data)

    def __getitem__(self, name: str):
        if name in self.local:
            return self.local[name]
        return super().__getitem__(name)

    def __delitem__(self, name: str) -> None:
        self.local.pop(name, None)
        del self.entries[name]

    def __contains__(self, name) -> bool:
        return name in self.entries or name in self.local

    def __iter__(self) -> Iterator[str]:
        return iter([*self.entries, *(name for name in self.local if name not in self.entries)])

    def __len__(self) -> int:
        return len(self.entries) + sum(1 for name in self.local if name not in self.entries)


def _read_at(stream, offset: int, length: int) -> bytes:
    data = os.pread(stream.fileno(), length, offset)
    if len(data) != length:
        raise ValueError("the file ends early")
    return data


def index_mac(key: bytes, signature: bytes, place: bytes, index: bytes) -> str:
    mac = hashlib.blake2b(key=key, digest_size=32)
    mac.update(signature)
    mac.update(place)
    mac.update(index)
    return mac.hexdigest()


def value_mac(key: bytes, data: bytes | memoryview) -> str:
    return hmac.digest(key, data, "sha256")[:VALUE_MAC].hex()


def _index(state: State, stages: dict) -> bytes:
    return _encode({"site_dir": state.site_dir, "outputs": state.outputs, "folders": state.folders,
                    "files": state.files, "files_seen_at": state.files_seen_at, "stages": stages})


def _head(signature: str, key: bytes, index_at: int, index: bytes) -> tuple[bytes, bytes]:
    """The head's keyed hash and the index's place, as written after the signature."""
    place = b"%016d%016d" % (index_at, len(index))
    return index_mac(key, signature.encode("ascii"), place, index).encode("ascii"), place


def write_state(stream, state: State, signature: str, key: bytes, previous: State | None = None) -> None:
    """`state` into the open file `stream`, authenticated with `key`. A value that `previous` read from
    its file under the same key (the same inputs, so the same value) is copied as it is there,
    with its keyed hash, not encoded again."""
    stream.write(MAGIC + signature.encode("ascii") + b"0" * (64 + PLACE))
    written = 0
    stages: dict[str, dict[str, tuple[int, int, str]]] = {}
    for stage in MEMO_STAGES:
        values, before = getattr(state, stage), getattr(previous, stage, None)
        entries = stages[stage] = {}
        for name in _names(state, stage):
            if isinstance(before, LazyStage) and name in before:
                data, mac = before.raw(name), before.entries[name][2]
            else:
                data, mac = _value_bytes(values, name, key)
            entries[name] = (written, len(data), mac)
            stream.write(data)
            written += len(data)
    index = _index(state, stages)
    stream.write(index)
    mac, place = _head(signature, key, written, index)
    stream.seek(MAC_AT)
    stream.write(mac + place)


# a file is written anew when less than this share of it is still used
COMPACT_BELOW = 0.5


def _names(state: State, stage: str) -> list[str]:
    """The keys of a stage to save: its values', then those carried unread (from the file read)."""
    values = getattr(state, stage)
    return list(values) + sorted(name for name in state.unread.get(stage, ()) if name not in values)


def append_state(path: Path, state: State, signature: str, key: bytes, previous: State) -> bool:
    """`state` appended to the cache file `previous` was read from, when that is still the file at
    `path` (under a lock, so builds saving at once each append whole): the values it holds already
    are referred to where they are, the others and a new index written after its end, and its head
    pointed at that index last, so a save cut short leaves the previous state readable. False when
    the file must be written anew: none was read, another replaced it, or most of it is unused."""
    stages_before = [getattr(previous, stage) for stage in MEMO_STAGES]
    if not all(isinstance(before, LazyStage) for before in stages_before):
        return False
    read = stages_before[0].stream
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:
        import fcntl
        fcntl.flock(fd, fcntl.LOCK_EX)
    except (ImportError, OSError):  # not on Windows: written anew
        os.close(fd)
        return False
    with open(fd, "r+b") as stream:
        now, then = os.fstat(fd), os.fstat(read.fileno())
        if (now.st_dev, now.st_ino) != (then.st_dev, then.st_ino) or not stat.S_ISREG(now.st_mode):
            return False
        stages: dict[str, dict[str, tuple[int, int, str]]] = {}
        end = now.st_size - HEAD
        new: list[bytes] = []
        used = 0
        for stage, before in zip(MEMO_STAGES, stages_before, strict=True):
            values = getattr(state, stage)
            entries = stages[stage] = {}
            for name in _names(state, stage):
                if name in before:
                    offset, length, mac = before.entries[name]
                else:
                    data, mac = _value_bytes(values, name, key)
                    offset, length = end, len(data)
                    new.append(data)
                    end += length
                entries[name] = (offset, length, mac)
                used += length
        index = _index(state, stages)
        if used + len(index) < COMPACT_BELOW * (end + len(index)):
            return False
        stream.seek(now.st_size)
        for data in new:
            stream.write(data)
        stream.write(index)
        stream.flush()
        mac, place = _head(signature, key, end, index)
        os.pwrite(fd, mac + place, MAC_AT)
    return True


def _value_bytes(values, name: str, key: bytes) -> tuple[bytes, str]:
    """A value of this build as the cache file holds it, with its keyed hash."""
    if isinstance(values, Spilled) and name in values.entries:
        return values.raw(name), values.entries[name][2]
    data = _encode(values[name])
    return data, value_mac(key, data)


def _encode(value) -> bytes:
    return orjson.dumps(value, default=_encode_other,
                        option=orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS)


def _computed(compute: Callable[[Report], T]) -> tuple[T, list[Problem]]:
    captured = Report()
    return compute(captured), captured.problems


# -- the key ------------------------------------------------------------------------

KEY_ENV = "SITE_GEN_CACHE_KEY"
_KEY: list[bytes | None] = []
KEY_PROBLEM: list[str] = [""]


def key_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "site_gen" / "cache-key"


def cache_key() -> bytes | None:
    """The key of the cache files' keyed hash: from the environment (`SITE_GEN_CACHE_KEY`, for a
    CI that keeps it as a secret, which a fork's pull request is not given), else a random key
    made once per user and machine in `~/.cache/site_gen/cache-key`, outside any repository.
    None when there is neither (the cache is then not used)."""
    if _KEY:
        return _KEY[0]
    secret = os.environ.get(KEY_ENV)
    key: bytes | None = None
    if secret:
        key = hashlib.blake2b(secret.encode("utf-8", "surrogatepass"), digest_size=32).digest()
    else:
        path = key_file()
        try:
            key = _read_key(path)
            if key is None:
                path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                scratch, fd = Scratch.file(path.parent, ".key-")
                with os.fdopen(fd, "wb") as stream:
                    stream.write(secrets.token_bytes(32))
                with contextlib.suppress(FileExistsError):
                    os.link(scratch.path, path)  # never replaces a key another build just made
                scratch.remove()
                key = _read_key(path)
        except OSError as exc:
            KEY_PROBLEM[0] = f"could not make {path}: {exc.strerror}"
            key = None
    _KEY.append(key)
    return key


def _read_key(path: Path) -> bytes | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    if len(data) != 32:
        raise OSError(0, "it is not a key", str(path))
    return data


# -- the encoding: JSON written by orjson, read back by a schema of the dataclasses --------
#
# A dataclass is written as the array of its fields' values in their order, not as an object of
# named fields, and read back by a function made for its class from its type annotations, which
# calls the class with them. A rebuild of a large archive reads every meeting's model and findings
# (some 150,000 objects for 4,000 meetings): arrays are smaller to parse, need no mapping made
# per object, and the reading functions are generated source (as `dataclasses` makes __init__),
# a call per field with no loop. Both halved the time of reading them.

_FIELD_VALUES: dict[type, Callable] = {}


def _encode_other(value):
    values = _FIELD_VALUES.get(type(value))
    if values is not None:
        return values(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = tuple(f.name for f in dataclasses.fields(value))
        # in C: attrgetter gives the tuple of the fields' values (orjson writes it as an array)
        values = operator.attrgetter(*names) if len(names) > 1 else (lambda v: tuple(getattr(v, n) for n in names))
        _FIELD_VALUES[type(value)] = values
        return values(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"the cache cannot hold a {type(value).__name__}")


_DECODERS: dict = {}


def _decoder(hint):
    """A function turning the JSON of a value of type `hint` back into the value (None: the
    JSON value is the value). Only the types the cached dataclasses use."""
    if hint in (str, int, float, bool, type(None), typing.Any, object, list, dict):
        return None
    if hint is datetime.date:
        return datetime.date.fromisoformat
    if hint is datetime.datetime:
        return datetime.datetime.fromisoformat
    if hint is bytes:
        return lambda value: base64.b64decode(value, validate=True)
    if dataclasses.is_dataclass(hint):
        if hint not in _DECODERS:
            _DECODERS[hint] = None  # while its fields are worked out (a class that holds itself)
            _DECODERS[hint] = _dataclass_decoder(hint)
        return _DECODERS[hint] or (lambda value: _DECODERS[hint](value))
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is dict:
        return _dict_decoder(args)
    if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
        return _generated("a tuple", list(args))
    if origin in (typing.Union, types.UnionType, list, tuple, set, frozenset):
        return _expression_reader(hint)
    raise TypeError(f"the cache cannot hold a {hint!r}")


def _dict_decoder(args):
    keys = _decoder(args[0]) if args[0] is not int else int
    values = _decoder(args[1])
    if keys is None and values is None:
        return None
    if keys is None:
        return lambda value: {k: values(v) for k, v in value.items()}
    if values is None:
        return lambda value: {keys(k): v for k, v in value.items()}
    return lambda value: {keys(k): values(v) for k, v in value.items()}


def _wrong_shape(what: str):
    raise ValueError(f"{what} of the wrong shape")


def _dataclass_decoder(cls):
    hints = typing.get_type_hints(cls)
    fields = dataclasses.fields(cls)
    if not all(f.init for f in fields):
        raise TypeError(f"the cache cannot make a {cls.__name__}: not every field is given to __init__")
    # made by the class's own __init__ (so instances share their attribute names: a fifth less
    # memory for a large archive's meetings than adopting a mapping as their __dict__)
    return _generated(cls.__name__, [hints[f.name] for f in fields], made=cls,
                      names=[f"{f.name}=" if f.kw_only else "" for f in fields])


def _generated(what: str, hints: list, made: type | None = None, names: list[str] | None = None) -> Callable:
    """The function reading a fixed-length JSON array whose i-th value is a `hints[i]`, giving
    `made(*values)`, or the tuple of the values without `made`: generated source, so that reading
    a value is a call per field holding a dataclass, with no loop, no mapping made, and an optional
    field or a run of dataclasses read in line (a field that may be None is half of a meeting's)."""
    scope: dict[str, object] = {"wrong": _wrong_shape, "made": made}
    values = ", ".join((names[index] if names else "") + _read_expression(hint, f"value[{index}]", scope)
                       for index, hint in enumerate(hints))
    return _compiled(f"    if type(value) is not list or len(value) != {len(hints)}:\n"
                     f"        wrong({what!r})\n"
                     f"    return {f'made({values})' if made is not None else f'({values},)'}\n", scope)


def _expression_reader(hint) -> Callable | None:
    """The function reading a value that may be None, or a run of values, as `_read_expression`
    reads it within an array (None: the JSON value is the value)."""
    scope: dict[str, object] = {}
    expression = _read_expression(hint, "value", scope)
    return None if expression == "value" else _compiled(f"    return {expression}\n", scope)


def _compiled(body: str, scope: dict[str, object]) -> Callable:
    exec(f"def read(value):\n{body}", scope)  # noqa: S102  (our own source, made from type annotations, never from the file)
    read = scope["read"]
    assert callable(read)
    return read


def _read_expression(hint, value: str, scope: dict[str, object]) -> str:
    """Source reading `value` (a name, or an index into the array being read) as a `hint`, with
    the functions it calls put in `scope`."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        others = [a for a in args if a is not type(None)]
        if len(others) == 1:  # X | None
            inner = _read_expression(others[0], value, scope)
            return value if inner == value else f"(None if {value} is None else {inner})"
        if any(_decoder(a) is not None for a in others):
            raise TypeError(f"the cache cannot tell apart the types of {hint}")
        return value
    if origin in (list, set, frozenset) or origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        inner_decoder = _decoder(args[0]) if args else None
        if inner_decoder is None:
            return value if origin is list else f"{origin.__name__}({value})"
        return f"{origin.__name__}(map({_bound(scope, inner_decoder)}, {value}))"
    decode = _decoder(hint)
    return value if decode is None else f"{_bound(scope, decode)}({value})"


def _bound(scope: dict[str, object], function: Callable) -> str:
    name = f"read_{len(scope)}"
    scope[name] = function
    return name


def decode_state(index, stream, key: bytes = b"") -> State:
    """The state a cache file's index describes: the output records decoded, the stages left in the file."""
    hints = typing.get_type_hints(State)
    if not isinstance(index, dict) or not isinstance(index.get("stages"), dict):
        raise TypeError("the index is not a mapping of stages")
    state = State(site_dir=index["site_dir"])
    state.files_seen_at = index["files_seen_at"]
    if not isinstance(state.files_seen_at, int):
        raise TypeError("files_seen_at is not a number")
    for name in ("outputs", "folders", "files"):
        decode = _decoder(hints[name])
        setattr(state, name, index[name] if decode is None else decode(index[name]))
    for stage in MEMO_STAGES:
        entries = index["stages"].get(stage, {})
        if not (isinstance(entries, dict) and all(isinstance(e, list) and len(e) == 3 for e in entries.values())):
            raise TypeError(f"the index of {stage} is not a mapping of places")
        setattr(state, stage, LazyStage(stream, entries, _decoder(typing.get_args(hints[stage])[1]), key))
    return state
