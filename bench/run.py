#!/usr/bin/env python3
"""Benchmark check and build on a generated archive: `python bench/run.py [--meetings N] [--runs K]`.

Reports the median wall time of K runs of each command (machines are noisy),
the peak memory (max RSS) of the build, and the per-meeting figures. Never a
timed test: this is run by hand, and its figures go in the notes.
"""
from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from generate import write_archive  # noqa: E402


def timed(command: list[str]) -> tuple[float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode not in (0,):
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return elapsed, max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        write_archive(content, args.meetings)
        out = Path(tmp) / "_site"
        checks = [timed([sys.executable, "build.py", "check", "--content", str(content)])[0] for _ in range(args.runs)]
        builds = []
        peak = 0
        for _ in range(args.runs):
            elapsed, peak = timed([sys.executable, "build.py", "--content", str(content), "--out", str(out)])
            builds.append(elapsed)
        files = sum(1 for p in out.rglob("*") if p.is_file())
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    check_median = statistics.median(checks)
    build_median = statistics.median(builds)
    print(f"meetings: {args.meetings}, runs: {args.runs}")
    print(f"check: median {check_median:.2f}s (runs: {', '.join(f'{t:.2f}' for t in checks)}), "
          f"{1000 * check_median / args.meetings:.2f} ms per meeting")
    print(f"build: median {build_median:.2f}s (runs: {', '.join(f'{t:.2f}' for t in builds)}), "
          f"{1000 * build_median / args.meetings:.2f} ms per meeting")
    print(f"build peak memory (max RSS of a child process): {peak / 1024:.0f} MB")
    print(f"output: {files} files, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
