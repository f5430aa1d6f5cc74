#!/usr/bin/env python3
"""Benchmark reading the history from git: `python bench/history.py [--meetings N] [--runs K]`.

Makes a temporary repository holding a generated archive (bench/generate.py)
committed the way clerks would: the minutes published as unconfirmed, ten
meetings a commit, then approved, ten a commit; then some amended after
approval and some moved, one a commit. Reports the median wall time of K runs
of `history.read_history` (the four git processes and the parsing) and the
number of git processes it started. Run by hand; never a timed test.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from generate import write_archive  # noqa: E402

from site_gen import history  # noqa: E402

PER_COMMIT = 10


def make_repository(root: Path, meetings: int) -> int:
    """The repository, committed; returns the number of commits."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="Clerk", GIT_AUTHOR_EMAIL="clerk@bench.example", GIT_COMMITTER_NAME="Clerk",
               GIT_COMMITTER_EMAIL="clerk@bench.example", GIT_CONFIG_NOSYSTEM="1")
    clock = [946684800]  # 2000-01-01, a day a commit

    def git(*args: str, stdin: str | None = None) -> None:
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True, input=stdin)

    def commit(message: str, paths: list[str]) -> None:
        clock[0] += 86400
        stamp = f"{clock[0]} +0000"
        git("add", "--", *paths)
        subprocess.run(["git", "commit", "-q", "-m", message], cwd=root, check=True,
                       env={**env, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp})

    content = root / "content"
    write_archive(content, meetings)
    files = sorted(content.glob("meetings/*/*.md"))
    git("init", "-q", "-b", "main")
    for path in files:  # published unconfirmed first
        path.write_text(path.read_text(encoding="utf-8").replace("status: approved", "status: unconfirmed", 1),
                        encoding="utf-8")
    commit("The archive's settings, committees, portfolios and indicators",
           ["content/site.yml", "content/committees", "content/portfolios", "content/indicators"])
    commits = 1
    for start in range(0, len(files), PER_COMMIT):
        chunk = files[start:start + PER_COMMIT]
        commit(f"Minutes {start + 1}-{start + len(chunk)} (unconfirmed)", [str(p.relative_to(root)) for p in chunk])
        commits += 1
    for start in range(0, len(files), PER_COMMIT):
        chunk = files[start:start + PER_COMMIT]
        for path in chunk:
            path.write_text(path.read_text(encoding="utf-8").replace("status: unconfirmed", "status: approved", 1),
                            encoding="utf-8")
        commit(f"Approve minutes {start + 1}-{start + len(chunk)}", [str(p.relative_to(root)) for p in chunk])
        commits += 1
    rng = random.Random(4000)
    for path in rng.sample(files, max(1, len(files) // 40)):  # amended after approval
        path.write_text(
            path.read_text(encoding="utf-8") + "\nCorrected as agreed by the committee.\n", encoding="utf-8"
        )
        commit(f"Correct {path.name}", [str(path.relative_to(root))])
        commits += 1
    return commits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="history-bench-") as folder:
        root = Path(folder)
        started = time.perf_counter()
        commits = make_repository(root, args.meetings)
        print(f"{args.meetings} meetings in {commits} commits (made in {time.perf_counter() - started:.0f}s)")
        started_processes = []
        real_command = history._command

        def counting_command(content, *args):
            started_processes.append(args[0])
            return real_command(content, *args)

        times = []
        history._command = counting_command
        for _ in range(args.runs):
            started_processes.clear()
            started = time.perf_counter()
            found = history.read_history(root / "content")
            times.append(time.perf_counter() - started)
        history._command = real_command
        amended = sum(1 for m in found.meetings.values() if m.amendments_after_approval)
        versions = sum(len(m.changes) for m in found.meetings.values())
        print(f"read_history: median {statistics.median(times):.2f}s of {args.runs} runs "
              f"({', '.join(f'{t:.2f}' for t in times)}); git processes per run: {len(started_processes)} "
              f"({', '.join(started_processes)})")
        print(f"{len(found.meetings)} meetings, {versions} changes, {amended} amended after approval")


if __name__ == "__main__":
    main()
