"""Reading the content folder as untrusted input.

Anyone may propose a change by pull request, and deploy previews build it, so a
content file may be a symbolic link to a secret (`/proc/self/environ`), a device
that never ends (`/dev/zero`), a FIFO that blocks, or a "document" that is a web
page with a script. Only regular files and folders inside the content folder are
read; files are opened without following links and read up to a limit; and a
document is published only when its name and its first bytes agree that it is a
kind of file a council publishes.
"""
from __future__ import annotations

import os
import stat
import zipfile
from dataclasses import dataclass

# Far above any real file (a long meeting's minutes are ~100 KB), far below what
# would exhaust memory; a file over its limit is reported, not read.
MEETING_FILE_LIMIT = 5 * 1024 * 1024
YAML_FILE_LIMIT = 1024 * 1024


class UnsafeFile(OSError):
    """A content path that is not a regular file, or too large to read (an OSError, so that a
    stage that only expects the disk to fail reports it as one plain line too)."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message, self.hint = message, hint

    def __str__(self) -> str:
        return self.message


def kind_problem(path: str | os.PathLike, mode: int | None = None) -> tuple[str, str] | None:
    """(message, hint) when the path is not a plain file or folder (checked without following links)."""
    name = os.path.basename(os.fspath(path))
    if mode is None:
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            return None  # gone: whoever reads it reports that
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISLNK(mode):
        what = "folder" if os.path.isdir(path) else "file"
        return (f"{name} is a symbolic link: commit the {what} itself",
                f"the build does not follow links; replace the link with a copy of the {what} it points to")
    what = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
    return f"{name} is {what}, not a file", "only plain files and folders belong in the content folder"


def unsafe_entries(root: str | os.PathLike) -> list[tuple[str, str, str]]:
    """Every link, device, FIFO or socket under the content folder: (path, message, hint).

    Hidden entries (`.git`, `.DS_Store`) are skipped as the loader skips them; the
    walk never enters a linked folder."""
    found = []
    stack = [os.fspath(root)]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                continue
            if stat.S_ISDIR(mode):
                stack.append(entry.path)
                continue
            problem = kind_problem(entry.path, mode)
            if problem:
                found.append((entry.path, *problem))
    return sorted(found)


def inside(root: str | os.PathLike, path: str | os.PathLike) -> bool:
    """True when the path, all links resolved, is inside the content folder."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def read_limited(path: str | os.PathLike, limit: int, root: str | os.PathLike | None = None) -> bytes:
    """The bytes of a regular file, opened without following a link, at most `limit` of them.

    Raises UnsafeFile for anything else, and OSError when the file cannot be read."""
    with open_regular(path, root) as file:
        data = file.read(limit + 1)
    if len(data) > limit:
        raise UnsafeFile(f"the file is larger than {limit // (1024 * 1024)} MB, the most the build reads",
                         "split it up; a meeting's documents go in its folder, not in the file")
    return data


def open_regular(path: str | os.PathLike, root: str | os.PathLike | None = None):
    """A binary file object on a regular file, opened without following a final link and
    without blocking on a FIFO; raises UnsafeFile for anything that is not a regular file."""
    if root is not None and not inside(root, path):
        raise UnsafeFile(f"{os.path.basename(os.fspath(path))} is outside the content folder (through a link)",
                         "commit the file itself inside the content folder")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as exc:
        problem = kind_problem(path)
        if problem:
            raise UnsafeFile(*problem) from None
        raise exc
    problem = kind_problem(path, os.fstat(descriptor).st_mode)
    if problem:
        os.close(descriptor)
        raise UnsafeFile(*problem)
    return os.fdopen(descriptor, "rb")


# -- documents ------------------------------------------------------------------

@dataclass(frozen=True)
class DocumentType:
    label: str  # what the clerk is told it must be
    check: str  # how its first bytes are recognised


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary Office formats
DOCUMENT_TYPES = {
    "pdf": DocumentType("a PDF", "pdf"),
    "doc": DocumentType("a Word document", "ole"),
    "docx": DocumentType("a Word document", "ooxml"),
    "rtf": DocumentType("a Rich Text document", "rtf"),
    "xls": DocumentType("an Excel workbook", "ole"),
    "xlsx": DocumentType("an Excel workbook", "ooxml"),
    "ppt": DocumentType("a PowerPoint presentation", "ole"),
    "pptx": DocumentType("a PowerPoint presentation", "ooxml"),
    "odt": DocumentType("an OpenDocument text", "odf"),
    "ods": DocumentType("an OpenDocument spreadsheet", "odf"),
    "odp": DocumentType("an OpenDocument presentation", "odf"),
    "csv": DocumentType("a CSV file", "text"),
    "txt": DocumentType("a text file", "text"),
    "png": DocumentType("a PNG image", "png"),
    "jpg": DocumentType("a JPEG image", "jpeg"),
    "jpeg": DocumentType("a JPEG image", "jpeg"),
    "gif": DocumentType("a GIF image", "gif"),
    "webp": DocumentType("a WebP image", "webp"),
}
ODF_MIMETYPES = {
    "odt": b"application/vnd.oasis.opendocument.text",
    "ods": b"application/vnd.oasis.opendocument.spreadsheet",
    "odp": b"application/vnd.oasis.opendocument.presentation",
}
_MARKUP_STARTS = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<body", b"<head", b"<iframe")


def document_problem(path: str | os.PathLike, root: str | os.PathLike | None = None) -> tuple[str, str] | None:
    """(message, hint) when a meeting document is not a kind of file the archive publishes,
    judged by its extension and by its first bytes (a renamed web page is not a PDF).
    Only the start of the file is read (and a zip's directory), so large PDFs cost little."""
    name = os.path.basename(os.fspath(path))
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = DOCUMENT_TYPES.get(extension)
    if kind is None:
        return (f"`{name}` is not a kind of document the archive publishes",
                "publish it as PDF, Word, Excel, PowerPoint, OpenDocument, CSV, text, or a PNG, JPEG, GIF or WebP "
                "image (web pages, scripts and SVG are refused: they could run code on the site)")
    try:
        with open_regular(path, root) as file:
            head = file.read(4096)
            if kind.check in ("ooxml", "odf"):
                looks = head.startswith(b"PK\x03\x04") and _zip_looks_like(kind.check, extension, file)
            elif kind.check == "text":
                looks = _text_looks_like(head, file)
            else:
                looks = _looks_like(kind.check, head)
    except UnsafeFile as exc:
        return exc.message, exc.hint or ""
    except OSError as exc:
        return f"cannot read `{name}`: {exc.strerror}", "check the file's permissions"
    if not looks:
        return (f"`{name}` is named like {kind.label} but its contents are not",
                f"export it again as {kind.label}, or give it the extension of what it really is")
    return None


def _looks_like(check: str, head: bytes) -> bool:
    if check == "pdf":
        return b"%PDF-" in head[:1024]  # readers accept up to 1 KB of junk before the header
    if check == "ole":
        return head.startswith(OLE)
    if check == "rtf":
        return head.startswith(b"{\\rtf")
    if check == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if check == "jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if check == "gif":
        return head.startswith((b"GIF87a", b"GIF89a"))
    if check == "webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    return False


def _text_looks_like(head: bytes, file) -> bool:
    """Text (any encoding Excel saves CSV in), not markup that a browser could be talked into running."""
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith(_MARKUP_STARTS):
        return False
    chunk = head
    while chunk:
        if b"\x00" in chunk:
            return False
        chunk = file.read(1024 * 1024)
    return True


def _zip_looks_like(check: str, extension: str, file) -> bool:
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if check == "ooxml":
                folder = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}[extension]
                return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)
            info = archive.getinfo("mimetype")
            return info.file_size < 100 and archive.read(info).strip() == ODF_MIMETYPES[extension]
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError, NotImplementedError, RuntimeError):
        return False
