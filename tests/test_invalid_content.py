"""Every class of bad input gives its FILE:LINE message, exit 1, and no traceback.

One folder per case under fixtures/invalid/ (Zola's test_sites_invalid): the
case's files are laid over a valid base site, and expected.txt holds exactly
the problem lines (and hints) `check` must print.
"""
from __future__ import annotations

import pytest
from conftest import run_cli
from invalid_sites import INVALID, assemble, cases


def problem_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("content/") or line.startswith("    hint:")]


def test_base_site_is_valid():
    """Each case differs from a valid site only by its own mistake."""
    result = run_cli("check", "--strict", "--content", str(INVALID / "_base" / "content"))
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("case", cases())
def test_invalid_case(case, tmp_path):
    content = assemble(case, tmp_path)
    expected = (INVALID / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    # a case of warnings only (nothing a clerk writes is dropped silently) fails with --strict
    warnings_only = all(": warning: " in line for line in expected if not line.startswith("    hint:"))
    result = run_cli("check", "--content", str(content), *(["--strict"] if warnings_only else []), cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert problem_lines(result.stdout) == expected


@pytest.mark.parametrize("case", ["yaml-tab", "unknown-key", "heading-not-an-item", "duplicate-alias"])
def test_invalid_case_fails_build_and_keeps_previous_site(case, tmp_path):
    good = run_cli("--content", str(INVALID / "_base" / "content"), "--out", str(tmp_path / "_site"))
    assert good.returncode == 0, good.stderr
    before = snapshot(tmp_path / "_site")
    content = assemble(case, tmp_path / "case")
    result = run_cli("--content", str(content), "--out", str(tmp_path / "_site"), cwd=tmp_path / "case")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    expected_first = (INVALID / case / "expected.txt").read_text(encoding="utf-8").splitlines()[0]
    assert expected_first in result.stderr.splitlines()
    assert snapshot(tmp_path / "_site") == before
    # the build cache sits beside the site; no staging folder is left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == [".cache", "_site", "case"]


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
