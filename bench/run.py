#!/usr/bin/env python3
"""Benchmark the build and the search on a generated archive: `python bench/run.py [--meetings N] [--runs K]`.

A script run by hand, never a timed test: its figures go in the notes. It generates an
archive (bench/generate.py; kept in bench/_out/ for the next run, and copied into a
temporary folder, where the edits are made), then times `build.py --timings` (the wall
time around the process, the stages the build reports, and the peak memory of the
process tree as the kernel counts it: ru_maxrss of the child, which covers its workers
and Pagefind):

- cold: K full builds without the cache, each into a fresh output folder
  (then one more with the cache, to seed it). When `hugo` is installed
  (Debian: `apt-get install hugo`), each is followed by a cold build of the same
  meeting files with Hugo (bench/hugo/: a page per meeting with its items and
  minutes, lists by year and committee, feeds, a sitemap) and Pagefind over
  what Hugo wrote: the runs alternate, so that both see the same machine;
- no change: K rebuilds with nothing changed;
- one edit: K rebuilds, each after a paragraph is added to the minutes of a
  different recent meeting, as a clerk corrects recent minutes; then one
  after an edit to a meeting of the oldest year, and one after a new meeting;
- the same in `serve`: K rebuilds by the preview server's own rebuild call,
  its cache kept in memory (bench/serve_rebuild.py), each after another edit.

`--cold-only` (the default from 20,000 meetings up) times only the cold builds,
for the figures per meeting; `--baseline PATH` compares them with the JSON of a
run on a smaller archive (linear growth: the same time and memory per meeting).

The targets table at the end puts the figures the project aims at side by side:
cold build against Hugo + Pagefind, one edit, one edit in serve, peak memory,
per-meeting figures, and what a search fetches.

Then (unless --no-search-bytes) it serves the site and opens
/search/?q=QUERY in headless Chromium, K fresh browsers a query, and sums
everything they fetch (the page, its stylesheet and script, Pagefind's script
and WebAssembly, the index files): the response bodies, and what Netlify would
send (each file gzipped, unless that is larger: Pagefind's own files are
gzipped already).

Figures are medians of K runs (machines are noisy), with the runs in brackets
where they differ. `--json PATH` also writes them as JSON.
"""
from __future__ import annotations

import argparse
import datetime
import functools
import gzip
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import quote_plus, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from generate import write_archive  # noqa: E402

from site_gen.cache import CODE_FOLDERS, EDITABLE_FOLDERS  # noqa: E402  (what the build cache is keyed on)

CHROMIUM = "/usr/bin/chromium"
QUERIES = ("budget", "safeguarding review", "school transport")
# with --vocabulary zipf: the seven kinds of query a resident makes (PI.29 is the generated archive's indicator code)
ZIPF_QUERIES = ("budget", "care leavers", "safeguarding", "school transport", "PI.29", "ofsted inspection", "Hartley")
SETTLE_MS = 2000  # after the first result: the fragments and filters still loading
KINDS = (("page", ("/",)), ("wasm", (".pagefind",)), ("js/css", (".js", ".css")),
         ("entry json", ("pagefind-entry.json",)), ("meta", (".pf_meta",)), ("index chunks", (".pf_index",)),
         ("fragments", (".pf_fragment",)), ("filters", (".pf_filter",)))

BUILT = re.compile(r"^Built .*\((\d+) files? written, (\d+) unchanged\)$", re.M)
STAGE = re.compile(r"^  (.+?): (\d+(?:\.\d+)?)s(?: \(peak memory so far \d+ MB\))?$", re.M)
SHARDS = re.compile(r"^  search shards indexed: (\d+)$", re.M)
MEMORY = re.compile(r"^  peak memory: build (\d+) MB, Pagefind (\d+) MB$", re.M)


@dataclass
class Build:
    wall: float  # seconds, measured around the process
    stages: dict[str, float]  # seconds, as the build reports them
    written: int
    kept: int
    shards: int
    build_mb: int
    pagefind_mb: int
    tree_mb: int = 0  # ru_maxrss of the process: the largest of it and every process it waited for


@dataclass
class Timed:
    seconds: float
    peak_mb: int  # ru_maxrss of the child process (and of those it waited for)
    stdout: str


# Runs the command and writes its wall time and ru_maxrss (kB) into the file named first (timed
# here, so that this process's own start is not counted in the command's time). Linux counts into a
# process's peak the memory of the process it was started from, up to its exec: this small
# process starts the command, so that the figure is the command's (from ~10 MB up), not the
# benchmark's own (a few hundred MB once Chromium's driver is loaded).
PEAK_PROBE = """\
import os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
seconds = time.perf_counter() - started
with open(sys.argv[1], "w") as out:
    out.write(f"{seconds} {usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status) % 256)
"""


def timed_environment() -> dict[str, str]:
    """The timed commands' environment: Python's compiled modules kept, as an installation keeps
    them (here in bench/_out/pycache/, not beside the code). An environment that turns that off
    (PYTHONDONTWRITEBYTECODE, as some sandboxes and CI images do) would time the compiling of the
    generator's own source, a fifth of a second, at every build."""
    environment = dict(os.environ)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    environment["PYTHONPYCACHEPREFIX"] = str(OUT / "pycache")
    return environment


def timed(command: Sequence[str], cwd: Path = ROOT) -> Timed:
    """Run a command to its end: its wall time, peak memory and output. The peak is ru_maxrss
    of the command's process as its parent's os.wait4 gives it: the largest of that process and
    every process it waited for (its workers, Pagefind)."""
    with tempfile.TemporaryFile() as output, tempfile.NamedTemporaryFile("r") as probe:
        result = subprocess.run([sys.executable, "-c", PEAK_PROBE, probe.name, *command], cwd=cwd, stdout=output,
                                stderr=subprocess.STDOUT, env=timed_environment())
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
        measured = probe.read().split()
    if result.returncode != 0 or len(measured) != 2:
        sys.exit(f"{' '.join(command)} failed ({result.returncode}):\n{text[-3000:]}")
    return Timed(float(measured[0]), int(measured[1]) // 1024, text)  # Linux counts ru_maxrss in kB


# --- builds ---------------------------------------------------------------

def build(content: Path, out: Path, cache: bool = True) -> Build:
    command = [sys.executable, "build.py", "--content", str(content), "--out", str(out), "--timings"]
    if not cache:
        command.append("--no-cache")
    result = timed(command)
    built = parse(result.stdout, result.seconds)
    built.tree_mb = result.peak_mb
    return built


def parse(stdout: str, wall: float) -> Build:
    written, kept = numbers(BUILT, stdout)
    (shards,) = numbers(SHARDS, stdout)
    build_mb, pagefind_mb = numbers(MEMORY, stdout)
    stages = {name: float(seconds) for name, seconds in STAGE.findall(stdout)}
    return Build(wall, stages, written, kept, shards, build_mb, pagefind_mb)


def numbers(pattern: re.Pattern, stdout: str) -> list[int]:
    match = pattern.search(stdout)
    if not match:
        sys.exit(f"no line like {pattern.pattern!r} in the build's output:\n{stdout}")
    return [int(group) for group in match.groups()]


def cold_build(content: Path, work: Path) -> Build:
    """A full build without the cache, into a fresh output folder."""
    shutil.rmtree(work, ignore_errors=True)
    result = build(content, work / "site", cache=False)
    shutil.rmtree(work)
    return result


# --- the same meetings with Hugo and Pagefind -----------------------------

HUGO_SITE = ROOT / "bench" / "hugo"


@dataclass
class HugoBuild:
    wall: float  # Hugo, then Pagefind over what it wrote
    hugo: float
    pagefind: float
    peak_mb: int  # the larger of the two processes' peaks
    pages: int


def hugo_site(content: Path, work: Path) -> Path:
    """A Hugo project holding the archive's meeting files as they are (the same Markdown and
    front matter), with a title for each year's list: bench/hugo/'s settings and templates."""
    source = work / "hugo"
    shutil.copytree(HUGO_SITE, source)
    shutil.copytree(content / "meetings", source / "content" / "meetings")
    (source / "content" / "meetings" / "_index.md").write_text("---\ntitle: Meetings\n---\n", encoding="utf-8")
    for year in (source / "content" / "meetings").iterdir():
        if year.is_dir():
            (year / "_index.md").write_text(f"---\ntitle: \"{year.name}\"\n---\n", encoding="utf-8")
    return source


def hugo_build(source: Path, work: Path) -> HugoBuild:
    """A cold build: Hugo into a fresh folder (its caches in that folder too), then Pagefind."""
    from site_gen.search import pagefind_executable

    public = work / "hugo-public"
    shutil.rmtree(public, ignore_errors=True)
    shutil.rmtree(work / "hugo-cache", ignore_errors=True)
    hugo = timed(["hugo", "--quiet", "--source", str(source), "--destination", str(public),
                  "--cacheDir", str(work / "hugo-cache")])
    pagefind = timed([pagefind_executable(), "--site", str(public)])
    pages = sum(1 for _ in public.rglob("*.html"))
    shutil.rmtree(public)
    return HugoBuild(hugo.seconds + pagefind.seconds, hugo.seconds, pagefind.seconds,
                     max(hugo.peak_mb, pagefind.peak_mb), pages)


def serve_rebuilds(content: Path, work: Path, runs: int) -> list[float]:
    """`runs` rebuilds by the preview server after an edit each (bench/serve_rebuild.py), in seconds."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    result = timed([sys.executable, str(ROOT / "bench" / "serve_rebuild.py"), str(content), str(work / "site"),
                    str(runs)])
    shutil.rmtree(work)
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- the archive, generated once ------------------------------------------

OUT = ROOT / "bench" / "_out"


def archive(meetings: int, vocabulary: str, into: Path) -> float:
    """The generated archive copied into `into`; seconds spent generating it (0 when kept from
    an earlier run: bench/_out/ holds each size once, for the same bench/generate.py)."""
    version = hashlib.sha256((ROOT / "bench" / "generate.py").read_bytes()).hexdigest()[:12]
    kept = OUT / f"archive-{meetings}-{vocabulary}-{version}"
    seconds = 0.0
    if not kept.is_dir():
        started = time.perf_counter()
        partial = OUT / f".{kept.name}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        write_archive(partial, meetings, vocabulary=vocabulary)
        partial.rename(kept)
        seconds = time.perf_counter() - started
    shutil.copytree(kept, into)
    return seconds


def code_changed_since(started: float) -> list[str]:
    """The build's code files saved since `started` (a time.time()). A change makes the
    next cached rebuild a cold one, so rebuild figures taken across it are wrong."""
    return sorted(str(path.relative_to(ROOT)) for folder in CODE_FOLDERS + EDITABLE_FOLDERS
                  for path in (ROOT / folder).rglob("*") if path.is_file() and path.stat().st_mtime > started)


# --- edits, as a clerk makes them -----------------------------------------

def add_paragraph(meeting: Path, run: int) -> None:
    """A new paragraph in the minutes, before their second `## ` heading."""
    text = meeting.read_text(encoding="utf-8")
    second = text.index("\n## ", text.index("\n## ") + 1)
    note = f"The clerk corrected these minutes after the meeting (benchmark edit {run})."
    meeting.write_text(f"{text[:second]}\n{note}\n{text[second:]}", encoding="utf-8")


def recent(meetings: list[Path], count: int) -> list[Path]:
    """`count` meetings spread over the newest two years."""
    years = sorted({path.parent.name for path in meetings})[-2:]
    pool = [path for path in meetings if path.parent.name in years]
    return [pool[i * len(pool) // count] for i in range(count)]


def add_meeting(meetings: list[Path]) -> None:
    """A copy of the newest meeting, five weeks later (the same committee), its reports follow-ups: the
    build takes a meeting within a month of another, or with the same items, for a rename left half done."""
    newest = meetings[-1]
    old = datetime.date.fromisoformat(newest.name[:10])
    new = old + datetime.timedelta(weeks=5)
    text = newest.read_text(encoding="utf-8")
    text = text.replace(f"\ndate: {old.isoformat()}\n", f"\ndate: {new.isoformat()}\n", 1)
    # its own report titles: the build calls a meeting with the same items as another a leftover of a rename
    text = re.sub(r"(?m)^(    title: Report \d+ on .*)$", r"\1 (follow-up)", text)
    target = newest.parent.parent / str(new.year) / f"{new.isoformat()}{newest.name[10:]}"
    target.parent.mkdir(exist_ok=True)
    target.write_text(text, encoding="utf-8")


def site_size(site: Path) -> dict[str, int]:
    files = [path for path in site.rglob("*") if path.is_file()]
    return {"pages": sum(1 for path in files if path.suffix == ".html"), "files": len(files),
            "bytes": sum(path.stat().st_size for path in files)}


def cold_builds(content: Path, work: Path, runs: int, hugo: bool) -> tuple[list[Build], list[HugoBuild]]:
    """`runs` cold builds, each followed by one of Hugo + Pagefind when `hugo`: alternating runs."""
    source = hugo_site(content, work) if hugo else None
    ours, theirs = [], []
    for _ in range(runs):
        ours.append(cold_build(content, work / "cold"))
        if source is not None:
            theirs.append(hugo_build(source, work))
    if source is not None:
        shutil.rmtree(source)
    return ours, theirs


def run_builds(content: Path, out: Path, runs: int,
               cold: list[Build]) -> tuple[dict[str, list[Build]], dict[str, int]]:
    """Every build phase after the cold builds, by column name; and the size of the site."""
    phases = {"cold (no cache)": cold}
    build(content, out)  # seeds the cache
    size = site_size(out)
    phases["no change"] = [build(content, out) for _ in range(runs)]
    meetings = sorted((content / "meetings").glob("*/*.md"))
    phases["one edit (recent)"] = []
    for run, meeting in enumerate(recent(meetings, runs), 1):
        add_paragraph(meeting, run)
        phases["one edit (recent)"].append(build(content, out))
    add_paragraph(meetings[0], 0)
    phases["one edit (oldest year)"] = [build(content, out)]
    add_meeting(meetings)
    phases["new meeting"] = [build(content, out)]
    return phases, size


# --- search bytes ---------------------------------------------------------

class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextmanager
def serving(site: Path) -> Iterator[str]:
    """The site served over HTTP (uncompressed) on a free port; yields its address."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


RESULT_LINKS = ".search-result__title a, .pagefind-ui__result-link"
FIRST: dict[str, str] = {}  # query -> the first result's address, as the last browser saw it


def fetched(browser, address: str, query: str) -> list[tuple[str, int]]:
    """(path, body bytes) of each request a fresh browser makes for the query: the search page,
    its stylesheet and script, and the index's files. Context-level events: the index files
    are fetched by Pagefind's web worker."""
    context = browser.new_context()
    requests = []
    context.on("requestfinished", lambda request: requests.append(request))
    page = context.new_page()
    page.goto(f"{address}/search/?q={quote_plus(query)}")
    # the search page's results (or Pagefind's own UI's, to measure an older build the same way)
    page.wait_for_selector(f"{RESULT_LINKS}, #search-status:has-text('No results')")
    page.wait_for_timeout(SETTLE_MS)
    first = page.locator(RESULT_LINKS)
    FIRST[query] = first.first.get_attribute("href") if first.count() else "(none)"
    files = [(urlsplit(r.url).path, body_bytes(r)) for r in requests]
    context.close()
    return files


def body_bytes(request) -> int:
    """The response body's size; Chromium reports 0 for a worker's own script, so then its Content-Length."""
    return request.sizes()["responseBodySize"] or int(request.response().headers.get("content-length", 0))


@functools.lru_cache(maxsize=None)
def netlify_bytes(file: Path) -> int:
    """What Netlify would send: the file gzipped (level 6), unless that is larger."""
    data = file.read_bytes()
    return min(len(data), len(gzip.compress(data, 6)))


def kind(path: str) -> str:
    return next((name for name, endings in KINDS if path.endswith(endings)), "other")


def site_file(site: Path, path: str) -> Path:
    file = site / path.lstrip("/")
    return file / "index.html" if path.endswith("/") else file


def totals(files: list[tuple[str, int]], site: Path) -> dict[str, int]:
    return {"requests": len(files), "raw bytes": sum(size for _, size in files),
            "Netlify bytes": sum(netlify_bytes(file) if (file := site_file(site, path)).is_file() else size
                                 for path, size in files)}


def search_bytes(site: Path, runs: int,
                 queries=QUERIES) -> tuple[dict[str, list[dict[str, int]]], dict[str, dict[str, int]]]:
    """Per query, the totals of each run; and the first query's first run by kind of file."""
    from playwright.sync_api import sync_playwright

    with serving(site) as address, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        by_query = {query: [fetched(browser, address, query) for _ in range(runs)] for query in queries}
        browser.close()
    first = by_query[queries[0]][0]
    kinds = [name for name, _ in KINDS] + ["other"]
    by_kind = {name: totals([f for f in first if kind(f[0]) == name], site) for name in kinds}
    return ({query: [totals(files, site) for files in runs] for query, runs in by_query.items()},
            {name: figures for name, figures in by_kind.items() if figures["requests"]})


def single_index(site: Path) -> None:
    """The built site's search as one Pagefind index over every searchable page: the comparison."""
    from site_gen.search import pagefind_executable

    for folder in ("pagefind", "pagefind-archive"):
        shutil.rmtree(site / folder, ignore_errors=True)
    subprocess.run([pagefind_executable(), "--site", str(site)], check=True, capture_output=True)
    page = site / "search" / "index.html"
    page.write_text(re.sub(r'data-(bundles|merge-index)="[^"]*"', r'data-\1=""', page.read_text(encoding="utf-8")),
                    encoding="utf-8")


# --- the report -----------------------------------------------------------

def figure(values: list[float]) -> dict:
    return {"median": statistics.median(values), "runs": values}


def build_rows(phases: dict[str, list[Build]], size: dict[str, int]) -> dict[str, dict[str, dict]]:
    """Row label -> column -> {median, runs}."""
    stages = list(dict.fromkeys(name for builds in phases.values() for b in builds for name in b.stages))
    rows: dict[str, dict[str, dict]] = {}
    for stage in stages:
        rows[f"{stage} (s)"] = {column: figure([b.stages[stage] for b in builds])
                                for column, builds in phases.items() if all(stage in b.stages for b in builds)}
    measures = {"total wall time (s)": "wall", "files written": "written", "files unchanged": "kept",
                "search shards indexed": "shards", "peak memory, build (MB)": "build_mb",
                "peak memory, Pagefind (MB)": "pagefind_mb", "peak memory, process tree (MB)": "tree_mb"}
    for label, attribute in measures.items():
        rows[label] = {column: figure([getattr(b, attribute) for b in builds]) for column, builds in phases.items()}
    cold_column, cold = next(iter(phases.items()))
    if size:  # not with --cold-only and no search measurements: no site is kept
        rows["pages per second"] = {cold_column: figure([size["pages"] / b.wall for b in cold])}
        rows["output files"] = {cold_column: figure([size["files"]])}
        rows["output MB"] = {cold_column: figure([size["bytes"] / 1e6])}
    return rows


def cell(entry: dict | None, digits: int) -> str:
    if entry is None:
        return ""
    median = f"{entry['median']:.{digits}f}"
    runs = [f"{value:.{digits}f}" for value in entry["runs"]]
    return median if set(runs) == {median} else f"{median} ({', '.join(runs)})"


def digits(label: str) -> int:
    return 2 if label.endswith("(s)") else 1 if label in ("pages per second", "output MB") else 0


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def spread(values: list[float]) -> dict:
    """Median, lowest and highest of the runs (and the runs)."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": values}


def measured(entry: dict | None, unit: str, digits: int = 2) -> str:
    if entry is None:
        return "not measured"
    if entry["min"] == entry["max"]:
        return f"{entry['median']:.{digits}f}{unit}"
    return f"{entry['median']:.{digits}f}{unit} ({entry['min']:.{digits}f}–{entry['max']:.{digits}f})"


def target_figures(report: dict, cold: list[Build], hugo: list[HugoBuild], serve: list[float],
                   edits: list[Build]) -> dict:
    """The figures of the targets table, each with its spread over the runs."""
    figures: dict = {"meetings": report["meetings"], "runs": report["runs"]}
    figures["cold build (s)"] = spread([b.wall for b in cold])
    if hugo:
        figures["Hugo + Pagefind cold build (s)"] = spread([h.wall for h in hugo])
        figures["Hugo alone (s)"] = spread([h.hugo for h in hugo])
        figures["Pagefind on Hugo pages (s)"] = spread([h.pagefind for h in hugo])
        figures["Hugo + Pagefind peak memory (MB)"] = spread([float(h.peak_mb) for h in hugo])
        figures["Hugo pages"] = hugo[0].pages
        # each run's ratio against the Hugo + Pagefind build that followed it
        ratios = [b.wall / h.wall for b, h in zip(cold, hugo, strict=True)]
        figures["cold build vs Hugo + Pagefind (×)"] = spread(ratios)
    if edits:
        figures["one edit, command line (s)"] = spread([b.wall for b in edits])
    if serve:
        figures["one edit, serve (s)"] = spread(serve)
    figures["peak memory, build process (MB)"] = spread([float(b.build_mb) for b in cold])
    figures["peak memory, process tree (MB)"] = spread([float(b.tree_mb) for b in cold])
    meetings = report["meetings"]
    figures["cold build per meeting (ms)"] = spread([1000 * b.wall / meetings for b in cold])
    figures["peak memory per meeting (kB)"] = spread([1024 * b.build_mb / meetings for b in cold])
    return figures


def per_query(report: dict) -> dict | None:
    """What a search fetches, over the queries: medians of the runs, then the median query."""
    if "search" not in report:
        return None
    requests = [statistics.median(run["requests"] for run in runs) for runs in report["search"].values()]
    kilobytes = [statistics.median(run["Netlify bytes"] / 1000 for run in runs) for runs in report["search"].values()]
    return {"requests": spread(requests), "Netlify kB": spread(kilobytes)}


def linear(figures: dict, baseline: dict | None) -> str:
    """The per-meeting figures against those of a smaller archive's run (1.00 = linear)."""
    if baseline is None:
        return "not compared (`--baseline PATH`: the JSON of a 4,000-meeting run)"
    base = baseline["targets"]
    time_ratio = figures["cold build per meeting (ms)"]["median"] / base["cold build per meeting (ms)"]["median"]
    memory_ratio = figures["peak memory per meeting (kB)"]["median"] / base["peak memory per meeting (kB)"]["median"]
    return (f"{time_ratio:.2f}× the time and {memory_ratio:.2f}× the memory per meeting of the "
            f"{base['meetings']}-meeting run")


def targets_table(report: dict) -> str:
    figures = report["targets"]
    rows = []
    if "cold build vs Hugo + Pagefind (×)" in figures:
        ours, theirs = figures["cold build (s)"], figures["Hugo + Pagefind cold build (s)"]
        rows.append(["cold build, search included, vs Hugo + Pagefind on the same Markdown, in the same run",
                     f"{measured(figures['cold build vs Hugo + Pagefind (×)'], '×')}: "
                     f"{measured(ours, ' s', 1)} against {measured(theirs, ' s', 1)} "
                     f"(Hugo {measured(figures['Hugo alone (s)'], ' s', 1)}, "
                     f"Pagefind {measured(figures['Pagefind on Hugo pages (s)'], ' s', 1)})", "≤ 1.0×"])
    else:
        rows.append(["cold build, search included, vs Hugo + Pagefind",
                     f"{measured(figures['cold build (s)'], ' s', 1)}; Hugo not installed (`apt-get install hugo`)",
                     "≤ 1.0×"])
    rows.append(["one edited meeting republished (command line)",
                 measured(figures.get("one edit, command line (s)"), " s"), "≤ 2 s"])
    rows.append(["the same in `serve`", measured(figures.get("one edit, serve (s)"), " s"), "≤ 1 s"])
    memory = measured(figures["peak memory, build process (MB)"], " MB", 0)
    tree = measured(figures["peak memory, process tree (MB)"], " MB", 0)
    hugo_memory = (f"; Hugo + Pagefind {measured(figures['Hugo + Pagefind peak memory (MB)'], ' MB', 0)}"
                   if "Hugo + Pagefind peak memory (MB)" in figures else "")
    rows.append(["build process peak memory", f"{memory} (largest process of the build, Pagefind included: "
                 f"{tree}{hugo_memory})", "≤ 300 MB"])
    rows.append([f"cold time and memory per meeting ({report['meetings']:,} meetings)",
                 f"{measured(figures['cold build per meeting (ms)'], ' ms', 2)}, "
                 f"{measured(figures['peak memory per meeting (kB)'], ' kB', 1)}; {figures.get('linear', '')}",
                 "40,000 meetings within 10 % of the 4,000-meeting figures (linear)"])
    search = figures.get("search per query")
    if search:
        rows.append(["search weight per query (median over the queries; Netlify's gzip)",
                     f"{measured(search['Netlify kB'], ' kB', 1)} in {measured(search['requests'], ' requests', 0)}",
                     "no worse than before"])
    return table(["", "now", "target"], rows)


def print_report(report: dict) -> None:
    if report["builds"]:
        print_builds(report)
    print_search(report)
    if "targets" in report:
        print(f"\n## Targets: {report['meetings']:,} meetings, medians of {report['runs']} runs "
              f"(lowest–highest in brackets){'; ' + report['machine'] if report.get('machine') else ''}\n")
        print(targets_table(report))


def print_builds(report: dict) -> None:
    columns = list(report["builds"]["total wall time (s)"])
    print(f"## Builds: {report['meetings']} meetings, medians of {report['runs']} runs, each run in brackets "
          f"where they differ (the oldest-year edit and the new meeting: one run each)\n")
    print(table(["", *columns], [[label, *(cell(row.get(column), digits(label)) for column in columns)]
                                 for label, row in report["builds"].items()]))
    if report["code changed during the builds"]:
        print(f"\nWarning: the build's code changed during the builds "
              f"({', '.join(report['code changed during the builds'])}): a rebuild after the change "
              f"ignored the cache. Run again when nobody is editing.")


def print_search(report: dict) -> None:
    if "search" not in report:
        return
    print(f"\n## Search: everything a browser with an empty cache fetches for /search/?q=…, "
          f"medians of {report['runs']} fresh browsers\n")
    header = ["requests", "raw kB", "Netlify (gzip -6) kB"]
    print(table(["query", *header, "first result"], [[f'"{query}"', *search_cells(runs), report["first"].get(query, "")]
                                                     for query, runs in report["search"].items()]))
    if "search, one index" in report:
        print("\n## The same, with the whole site in one Pagefind index\n")
        first = report["first, one index"]
        print(table(["query", *header, "first result"], [[f'"{query}"', *search_cells(runs), first.get(query, "")]
                                                         for query, runs in report["search, one index"].items()]))
    print(f'\n### By kind of file, for "{next(iter(report["search"]))}" (one browser)\n')
    print(table(["kind", *header], [[name, *search_cells([figures])]
                                    for name, figures in report["search by kind"].items()]))


def search_cells(runs: list[dict[str, int]]) -> list[str]:
    """Requests, raw kB and Netlify kB: medians of the runs."""
    return [cell(figure([run["requests"] for run in runs]), 0),
            *(cell(figure([run[measure] / 1000 for run in runs]), 1) for measure in ("raw bytes", "Netlify bytes"))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=None, help="runs of each build (default 3; 1 with --cold-only)")
    parser.add_argument("--no-search-bytes", dest="search_bytes", action="store_false",
                        help="skip measuring what the browser fetches for a search")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures to this JSON file")
    parser.add_argument("--vocabulary", choices=("small", "zipf"), default="small",
                        help="zipf: text from a Zipf-distributed vocabulary of about 49,000 words (bench/generate.py), "
                             "searched with seven kinds of query, and compared with one single Pagefind index")
    parser.add_argument("--search-only", action="store_true", help="one build, then only the search measurements")
    parser.add_argument("--cold-only", action="store_true", default=None,
                        help="only the cold builds (ours and Hugo + Pagefind): the figures per meeting "
                             "(the default from 20,000 meetings up)")
    parser.add_argument("--no-hugo", dest="hugo", action="store_false",
                        help="leave out Hugo + Pagefind even when hugo is installed")
    parser.add_argument("--baseline", type=Path, metavar="PATH",
                        help="the JSON of a run on a smaller archive: the per-meeting figures compared with it")
    parser.add_argument("--machine", default="", help="a note on the machine's state, printed with the targets "
                                                      "(e.g. `2 cores, loaded by other builds`)")
    args = parser.parse_args()
    cold_only = args.meetings >= 20_000 if args.cold_only is None else args.cold_only
    runs = args.runs or (1 if cold_only else 3)
    hugo = args.hugo and shutil.which("hugo") is not None
    report: dict = {"meetings": args.meetings, "runs": runs, "machine": args.machine,
                    "cpus": os.cpu_count(), "load average at start": os.getloadavg()}
    if hugo:
        version = subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout.strip()
        report["hugo"] = version
    queries = ZIPF_QUERIES if args.vocabulary == "zipf" else QUERIES
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        content = Path(tmp) / "content"
        report["generation (s)"] = archive(args.meetings, args.vocabulary, content)
        site = Path(tmp) / "site"
        started = time.time()
        edits: list[Build] = []
        serve: list[float] = []
        if args.search_only:
            build(content, site, cache=False)
            report["builds"] = {}
        else:
            cold, theirs = cold_builds(content, Path(tmp), runs, hugo)
            if cold_only:
                phases: dict[str, list[Build]] = {"cold (no cache)": cold}
                size = site_size_of_cold(content, site) if args.search_bytes else {}
            else:
                phases, size = run_builds(content, site, runs, cold)
                edits = phases["one edit (recent)"]
                serve = serve_rebuilds(content, Path(tmp) / "serve", runs)
            report["builds"] = build_rows(phases, size)
            report["targets"] = target_figures(report, cold, theirs, serve, edits)
        report["code changed during the builds"] = code_changed_since(started)
        if args.search_bytes:
            report["search"], report["search by kind"] = search_bytes(site, runs, queries)
            report["first"] = dict(FIRST)
            if args.vocabulary == "zipf":
                single_index(site)
                report["search, one index"], _ = search_bytes(site, runs, queries)
                report["first, one index"] = dict(FIRST)
    if "targets" in report:
        report["targets"]["search per query"] = per_query(report)
        baseline = json.loads(args.baseline.read_text(encoding="utf-8")) if args.baseline else None
        report["targets"]["linear"] = linear(report["targets"], baseline)
    report["load average at end"] = os.getloadavg()
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


def site_size_of_cold(content: Path, site: Path) -> dict[str, int]:
    """With --cold-only: one more build, kept, for the search measurements and the site's size."""
    build(content, site, cache=False)
    return site_size(site)


if __name__ == "__main__":
    main()
