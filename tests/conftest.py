"""Shared fixtures: each site is built once per test session (Lektor style)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CONTENT = ROOT / "content"
FIXTURE_CONTENT = ROOT / "tests" / "fixtures" / "site" / "content"

sys.path.insert(0, str(ROOT))

from site_gen import pipeline  # noqa: E402


def build_into(content: Path, out: Path, **options) -> Path:
    result = pipeline.build(content, out, **options)
    problems = "\n".join(p.format() for p in result.report.errors)
    assert result.ok, f"build failed:\n{problems}\n{result.failure or ''}"
    return out


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    """The sample archive of content/, built with its search index."""
    return build_into(SAMPLE_CONTENT, tmp_path_factory.mktemp("sample") / "_site")


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory) -> Path:
    """A small archive made to exercise every feature (tests/fixtures/site)."""
    return build_into(FIXTURE_CONTENT, tmp_path_factory.mktemp("fixture") / "_site")


def without_history(content: Path, folder: Path) -> Path:
    """A copy of a content folder outside git (as from a downloaded zip): the pages' dates then come
    from the content alone, not from this repository's commits (tests/test_history*.py test those)."""
    copy = folder / "content"
    shutil.copytree(content, copy)
    return copy


def read_page(site: Path, url: str) -> BeautifulSoup:
    path = site / url.lstrip("/")
    if url.endswith("/") or url == "":
        path = path / "index.html"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html5lib")


def run_cli(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `python build.py ARGS` as a clerk would, capturing what it prints."""
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, capture_output=True,
                          text=True, env=env, timeout=300)
