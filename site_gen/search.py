"""Search: Pagefind indexes the finished site in the staging folder.

Pages opt in with `data-pagefind-body`; filters (committee, year, kind) and the
date sort key are set by the templates.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

from . import pagefind_stable


class SearchIndexError(Exception):
    pass


def pagefind_executable() -> str:
    try:
        from pagefind_bin import get_executable
    except ImportError:
        raise SearchIndexError("Pagefind is not installed: run `pip install -r requirements.txt`") from None
    return str(get_executable())


def index_site(site_dir: Path) -> None:
    command = [pagefind_executable(), "--site", str(site_dir), "--output-subdir", "pagefind"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SearchIndexError("Pagefind could not index the site:\n" + (result.stderr or result.stdout).strip())
    try:
        pagefind_stable.stabilise(site_dir / "pagefind")
    except (pagefind_stable.UnexpectedIndex, OSError, ValueError, KeyError) as exc:
        raise SearchIndexError(f"could not make Pagefind's index reproducible: {exc}") from None
