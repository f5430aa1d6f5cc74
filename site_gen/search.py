"""Search: Pagefind indexes the finished site, in shards merged at query time.

Pages opt in with `data-pagefind-body`; filters (committee, year, kind) and the
date sort key are set by the templates.

Why shards: one Pagefind run over a 4,000-meeting archive takes about 12-16 s
and 1.5 GB, and Pagefind cannot update an index. So the index is cut into
shards that are built separately and merged by the browser (Pagefind's
`mergeIndex`); a rebuild re-indexes only the shards whose pages changed and
links the others from the previous site. Meeting pages are grouped by year into
shards of at most `SHARD_PAGES` meetings (a year is never split), oldest first,
so new minutes only ever change the newest shard, which is the main bundle at
/pagefind/ (it carries every filter). Issue pages, which change with new
minutes, have a shard of their own; committee, indicator and portfolio pages,
which change only with their own files, another. A shard is indexed again
only when the searchable text of one of its pages may have changed: pages tell
the writer what that text is made from (a meeting's pager or an indicator's
list of mentions is not searched), other pages are compared byte for byte.

The cost at query time (measured on the 4,000-meeting benchmark archive; see
the README): each extra shard adds its entry, metadata and filter files and one
index chunk per word to a query; up to about ten shards that is within a fifth
of one index, while one shard per year costs two to three times as much. Scores
are computed per shard, so shards are kept of similar size: a small newest
shard is merged into the one before it.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import pagefind_stable, urls
from .cache import digest
from .writer import Writer

SHARD_PAGES = 500


class SearchIndexError(Exception):
    pass


ISSUES, REFERENCE = "issues", "reference"  # the shards of pages that are not meetings


@dataclass(frozen=True)
class Shard:
    name: str  # "main", "issues", "reference", or the first and last year of its meetings: "1990-1993"
    years: tuple[int, ...] = ()

    @property
    def folder(self) -> str:
        """Its folder in the output, e.g. pagefind or pagefind-archive/1990-1993."""
        return urls.output_path(urls.search_bundle(self.name)).removesuffix("/index.html")


def layout(meetings_per_year: dict[int, int], shard_pages: int = SHARD_PAGES, issues: bool = True) -> list[Shard]:
    """The shards: the issues' (when there are issues) and the reference pages' (every archive
    has committees), then the meetings', oldest first; without meetings, only the main one. The
    last is the main one, which also holds the pages whose shard is not in the layout."""
    buckets: list[list[int]] = []
    count = 0
    for year in sorted(meetings_per_year):
        if buckets and buckets[-1] and count + meetings_per_year[year] > shard_pages:
            buckets.append([])
            count = 0
        if not buckets:
            buckets.append([])
        buckets[-1].append(year)
        count += meetings_per_year[year]
    if len(buckets) > 1 and sum(meetings_per_year[y] for y in buckets[-1]) < shard_pages // 2:
        newest = buckets.pop()
        buckets[-1] += newest
    shards = [Shard(name) for name, wanted in ((ISSUES, issues), (REFERENCE, True)) if wanted and buckets]
    shards += [Shard(f"{years[0]}-{years[-1]}", tuple(years)) for years in buckets[:-1]]
    shards.append(Shard("main", tuple(buckets[-1]) if buckets else ()))
    return shards


def pages_of(shards: list[Shard], paths: list[str]) -> dict[Shard, list[str]]:
    """Which searchable pages each shard indexes."""
    by_year = {year: shard for shard in shards for year in shard.years}
    by_name = {shard.name: shard for shard in shards}
    pages: dict[Shard, list[str]] = {shard: [] for shard in shards}
    for path in paths:
        kind = urls.searchable(path)
        if kind is None:
            continue
        if kind[0] == "meeting":
            shard = by_year.get(kind[1], shards[-1])
        else:
            shard = by_name.get(ISSUES if path.startswith("issues/") else REFERENCE, shards[-1])
        pages[shard].append(path)
    return pages


def pagefind_executable() -> str:
    try:
        from pagefind_bin import get_executable
    except ImportError:
        raise SearchIndexError("Pagefind is not installed: run `pip install -r requirements.txt`") from None
    return str(get_executable())


def index_shard(site_dir: Path, pages: list[str], bundle: Path) -> int:
    """Run Pagefind over exactly these pages (linked into a folder of their own, so the
    URLs it records are the site's), writing the bundle into `bundle`. Returns Pagefind's
    peak memory in kB as sampled every 50 ms (for the benchmark)."""
    mirror = Path(tempfile.mkdtemp(prefix=".search-shard-", dir=site_dir.parent))
    try:
        for page in pages:
            target = mirror / page
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(site_dir / page, target)
        command = [pagefind_executable(), "--site", str(mirror), "--output-path", str(bundle)]
        with tempfile.TemporaryFile() as output:
            process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
            peak = 0
            while process.poll() is None:
                peak = max(peak, peak_memory_kb(process.pid))
                try:
                    process.wait(timeout=0.05)
                except subprocess.TimeoutExpired:
                    pass
            if process.returncode != 0:
                output.seek(0)
                said = output.read().decode("utf-8", "replace").strip()
                raise SearchIndexError("Pagefind could not index the site:\n" + said)
    finally:
        shutil.rmtree(mirror, ignore_errors=True)
    try:
        pagefind_stable.stabilise(bundle)
    except (pagefind_stable.UnexpectedIndex, OSError, ValueError, KeyError) as exc:
        raise SearchIndexError(f"could not make Pagefind's index reproducible: {exc}") from None
    return peak


def peak_memory_kb(pid: int) -> int:
    """A running process's peak resident memory so far (Linux; 0 elsewhere). Read from /proc
    because the peak the kernel reports when a child exits includes its parent's memory
    from before it started Pagefind."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def index_site(writer: Writer, shards: list[Shard]) -> tuple[int, int]:
    """Index every shard whose pages changed; link the others from the previous site.
    Returns how many shards were indexed, and the largest peak memory of Pagefind (kB)."""
    site_dir = writer.staging
    assert site_dir is not None
    work = []
    for shard, pages in pages_of(shards, writer.paths()).items():
        if not pages:
            continue
        records = [writer.records[page] for page in pages]
        inputs = digest("search shard", shard.name, [(page, record.search or record.sha)
                                                     for page, record in zip(pages, records)])
        if not writer.keep_folder(shard.folder, inputs):
            work.append((shard, pages, inputs))
    # Pagefind runs mostly on one core: shards are indexed side by side
    with ThreadPoolExecutor(max_workers=max(1, min(len(work), os.cpu_count() or 1))) as pool:
        futures = [pool.submit(index_shard, site_dir, pages, site_dir / shard.folder) for shard, pages, _ in work]
        peaks = [future.result() for future in futures]
    for shard, _, inputs in work:
        writer.record_folder(shard.folder, inputs)
    return len(work), max(peaks, default=0)
