#!/usr/bin/env python3
"""Benchmark the commit check: `python bench/commit_check.py [--meetings N] [--runs K]`.

Makes a temporary repository holding a generated archive (bench/generate.py), commits it,
edits one meeting and stages it, as a clerk would before `git commit`. Reports the median
wall time of K runs of `python build.py check --staged` (export the index, check it with
its cache) beside K runs of a plain `python build.py check` of the working folder, both
after one run that fills their caches. Run by hand; never a timed test.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from generate import write_archive  # noqa: E402


def git(repo: Path, *args: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.org",
               GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.org")
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)


def timed(repo: Path, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=repo, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        repo = Path(folder)
        write_archive(repo / "content", args.meetings)
        (repo / ".gitignore").write_text(".cache/\n", encoding="utf-8")
        git(repo, "init", "-q")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "archive")
        meeting = sorted((repo / "content" / "meetings").rglob("*.md"))[-1]
        meeting.write_text(meeting.read_text(encoding="utf-8") + "\nA corrected sentence.\n", encoding="utf-8")
        git(repo, "add", str(meeting))
        results = {}
        for label, command in (("check --staged", ("check", "--staged")), ("check", ("check",))):
            first = timed(repo, *command)
            runs = [timed(repo, *command) for _ in range(args.runs)]
            results[label] = (first, statistics.median(runs), min(runs), max(runs))
        print(f"{args.meetings} meetings, one staged change, {args.runs} runs after one that fills the cache:")
        for label, (first, median, low, high) in results.items():
            print(f"  {label:15} first {first:.2f}s, then median {median:.2f}s (min {low:.2f}s, max {high:.2f}s)")


if __name__ == "__main__":
    main()
