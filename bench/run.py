#!/usr/bin/env python3
"""Benchmark the build and the search on a generated archive: `python bench/run.py [--meetings N] [--runs K]`.

A script run by hand, never a timed test: its figures go in the notes. In a
temporary folder it generates an archive (bench/generate.py), then times
`build.py --timings` (the wall time around the process, and the stages the
build reports):

- cold: K full builds without the cache, each into a fresh output folder
  (then one more with the cache, to seed it);
- no change: K rebuilds with nothing changed;
- one edit: K rebuilds, each after a paragraph is added to the minutes of a
  different recent meeting, as a clerk corrects recent minutes; then one
  after an edit to a meeting of the oldest year, and one after a new meeting.

Then (unless --no-search-bytes) it serves the site and opens
/search/?q=QUERY in headless Chromium, K fresh browsers a query, and sums
what they fetch from the search index: the response bodies, and what Netlify
would send (each file gzipped, unless that is larger: Pagefind's own files
are gzipped already).

Figures are medians of K runs (machines are noisy), with the runs in brackets
where they differ. `--json PATH` also writes them as JSON.
"""
from __future__ import annotations

import argparse
import datetime
import functools
import gzip
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
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
SEARCH_FOLDERS = ("/pagefind/", "/pagefind-archive/")
SETTLE_MS = 2000  # after the first result: the fragments and filters still loading
KINDS = (("wasm", (".pagefind",)), ("js/css", (".js", ".css")), ("entry json", ("pagefind-entry.json",)),
         ("meta", (".pf_meta",)), ("index chunks", (".pf_index",)), ("fragments", (".pf_fragment",)),
         ("filters", (".pf_filter",)))

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


# --- builds ---------------------------------------------------------------

def build(content: Path, out: Path, cache: bool = True) -> Build:
    command = [sys.executable, "build.py", "--content", str(content), "--out", str(out), "--timings"]
    if not cache:
        command.append("--no-cache")
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return parse(result.stdout, wall)


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


def code_changed_since(started: float) -> list[str]:
    """The build's code files saved since `started` (a time.time()). A change makes the
    next cached rebuild a cold one, so rebuild figures taken across it are wrong."""
    return sorted(str(path.relative_to(ROOT)) for folder in CODE_FOLDERS + EDITABLE_FOLDERS for path in (ROOT / folder).rglob("*")
                  if path.is_file() and path.stat().st_mtime > started)


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
    """A copy of the newest meeting, five weeks later (the same committee): not within a month, which
    the build would take for a rename left half done."""
    newest = meetings[-1]
    old = datetime.date.fromisoformat(newest.name[:10])
    new = old + datetime.timedelta(weeks=5)
    text = newest.read_text(encoding="utf-8")
    text = text.replace(f"\ndate: {old.isoformat()}\n", f"\ndate: {new.isoformat()}\n", 1)
    target = newest.parent.parent / str(new.year) / f"{new.isoformat()}{newest.name[10:]}"
    target.parent.mkdir(exist_ok=True)
    target.write_text(text, encoding="utf-8")


def site_size(site: Path) -> dict[str, int]:
    files = [path for path in site.rglob("*") if path.is_file()]
    return {"pages": sum(1 for path in files if path.suffix == ".html"), "files": len(files),
            "bytes": sum(path.stat().st_size for path in files)}


def run_builds(content: Path, out: Path, runs: int) -> tuple[dict[str, list[Build]], dict[str, int]]:
    """Every build phase, by column name; and the size of the site the cold builds make."""
    phases = {"cold (no cache)": [cold_build(content, out.parent / "cold") for _ in range(runs)]}
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
    """(path, body bytes) of each search-index request a fresh browser makes for the query.
    Context-level events: the index files are fetched by Pagefind's web worker."""
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
    files = [(path, body_bytes(r)) for r in requests if (path := urlsplit(r.url).path).startswith(SEARCH_FOLDERS)]
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


def totals(files: list[tuple[str, int]], site: Path) -> dict[str, int]:
    return {"requests": len(files), "raw bytes": sum(size for _, size in files),
            "Netlify bytes": sum(netlify_bytes(site / path.lstrip("/")) for path, _ in files)}


def search_bytes(site: Path, runs: int, queries=QUERIES) -> tuple[dict[str, list[dict[str, int]]], dict[str, dict[str, int]]]:
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
                "peak memory, Pagefind (MB)": "pagefind_mb"}
    for label, attribute in measures.items():
        rows[label] = {column: figure([getattr(b, attribute) for b in builds]) for column, builds in phases.items()}
    cold_column, cold = next(iter(phases.items()))
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


def print_report(report: dict) -> None:
    if report["builds"]:
        print_builds(report)
    print_search(report)


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
    print(f"\n## Search: what a browser fetches from {' and '.join(SEARCH_FOLDERS)}, "
          f"medians of {report['runs']} fresh browsers\n")
    header = ["requests", "raw kB", "Netlify (gzip -6) kB"]
    print(table(["query", *header, "first result"], [[f'"{query}"', *search_cells(runs), report["first"].get(query, "")]
                                                     for query, runs in report["search"].items()]))
    if "search, one index" in report:
        print("\n## The same, with the whole site in one Pagefind index\n")
        print(table(["query", *header, "first result"], [[f'"{query}"', *search_cells(runs), report["first, one index"].get(query, "")]
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
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-search-bytes", dest="search_bytes", action="store_false",
                        help="skip measuring what the browser fetches for a search")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures to this JSON file")
    parser.add_argument("--vocabulary", choices=("small", "zipf"), default="small",
                        help="zipf: text from a Zipf-distributed vocabulary of about 49,000 words (bench/generate.py), "
                             "searched with seven kinds of query, and compared with one single Pagefind index")
    parser.add_argument("--search-only", action="store_true", help="one build, then only the search measurements")
    args = parser.parse_args()
    report: dict = {"meetings": args.meetings, "runs": args.runs}
    queries = ZIPF_QUERIES if args.vocabulary == "zipf" else QUERIES
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        content = Path(tmp) / "content"
        write_archive(content, args.meetings, vocabulary=args.vocabulary)
        site = Path(tmp) / "site"
        started = time.time()
        if args.search_only:
            build(content, site, cache=False)
            report["builds"] = {}
        else:
            phases, size = run_builds(content, site, args.runs)
            report["builds"] = build_rows(phases, size)
        report["code changed during the builds"] = code_changed_since(started)
        if args.search_bytes:
            report["search"], report["search by kind"] = search_bytes(site, args.runs, queries)
            report["first"] = dict(FIRST)
            if args.vocabulary == "zipf":
                single_index(site)
                report["search, one index"], _ = search_bytes(site, args.runs, queries)
                report["first, one index"] = dict(FIRST)
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
