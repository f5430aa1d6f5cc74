"""The benchmark's own parts (bench/run.py), on a small generated archive: the edits it
makes are content the build accepts, the memory it reports is each process's own, and the
Hugo comparison builds the same meetings."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from site_gen import yamlio

sys.path.insert(0, str(ROOT / "bench"))

import run as bench  # noqa: E402
from generate import write_archive  # noqa: E402


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    content = tmp_path_factory.mktemp("bench") / "content"
    write_archive(content, 24)
    return content


def test_the_new_meeting_the_benchmark_adds_passes_check(archive, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(archive, content)
    meetings = sorted((content / "meetings").glob("*/*.md"))
    bench.add_meeting(meetings)
    added = sorted(set((content / "meetings").glob("*/*.md")) - set(meetings))
    assert len(added) == 1
    # its own items: a copy with the same items, a few weeks apart, is refused as a meeting left
    # over from a rename (when the two file names are one slip apart)
    old, new = (yamlio.parse(path.read_text(encoding="utf-8").split("---\n")[1]) for path in (meetings[-1], added[0]))
    assert new["committee"] == old["committee"] and new["date"] > old["date"]
    assert [i["title"] for i in new["items"]] != [i["title"] for i in old["items"]]
    bench.add_paragraph(added[0], 1)
    result = run_cli("check", "--content", str(content), "--no-cache")
    assert result.returncode == 0, result.stdout[-3000:]


def test_peak_memory_is_the_child_process_own(tmp_path):
    touch = "data = bytearray(200 * 1024 * 1024)\nfor at in range(0, len(data), 4096):\n    data[at] = 1"
    big = bench.timed([sys.executable, "-c", touch])
    small = bench.timed([sys.executable, "-c", "print('hello')"])
    assert big.peak_mb >= 200
    assert small.peak_mb < 100, "the figure of an earlier child, not this one's"
    assert small.stdout == "hello\n" and small.seconds > 0


def test_hugo_builds_a_page_for_every_meeting_and_pagefind_indexes_them(archive, tmp_path):
    # not skipped without hugo: scripts/test.sh installs Debian's package, so its absence is a fault
    assert shutil.which("hugo"), "hugo is not installed: run scripts/test.sh (it installs Debian's hugo)"
    source = bench.hugo_site(archive, tmp_path)
    result = bench.hugo_build(source, tmp_path)
    meetings = len(list((archive / "meetings").glob("*/*.md")))
    years = len(list((archive / "meetings").iterdir()))
    committees = len(list((archive / "committees").iterdir()))
    # a page per meeting, per year, per committee, the lists of meetings and committees, the home page
    assert result.pages == meetings + years + committees + 3
    assert result.wall == pytest.approx(result.hugo + result.pagefind)
    assert result.peak_mb > 0
    assert not (tmp_path / "hugo-public").exists(), "each cold build starts from an empty folder"
