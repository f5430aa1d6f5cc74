"""Assemble one invalid-content case: the valid base site with the case's files laid over it."""
from __future__ import annotations

import shutil
from pathlib import Path

INVALID = Path(__file__).resolve().parent / "fixtures" / "invalid"
BASE = INVALID / "_base" / "content"


def cases() -> list[str]:
    return sorted(p.name for p in INVALID.iterdir() if p.is_dir() and not p.name.startswith("_"))


def assemble(case: str, into: Path) -> Path:
    """Copy the base content, overlay the case's files, drop those named in remove.txt."""
    content = into / "content"
    shutil.copytree(BASE, content)
    overlay = INVALID / case / "content"
    if overlay.is_dir():
        shutil.copytree(overlay, content, dirs_exist_ok=True)
    removals = INVALID / case / "remove.txt"
    if removals.is_file():
        for line in removals.read_text(encoding="utf-8").splitlines():
            if line.strip():
                (content / line.strip()).unlink()
    return content
