"""The history of the record: when each meeting's minutes were published and changed, from git.

One job: ask git, in a constant number of processes whatever the size of the
archive, for every commit that changed a meeting file, and return plain data
(`models.History`). Three processes in all:

1. `git rev-parse`: is the content folder in a repository, is the clone
   shallow, and where is the folder inside the repository;
2. one `git log` over `meetings/` with the raw diff of each commit (`--raw -M`):
   which files each commit changed, renamed or deleted, with the blob id of
   every version; renames are followed here, not with `--follow` (one file only);
3. one `git cat-file --batch` reading each version's front matter, for its
   `status:` (which versions were drafts, when the minutes were approved).

Dates are committer dates (when the change entered the branch the site is built
from: for a pull request, when it was merged); nothing here reads the clock, so
the same commits always give the same history. Uncommitted changes in the
working tree are not history: they are ignored.
"""
from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

from .models import Change, History, MeetingHistory

MEETING_FILE_RE = re.compile(r"^meetings/\d{4}/[^/]+\.md$")
STATUS_RE = re.compile(r"^status:[ \t]*[\"']?([A-Za-z]+)", re.MULTILINE)
NULL_BLOB = "0" * 40
FRONT_MATTER_BYTES = 64 * 1024  # the status is in the front matter, at the start of the file
RECORD, FIELD = "\x1e", "\x1f"
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


def parse_log(output: bytes) -> list[tuple[str, datetime.datetime, str, list[tuple[str, str, str, str, str]]]]:
    """`git log --raw -z` with our format -> [(commit, date, subject, [(status, old_path, new_path, old_blob, new_blob)])]."""
    commits = []
    for record in output.decode("utf-8", "replace").split(RECORD)[1:]:
        header, _, raw = record.partition("\0")
        commit, date, subject = header.split(FIELD, 2)
        tokens = raw.lstrip("\n").split("\0")
        entries = []
        position = 0
        while position < len(tokens):
            meta = tokens[position].strip("\n")
            position += 1
            if not meta.startswith(":"):
                continue
            parts = meta[1:].split()
            old_blob, new_blob, status = parts[2], parts[3], parts[4]
            if status[0] in "RC":
                old_path, new_path = tokens[position], tokens[position + 1]
                position += 2
            else:
                old_path = new_path = tokens[position]
                position += 1
            entries.append((status[0], old_path, new_path, old_blob, new_blob))
        commits.append((commit, datetime.datetime.fromisoformat(date), subject.strip(), entries))
    return commits


def follow(commits) -> dict[str, list[tuple[int, str, str, str, bool]]]:
    """Per file as it is named now: [(log position, commit index, path then, blob, content changed)], newest first.

    The log is walked newest first (children before parents, `--topo-order`):
    a rename hands the older history of its old name to the file's present name;
    an addition or deletion ends the history of a name (an older file of the same
    name is another file, deleted since).
    """
    now_name: dict[str, str | None] = {}  # a name in older commits -> the file's name now (None: no file now)
    histories: dict[str, list] = {}
    for index, (_, _, _, entries) in enumerate(commits):
        for status, old_path, new_path, old_blob, new_blob in entries:
            if status == "D":
                now_name[old_path] = None
                continue
            current = now_name.get(new_path, new_path)
            if current is not None and MEETING_FILE_RE.match(new_path):
                histories.setdefault(current, []).append((index, new_path, new_blob, old_blob != new_blob))
            if status in "RA":
                now_name[new_path] = None
            if status == "R":
                now_name[old_path] = current
    return histories


def read_statuses(content: Path, blobs: set[str]) -> dict[str, str]:
    """blob id -> the status written in that version, read by one `git cat-file --batch`.

    Streamed: only the start of each version (its front matter) is kept, so memory
    does not grow with the size of the whole history.
    """
    if not blobs:
        return {}
    ordered = sorted(blobs)
    try:
        process = subprocess.Popen(_command(content, "cat-file", "--batch"), stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_environment())
    except FileNotFoundError:
        raise GitUnavailable("git is not installed") from None
    request = "".join(blob + "\n" for blob in ordered).encode()
    writer = threading.Thread(target=_feed, args=(process.stdin, request), daemon=True)
    writer.start()
    statuses = {}
    try:
        for blob in ordered:
            header = process.stdout.readline().decode("ascii", "replace").split()
            if len(header) != 3:  # "<id> missing", or git stopped
                if header[-1:] == ["missing"]:
                    continue
                raise GitUnavailable("`git cat-file` stopped early")
            size = int(header[2])
            head = process.stdout.read(min(size, FRONT_MATTER_BYTES))
            remaining = size - len(head) + 1  # the rest of the version, and the newline after it
            while remaining > 0:
                skipped = len(process.stdout.read(min(remaining, 1 << 20)))
                if not skipped:
                    raise GitUnavailable("`git cat-file` stopped early")
                remaining -= skipped
            statuses[blob] = status_of(head.decode("utf-8", "replace"))
    finally:
        process.stdout.close()
        writer.join()
        if process.wait() != 0 and len(statuses) < len(ordered):
            raise GitUnavailable("`git cat-file` failed")
    return statuses


def _feed(stream, data: bytes) -> None:
    try:
        stream.write(data)
        stream.close()
    except (BrokenPipeError, OSError):
        pass


def classify(versions, commits, statuses) -> tuple[Change, ...]:
    """Name each change, oldest first: draft, published, amended, approved, amended after approval, renamed."""
    changes = []
    published = approved = False
    for index, path, blob, changed in reversed(versions):  # oldest first
        commit, date, subject, _ = commits[index]
        status = statuses.get(blob, "unconfirmed")
        if status == "draft" and not published:
            kind = "draft"
        elif not published:
            kind = "published"
        elif approved:
            kind = "amended-after-approval" if changed else "renamed"
        elif status == "approved":
            kind = "approved"
        else:
            kind = "amended" if changed else "renamed"
        published = published or kind == "published"
        approved = approved or (published and status == "approved")
        changes.append(Change(commit=commit, date=date, subject=subject, path=path, kind=kind, status=status,
                              order=index))
    return tuple(reversed(changes))


def guess_prefix(content: Path) -> str | None:
    """Without git: the content folder's path from the current folder (`python build.py` runs at the top)."""
    relative = Path(os.path.relpath(content)).as_posix()
    if relative == ".":
        return ""
    return None if relative.startswith("..") else relative + "/"


def read_history(content_dir, known_statuses: dict[str, str] | None = None,
                 learned_statuses: dict[str, str] | None = None) -> History:
    """The history of every meeting file of the content folder; History(available=False, notice=…) when there is none.

    `known_statuses` (blob id -> status, from the build cache: a version's content never
    changes) spares reading those versions again; `learned_statuses` receives every status used."""
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
        log = _git(content, "log", "--topo-order", "--no-merges", "--raw", "-M", "--no-abbrev", "-z", "--relative",
                   "--no-color", "--no-ext-diff", "--no-textconv", f"--format={RECORD}%H{FIELD}%cI{FIELD}%s",
                   "--", "meetings")
    except GitUnavailable as exc:
        if "does not have any commits" in str(exc):
            return without("the repository has no commits yet", prefix)
        return without(f"git cannot read the history ({exc})", prefix)
    commits = parse_log(log)
    if not commits:
        return without("no meeting file has been committed to git yet", prefix)
    versions = follow(commits)
    blobs = {blob for vs in versions.values() for _, _, blob, _ in vs if blob != NULL_BLOB}
    known = {blob: status for blob, status in (known_statuses or {}).items() if blob in blobs}
    try:
        statuses = {**known, **read_statuses(content, blobs - known.keys())}
    except GitUnavailable as exc:
        return without(f"git cannot read the history ({exc})", prefix)
    if learned_statuses is not None:
        learned_statuses.update(statuses)
    meetings = {path: MeetingHistory(path, classify(vs, commits, statuses)) for path, vs in sorted(versions.items())}
    return History(True, meetings=meetings, prefix=prefix)
