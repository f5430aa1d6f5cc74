"""The history of the record: when each meeting's minutes were published, changed, moved or withdrawn, from git.

One job: ask git, in a constant number of processes whatever the size of the
archive, for every commit that changed the content folder, and return plain data
(`models.History`). Four processes in all:

1. `git rev-parse`: is the content folder in a repository, is the clone
   shallow, and where is the folder inside the repository;
2. one `git log --first-parent` of the commit being built, with the raw diff of
   each commit against its first parent (`--raw -M -z`): which files each commit
   changed, renamed or deleted, with the blob id of every version. Renames are
   followed here, not with `--follow` (one file only);
3. `git rev-parse --symbolic-full-name HEAD`: which branch is built;
4. one `git cat-file --batch` reading each commit's message and each version's
   front matter (for its `status:`: which versions were drafts, when the
   minutes were approved).

The public history is the first-parent history of the published branch
(`repository_branch`): a pull request merged with a merge commit is one change,
dated when it was merged and described by its title (the merge commit's
message), whatever happened on its branch; squash and rebase merges and direct
pushes are ordinary commits of the branch. Dates are committer dates; nothing
here reads the clock, so the same commits always give the same history.
Uncommitted changes in the working tree are not history: they are ignored.

Every field git prints is separated by NUL (`-z`) and every message is read
with its length (`cat-file`), so no byte of a commit message or file name can
be mistaken for a separator; a commit that cannot be read is skipped and said
once (`History.skipped`), never a traceback. Control characters never leave
this module: they are removed from messages.
"""
from __future__ import annotations

import codecs
import datetime
import os
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .cache import BuildCache, content_hash, digest
from .models import Change, History, MeetingHistory
from .safetext import strip_controls

# a meeting file as the content contract names it; other paths are not meetings
MEETING_FILE_RE = re.compile(r"^meetings/\d{4}/\d{4}-\d{2}-\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*\.md$")
STATUS_RE = re.compile(r"^status:[ \t]*[\"']?([A-Za-z]+)", re.MULTILINE)
NULL_BLOB = "0" * 40
FRONT_MATTER_BYTES = 64 * 1024  # the status is in the front matter, at the start of the file
MESSAGE_BYTES = 64 * 1024  # of a commit object: its headers and the start of its message
SUBJECT_CHARACTERS = 300  # longer messages are cut, with an ellipsis
HEADER_RE = re.compile(r"^\n?([0-9a-f]{40,64})\t([0-9a-f \t]*)\t(.*)$", re.DOTALL)
META_RE = re.compile(r"^\n?:(\d{6}) (\d{6}) ([0-9a-f]{40,64}) ([0-9a-f]{40,64}) ([AMDRTCUX])(\d*)$")
MERGE_TITLE_RE = re.compile(r"^Merge (pull request|branch|remote-tracking branch|request) ", re.IGNORECASE)
# Variables that would point git at another repository than the content folder's
# (a git hook sets some of them): the history is always that of the content folder.
GIT_LOCATION_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX", "GIT_COMMON_DIR",
                          "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE")


class GitUnavailable(Exception):
    """The history cannot be read; the message says why, in a clerk's words."""


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in GIT_LOCATION_VARIABLES}
    env.update(LC_ALL="C", GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0")
    return env


def _command(content: Path, *args: str) -> list[str]:
    return ["git", "-C", str(content), "-c", "core.quotepath=off", *args]


def _git(content: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(_command(content, *args), capture_output=True, env=_environment(), timeout=600)
    except FileNotFoundError:
        raise GitUnavailable("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise GitUnavailable(f"`git {args[0]}` took more than 10 minutes") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitUnavailable(message[0] if message else f"`git {args[0]}` failed")
    return done.stdout


def status_of(text: str) -> str:
    """The `status:` of one version of a meeting file (its front matter only); unconfirmed when absent."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        return "unconfirmed"
    end = next((n for n, line in enumerate(lines[1:], start=1) if line.strip() == "---"), len(lines))
    match = STATUS_RE.search("\n".join(lines[1:end]))
    return match.group(1).lower() if match else "unconfirmed"


def clean(text: str) -> str:
    """One line of text safe in any page, feed or calendar: control characters (and the code
    points XML forbids) removed, runs of white space made one space."""
    return " ".join(strip_controls(text).split())


def shorten(text: str, limit: int = SUBJECT_CHARACTERS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def describe(message: str, merge: bool) -> str:
    """The one line the site shows for a commit: the first paragraph of its message (as git's
    `%s`); for a merge of a pull request ("Merge pull request #12 from …", then its title), the
    title, which says what the change is."""
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", message.strip()) if p.strip()]
    if not paragraphs:
        return ""
    subject = clean(paragraphs[0])
    if merge and len(paragraphs) > 1 and MERGE_TITLE_RE.match(subject):
        subject = clean(paragraphs[1].strip().split("\n", 1)[0])
    return shorten(subject)


@dataclass
class Commit:
    commit: str
    parents: tuple[str, ...]
    date: datetime.datetime
    entries: list[tuple[str, str, str, str, str]]  # (status, old path, new path, old blob, new blob)
    subject: str = ""


def parse_log(output: bytes) -> tuple[list[Commit], list[str]]:
    """`git log --raw -z` with the format `%H<TAB>%P<TAB>%cI` -> (commits newest first, why each
    unreadable commit was skipped). Fields are NUL-separated, so a path may hold any byte."""
    tokens = output.decode("utf-8", "surrogateescape").split("\0")
    commits: list[Commit] = []
    skipped: list[str] = []
    current: Commit | None = None
    broken = False
    position = 0
    while position < len(tokens):
        token = tokens[position]
        position += 1
        if not token.strip("\n"):
            continue
        header = HEADER_RE.match(token)
        if header:
            if current is not None and not broken:
                commits.append(current)
            commit, parents, date = header.groups()
            try:
                when = datetime.datetime.fromisoformat(date.strip())
                if when.tzinfo is None:
                    raise ValueError(date)
                when.astimezone(datetime.timezone.utc)
            except (ValueError, OverflowError):
                skipped.append(f"{commit[:7]} (its date `{clean(date)[:40]}` is not a date)")
                current, broken = Commit(commit, (), datetime.datetime.min, []), True
                continue
            current, broken = Commit(commit, tuple(parents.split()), when, []), False
            continue
        meta = META_RE.match(token)
        if current is None or meta is None:
            if current is not None and not broken:
                skipped.append(f"{current.commit[:7]} (git's list of its files could not be read)")
                broken = True
            continue
        _, _, old_blob, new_blob, status, _ = meta.groups()
        if status in "RC":
            if position + 1 >= len(tokens):
                skipped.append(f"{current.commit[:7]} (git's list of its files could not be read)")
                broken = True
                break
            old_path, new_path = tokens[position], tokens[position + 1]
            position += 2
        else:
            if position >= len(tokens):
                skipped.append(f"{current.commit[:7]} (git's list of its files could not be read)")
                broken = True
                break
            old_path = new_path = tokens[position]
            position += 1
        current.entries.append((status, old_path, new_path, old_blob, new_blob))
    if current is not None and not broken:
        commits.append(current)
    return commits, skipped


@dataclass(frozen=True)
class Version:
    """One commit's change to one meeting file, as `follow` finds it."""

    index: int  # of the commit in the log, 0 = newest
    path: str  # the file's path in that commit (for a deletion: the path deleted)
    blob: str  # the version written (for a deletion: the version deleted)
    changed: bool  # its text changed (False: only renamed)
    moved_from: str | None = None  # renamed in this commit, from this path
    deleted: bool = False


@dataclass
class Lineage:
    """One meeting file through its renames, newest version first."""

    path: str  # its path now, or when it was deleted
    versions: list[Version] = field(default_factory=list)

    @property
    def deleted(self) -> bool:
        return bool(self.versions) and self.versions[0].deleted


def _meeting_entries(entries):
    """A commit's entries as they concern meeting files: a rename out of meetings/ deletes a
    meeting, a rename into it adds one."""
    for status, old_path, new_path, old_blob, new_blob in entries:
        old_is, new_is = bool(MEETING_FILE_RE.match(old_path)), bool(MEETING_FILE_RE.match(new_path))
        if status == "R":
            if old_is and new_is:
                yield "R", old_path, new_path, old_blob, new_blob
            elif old_is:
                yield "D", old_path, old_path, old_blob, NULL_BLOB
            elif new_is:
                yield "A", new_path, new_path, NULL_BLOB, new_blob
        elif status == "C":
            if new_is:
                yield "A", new_path, new_path, NULL_BLOB, new_blob
        elif new_is:
            yield status, old_path, new_path, old_blob, new_blob


def follow(commits: list[Commit]) -> list[Lineage]:
    """Every meeting file the history knows, through its renames: those that exist now first
    (by their path now), then those deleted since, newest deletion first.

    The log is walked newest first: a rename hands the older history of its old name to the
    file's later name; an addition ends the history of a name (an older file of the same name
    is another file, deleted since); a deletion starts the history of a deleted file.
    """
    live: dict[str, Lineage] = {}
    deleted: list[Lineage] = []
    owner: dict[str, Lineage | None] = {}  # a name in older commits -> its file (None: another file, gone)
    for index, commit in enumerate(commits):
        for status, old_path, new_path, old_blob, new_blob in _meeting_entries(commit.entries):
            if status == "D":
                gone = Lineage(old_path, [Version(index, old_path, old_blob, True, deleted=True)])
                deleted.append(gone)
                owner[old_path] = gone
                continue
            lineage = owner[new_path] if new_path in owner else live.setdefault(new_path, Lineage(new_path))
            if lineage is not None:
                moved = old_path if status == "R" and old_path != new_path else None
                lineage.versions.append(Version(index, new_path, new_blob, old_blob != new_blob, moved))
            if status in "RA":
                owner[new_path] = None
            if status == "R":
                owner[old_path] = lineage
    return [live[path] for path in sorted(live)] + deleted


def read_objects(content: Path, blobs: set[str], commits: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """(blob id -> the status written in that version, commit id -> its message), read by one
    `git cat-file --batch`. Streamed: only the start of each object is kept (a version's front
    matter, a commit's headers and message), so memory does not grow with the history."""
    ordered = sorted(blobs) + sorted(commits - blobs)
    if not ordered:
        return {}, {}
    try:
        process = subprocess.Popen(_command(content, "cat-file", "--batch"), stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_environment())
    except FileNotFoundError:
        raise GitUnavailable("git is not installed") from None
    request = "".join(name + "\n" for name in ordered).encode()
    stdout = process.stdout
    assert stdout is not None  # stdout=PIPE
    writer = threading.Thread(target=_feed, args=(process.stdin, request), daemon=True)
    writer.start()
    statuses: dict[str, str] = {}
    messages: dict[str, str] = {}
    answered = 0
    try:
        for name in ordered:
            header = stdout.readline().decode("ascii", "replace").split()
            if len(header) != 3:  # "<id> missing", or git stopped
                if header[-1:] == ["missing"]:
                    answered += 1
                    continue
                raise GitUnavailable("`git cat-file` stopped early")
            kind, size = header[1], int(header[2])
            head = stdout.read(min(size, MESSAGE_BYTES if kind == "commit" else FRONT_MATTER_BYTES))
            remaining = size - len(head) + 1  # the rest of the object, and the newline after it
            while remaining > 0:
                skipped = len(stdout.read(min(remaining, 1 << 20)))
                if not skipped:
                    raise GitUnavailable("`git cat-file` stopped early")
                remaining -= skipped
            answered += 1
            if kind == "commit":
                messages[name] = commit_message(head)
            elif kind == "blob":
                statuses[name] = status_of(head.decode("utf-8", "replace"))
    finally:
        stdout.close()
        writer.join()
        if process.wait() != 0 and answered < len(ordered):
            raise GitUnavailable("`git cat-file` failed")
    return statuses, messages


def commit_message(raw: bytes) -> str:
    """The message of a raw commit object, decoded as its `encoding` header says (UTF-8 when absent)."""
    headers, _, message = raw.partition(b"\n\n")
    encoding = "utf-8"
    for line in headers.split(b"\n"):
        if line.startswith(b"encoding "):
            encoding = line[len(b"encoding "):].decode("ascii", "replace").strip()
    try:
        codecs.lookup(encoding)
    except LookupError:
        encoding = "utf-8"
    return message.decode(encoding, "replace")


def _feed(stream, data: bytes) -> None:
    try:
        stream.write(data)
        stream.close()
    except (BrokenPipeError, OSError):
        pass


def classify(versions, commits, statuses) -> tuple[Change, ...]:
    """Name each change, oldest first: draft, published, amended, approved, amended after
    approval, renamed, withdrawn. `versions` newest first, as `follow` gives them."""
    changes = []
    published = approved = False
    for version in reversed(versions):  # oldest first
        commit = commits[version.index]
        status = statuses.get(version.blob, "unconfirmed")
        if version.deleted:
            kind = "withdrawn" if published else "draft"  # a draft deleted was never public
        elif status == "draft" and not published:
            kind = "draft"
        elif not published:
            kind = "published"
        elif approved:
            kind = "amended-after-approval" if version.changed else "renamed"
        elif status == "approved":
            kind = "approved"
        else:
            kind = "amended" if version.changed else "renamed"
        published = published or kind == "published"
        approved = approved or (published and status == "approved")
        changes.append(Change(commit=commit.commit, date=commit.date, subject=commit.subject, path=version.path,
                              kind=kind, status=status, order=version.index, moved_from=version.moved_from))
    return tuple(reversed(changes))


def guess_prefix(content: Path) -> str | None:
    """Without git: the content folder's path from the current folder (`python build.py` runs at the top)."""
    relative = Path(os.path.relpath(content)).as_posix()
    if relative == ".":
        return ""
    return None if relative.startswith("..") else relative + "/"


def missing(content_dir) -> str | None:
    """Why the content folder has no whole history (no git, not a repository, a shallow clone),
    or None when it has one: for `--require-history`, in one process."""
    content = Path(content_dir).resolve()
    if shutil.which("git") is None:
        return "git is not installed"
    try:
        answer = _git(content, "rev-parse", "--is-inside-work-tree", "--is-shallow-repository")
    except GitUnavailable as exc:
        if "not a git repository" in str(exc):
            return "the content folder is not in a git repository"
        return f"git cannot read the content folder ({exc})"
    inside, shallow = (answer.decode("utf-8", "replace").splitlines() + ["", ""])[:2]
    if inside != "true":
        return "the content folder is not in a git work tree"
    if shallow == "true":
        return ("the repository is a shallow clone, so its history is incomplete "
                "(fetch the whole history: `git fetch --unshallow`)")
    try:
        _git(content, "rev-parse", "-q", "--verify", "HEAD^{commit}")
    except GitUnavailable:
        return "the repository has no commits yet"
    return None


def _branch_notice(content: Path, branch: str) -> str | None:
    """What to say when the commit built is on another branch than the published one (a deploy preview)."""
    try:
        built = _git(content, "rev-parse", "--symbolic-full-name", "HEAD").decode("utf-8", "replace").strip()
    except GitUnavailable:
        return None
    if built.startswith("refs/heads/") and built != f"refs/heads/{branch}":
        return (f"the branch built is {clean(built[len('refs/heads/'):])}, not {branch}: the history shown is "
                f"that branch's own, commit by commit (once merged, {branch} shows one change, dated by the merge)")
    return None


def read_history(content_dir, cache: BuildCache | None = None, branch: str = "main") -> History:
    """The history of every meeting file of the content folder; History(available=False, notice=…) when there is none.

    `cache`: each version's `status:` is kept by its blob id (the cache's "blob_statuses" stage: a
    version's content never changes), so versions read by an earlier build are not read again.
    `branch`: the published branch (site.yml's `repository_branch`); building another one
    (a deploy preview) is said in `notice`, with the history of the commit built."""
    content = Path(content_dir).resolve()

    def without(notice: str, prefix: str | None = None) -> History:
        return History(False, prefix=guess_prefix(content) if prefix is None else prefix, notice=notice)

    if shutil.which("git") is None:
        return without("git is not installed")
    try:
        answer = _git(content, "rev-parse", "--is-inside-work-tree", "--is-shallow-repository", "--show-prefix")
    except GitUnavailable as exc:
        if "not a git repository" in str(exc):
            return without("the content folder is not in a git repository")
        return without(f"git cannot read the content folder ({exc})")
    inside, shallow, prefix = (answer.decode("utf-8", "replace").splitlines() + ["", "", ""])[:3]
    if inside != "true":
        return without("the content folder is not in a git work tree")
    if shallow == "true":
        return without("the repository is a shallow clone, so its history is incomplete (fetch the whole "
                       "history: `git fetch --unshallow`)", prefix)
    try:
        log = _git(content, "log", "--first-parent", "-m", "--topo-order", "--raw", "-M", "--no-abbrev", "-z",
                   "--relative", "--no-color", "--no-ext-diff", "--no-textconv",
                   "--format=%H%x09%P%x09%cI", "HEAD", "--", ".")
    except GitUnavailable as exc:
        if "does not have any commits" in str(exc) or "unknown revision" in str(exc):
            return without("the repository has no commits yet", prefix)
        return without(f"git cannot read the history ({exc})", prefix)
    notice = _branch_notice(content, branch)
    cache = cache or BuildCache.disabled()
    try:  # the same log, the same history (the preview server's rebuilds between two commits)
        return cache.memo("histories", digest(content_hash(log), prefix, notice),
                          lambda report: _history(content, log, prefix, notice, cache))
    except GitUnavailable as exc:
        return without(f"git cannot read the history ({exc})", prefix)


def _history(content: Path, log: bytes, prefix: str, notice: str | None, cache: BuildCache) -> History:
    """`read_history` from git's log of the content folder."""
    commits, skipped = parse_log(log)
    if not commits:
        return History(False, prefix=prefix, notice="nothing in the content folder has been committed to git yet")
    lineages = follow(commits)
    blobs = {v.blob for lineage in lineages for v in lineage.versions if v.blob != NULL_BLOB}
    wanted = {commits[v.index].commit for lineage in lineages for v in lineage.versions}
    messages: dict[str, str] = {}

    def read_missing(missing: list[str]) -> dict[str, tuple[str, list]]:
        # one git process reads the versions not cached and every commit's message
        found, messages_read = read_objects(content, set(missing), wanted)
        messages.update(messages_read)
        return {blob: (found[blob], []) for blob in missing if blob in found}
    statuses = cache.memo_many("blob_statuses", sorted(blobs), read_missing)
    for commit in commits:
        commit.subject = describe(messages.get(commit.commit, ""), len(commit.parents) > 1)
    meetings: dict[str, MeetingHistory] = {}
    withdrawn: dict[str, MeetingHistory] = {}
    moved: dict[str, str] = {}
    for lineage in lineages:
        changes = classify(lineage.versions, commits, statuses)
        if lineage.deleted:
            if changes[0].kind != "withdrawn" or lineage.path in withdrawn:  # never public; or an older file
                continue
            withdrawn[lineage.path] = MeetingHistory(lineage.path, changes)
        else:
            meetings[lineage.path] = MeetingHistory(lineage.path, changes)
        for change in changes:  # its earlier names that were public lead to it
            if change.kind not in ("draft", "withdrawn") and change.path != lineage.path:
                moved.setdefault(change.path, lineage.path)
    return History(True, meetings=meetings, prefix=prefix, notice=notice, withdrawn=withdrawn,
                   moved=dict(sorted(moved.items())), latest=commits[0].date if commits else None,
                   skipped=tuple(skipped))
