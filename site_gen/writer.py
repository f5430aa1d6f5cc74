"""Stage 4: the only module that writes into the output folder.

Everything is written into a staging folder beside the target and swapped in
only when the whole site (search index included) is ready, so a failed build
leaves the previous site exactly as it was.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from typing import Callable


class OutputConflict(Exception):
    """Two parts of the build tried to write the same file."""


class Writer:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def add(self, path: str, data: bytes) -> None:
        pure = PurePosixPath(path)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts:
            raise OutputConflict(f"refusing to write outside the output folder: {path}")
        key = pure.as_posix()
        if key in self.files:
            raise OutputConflict(f"two parts of the build would write {key}")
        self.files[key] = data

    def add_all(self, files: dict[str, bytes]) -> None:
        for path in sorted(files):
            self.add(path, files[path])

    def commit(self, out_dir: str | os.PathLike, finish: Callable[[Path], None] | None = None) -> None:
        """Write every file into a fresh folder, run `finish` on it, then swap it in."""
        out = Path(out_dir).resolve()
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
        try:
            staging.chmod(0o755)
            for path in sorted(self.files):
                target = staging / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(self.files[path])
            if finish:
                finish(staging)
            if out.exists():
                previous = Path(tempfile.mkdtemp(prefix=f".{out.name}.previous-", dir=out.parent))
                previous.rmdir()
                os.rename(out, previous)
                os.rename(staging, out)
                shutil.rmtree(previous, ignore_errors=True)
            else:
                os.rename(staging, out)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
