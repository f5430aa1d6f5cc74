"""What an import remembers between runs, so that running it again is safe.

Kept in `content/.import/moderngov-<portal host>.json`, committed with the content: a
run on another machine (or in CI) then knows which files the import wrote, and a file
whose bytes differ from what it wrote was edited by a clerk and is left alone. The
content loader never reads folders whose name starts with a dot, so `check` ignores it.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path

VERSION = 1


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def atomic_write(path: Path, data: bytes) -> None:
    """The file is written whole or not at all: a temporary file beside it, then renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


class ImportState:
    def __init__(self, path: Path, portal: str):
        self.path = path
        self.portal = portal
        self.committees: dict[str, dict] = {}  # portal id -> {"slug", "title"}
        self.meetings: dict[str, dict] = {}  # portal id -> {"path", "stamp", "detail", "written", "status", "complete"}
        self.issues: dict[str, str] = {}  # portal issue id -> slug
        self.documents: dict[str, dict] = {}  # content-relative file -> {"url", "written"}

    @classmethod
    def for_portal(cls, content: Path, portal: str) -> "ImportState":
        host = portal.split("://", 1)[-1].split("/", 1)[0].replace(":", "-").lower()
        state = cls(content / ".import" / f"moderngov-{host}.json", portal)
        if state.path.is_file():
            try:
                data = json.loads(state.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}  # an unreadable state: the import starts again, and still never overwrites a clerk's file
            if data.get("version") == VERSION:
                state.committees = data.get("committees", {})
                state.meetings = data.get("meetings", {})
                state.issues = data.get("issues", {})
                state.documents = data.get("documents", {})
        return state

    def save(self) -> None:
        data = {"version": VERSION, "portal": self.portal, "committees": self.committees, "issues": self.issues,
                "meetings": dict(sorted(self.meetings.items(), key=lambda kv: (kv[1].get("path", ""), kv[0]))),
                "documents": dict(sorted(self.documents.items()))}
        text = json.dumps(data, indent=1, sort_keys=False, ensure_ascii=False) + "\n"
        if self.path.is_file() and self.path.read_text(encoding="utf-8") == text:
            return
        atomic_write(self.path, text.encode("utf-8"))
