"""Search: Pagefind indexes the finished site, in two tiers merged at query time.

Pages opt in with `data-pagefind-body`; filters (committee, year, kind) and the
date sort key are set by the templates.

Why tiers: Pagefind cannot update an index, and one run over a 4,000-meeting
archive takes 15 s or more; but every index the browser merges (Pagefind's
`mergeIndex`) costs a search its entry, metadata and one index chunk (about
30 kB) per query word. So the index is cut in two:

- the main bundle at /pagefind/ (the recent tier): the meetings of the newest
  years (at most `RECENT_YEARS` whole years and `RECENT_MEETINGS` meetings, at
  least the newest year), and the issues and undefined indicator codes first
  met in those years. New and corrected minutes are almost always recent: they
  re-index only this bundle, about as many pages as a year has meetings;
- the archive, /pagefind-archive/<first year>-<last year>/: the older meetings,
  oldest first, whole years, in as few shards as `ARCHIVE_MEETINGS` allows (one
  for 4,000 meetings). It is indexed again only when old minutes change, or when
  a year leaves the recent tier (about once a year).

A page that is not a meeting's goes with the year it began in: an issue with its
first meeting, an indicator code defined nowhere with its first mention; the
others (committees, portfolios, defined indicators) with the oldest year. Their
searchable text is what residents look them up by (a name, a description, a
definition), never the lists of meetings and mentions that grow with each new
minutes, so a new meeting rarely changes them (`page_years`).

A shard is indexed again only when the searchable text of one of its pages may
have changed: pages tell the writer what that text is made from (a meeting's
pager, an issue's timeline or an indicator's list of mentions is not searched), other pages are
compared byte for byte. The trade-off, measured on the 4,000-meeting benchmark
archive with a Zipf vocabulary (bench/run.py), is in the README: ten shards cost
a search twice the bytes and three times the requests of these two tiers.
"""
from __future__ import annotations

import base64
import contextlib
import io
import os
import shutil
import subprocess
import tempfile
import threading
import typing
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import orjson

from . import pagefind_stable, urls
from .cache import digest
from .linking import Linked
from .writer import Writer

ARCHIVE_MEETINGS = 4000  # at most, a shard of the archive (Pagefind peaks at about 2 GB for 4,000)
RECENT_MEETINGS = 400  # at most, the recent tier's meetings: what one edited meeting re-indexes
RECENT_YEARS = 2  # the newest year and the one before: last December's minutes are approved in January


class SearchIndexError(Exception):
    pass


@dataclass(frozen=True)
class Shard:
    name: str  # "main", or the first and last year of the archive shard's meetings: "1990-2035"
    years: tuple[int, ...] = ()

    @property
    def folder(self) -> str:
        """Its folder in the output, e.g. pagefind or pagefind-archive/1990-2035."""
        return urls.output_path(urls.search_bundle(self.name)).removesuffix("/index.html")


def layout(meetings_per_year: dict[int, int], shard_meetings: int = ARCHIVE_MEETINGS) -> list[Shard]:
    """The shards: the archive's, oldest first, then the main one (the recent tier).
    `shard_meetings` caps an archive shard and the recent tier (below `RECENT_MEETINGS`);
    a year is never split."""
    years = sorted(meetings_per_year)
    recent = years[-1:]
    for year in reversed(years[-RECENT_YEARS:-1]):
        if sum(meetings_per_year[y] for y in recent) + meetings_per_year[year] > min(RECENT_MEETINGS, shard_meetings):
            break
        recent.insert(0, year)
    buckets: list[list[int]] = []
    count = 0
    for year in years[:len(years) - len(recent)]:
        if not buckets or count + meetings_per_year[year] > shard_meetings:
            buckets.append([])
            count = 0
        buckets[-1].append(year)
        count += meetings_per_year[year]
    return [Shard(f"{bucket[0]}-{bucket[-1]}", tuple(bucket)) for bucket in buckets] + [Shard("main", tuple(recent))]


def page_years(linked: Linked) -> dict[str, int]:
    """The year each searchable page that is not a meeting's goes with, where it has one: an
    issue's first meeting, an undefined indicator code's first mention (both lists are newest
    first). A new issue or code then lands in the recent tier with the minutes that brought it."""
    years = {urls.output_path(urls.issue(slug)): entries[-1][0].year
             for slug, entries in linked.issues.items() if entries}
    for code in linked.undefined:
        mentions = linked.mentions.get(code)
        if mentions:
            years[urls.output_path(urls.indicator(code))] = mentions[-1].meeting.year
    return years


def pages_of(shards: list[Shard], paths: list[str], years: dict[str, int] | None = None) -> dict[Shard, list[str]]:
    """Which searchable pages each shard indexes: a meeting's page the shard of its year; another
    page the shard of its year in `years` (page_years), or else the first shard, the oldest
    years, the one least often indexed again (the main one when there is no archive)."""
    years = years or {}
    by_year: dict[int | None, Shard] = {year: shard for shard in shards for year in shard.years}
    pages: dict[Shard, list[str]] = {shard: [] for shard in shards}
    for path in paths:
        kind = urls.searchable(path)
        if kind is not None:
            if kind[1] is not None:  # a meeting's; of a year without published minutes: the recent tier
                pages[by_year.get(kind[1], shards[-1])].append(path)
            else:
                pages[by_year.get(years.get(path), shards[0])].append(path)
    return pages


def pagefind_executable() -> str:
    try:
        from pagefind_bin import get_executable
    except ImportError:
        raise SearchIndexError("Pagefind is not installed: run `pip install -r requirements.txt`") from None
    return str(get_executable())


def index_shard(site_dir: Path, pages: list[str], bundle: Path) -> int:
    """Index exactly these pages of the staging site into `bundle` (a folder of the site),
    check that Pagefind wrote a whole index, and make it reproducible. Returns Pagefind's
    peak memory in kB as sampled every 50 ms (for the benchmark)."""
    peak = run_pagefind(site_dir, sorted(pages), bundle)
    verify_bundle(bundle)
    try:
        pagefind_stable.stabilise(bundle)  # a failure to write (a full disk) is said by the pipeline
    except (pagefind_stable.UnexpectedIndex, ValueError, KeyError) as exc:
        raise SearchIndexError(f"could not make Pagefind's index reproducible: {exc}") from None
    return peak


# -- feeding Pagefind in a fixed order -------------------------------------------------
#
# Pagefind numbers pages in the order it meets them, and its command line meets them in
# the order the file system lists a folder, which differs from one file system to the
# next (ext4 hashes names with a seed of its own; tmpfs lists the newest first): the same
# site gave a different index on another disk. So the pages are given to Pagefind's
# service mode (`pagefind --service`, which its Node and Python APIs drive) one by one,
# in sorted order, with the URL each has on the site. The service reads messages from
# standard input, each base64 of a JSON object and a comma, handles them one after the
# other, and answers each in the same form on standard output. The index's files come
# back in the last answer and are written here: the service's own writing may still be
# under way when it stops at the end of its input, and a failure to write (a full disk)
# is then an error of this process, said plainly.

def _message(number: int, payload: dict) -> bytes:
    return base64.b64encode(orjson.dumps({"message_id": number, "payload": payload})) + b","


def page_url(page: str) -> str:
    """The URL Pagefind records for a page file, as its command line would (without index.html)."""
    return "/" + page.removesuffix("index.html")


def run_pagefind(site_dir: Path, pages: list[str], bundle: Path) -> int:
    """Index `pages` (in this order) into the folder `bundle`; Pagefind's peak memory (kB)."""
    command = [pagefind_executable(), "--service"]
    expected = len(pages) + 2  # NewIndex, one AddFile a page, GetFiles
    with tempfile.TemporaryFile() as said:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=said)
        # both pipes exist (PIPE was asked for); unbuffered reads come from the buffered reader
        stdin, stdout = process.stdin, typing.cast(io.BufferedReader, process.stdout)
        assert stdin is not None and stdout is not None
        failure: list[BaseException] = []

        def feed() -> None:
            try:
                stream = stdin
                stream.write(_message(0, {"type": "NewIndex", "config": {}}))
                for number, page in enumerate(pages, start=1):
                    contents = (site_dir / page).read_bytes().decode("utf-8")
                    stream.write(_message(number, {"type": "AddFile", "index_id": 0, "url": page_url(page),
                                                   "file_contents": contents}))
                stream.write(_message(expected - 1, {"type": "GetFiles", "index_id": 0}))
                stream.flush()
            except BrokenPipeError:  # Pagefind stopped: its answers or status say why
                pass
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                failure.append(exc)

        answers: list[dict] = []

        def read() -> None:
            buffer = bytearray()
            while len(answers) < expected and (chunk := stdout.read1(1 << 20)):
                start = len(buffer)
                buffer += chunk
                while (comma := buffer.find(b",", start)) >= 0:
                    try:
                        answers.append(orjson.loads(base64.b64decode(bytes(buffer[:comma]))))
                    except (ValueError, orjson.JSONDecodeError):
                        answers.append({"payload": {"type": "Error", "message": "an answer that is not Pagefind's"}})
                    del buffer[:comma + 1]
                    start = 0

        feeder = threading.Thread(target=feed, daemon=True)
        reader = threading.Thread(target=read, daemon=True)
        feeder.start()
        reader.start()
        peak = 0
        while reader.is_alive() and process.poll() is None:
            peak = max(peak, peak_memory_kb(process.pid))
            reader.join(timeout=0.05)
        reader.join()
        feeder.join()
        with contextlib.suppress(OSError):
            stdin.close()  # the service stops at the end of its input
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        stdout.close()
        said.seek(0)
        stderr = said.read().decode("utf-8", "replace").strip()
    if failure:
        exc = failure[0]
        if isinstance(exc, OSError):
            raise exc
        raise SearchIndexError(f"could not give the pages to Pagefind ({type(exc).__name__})")
    payloads = [answer.get("payload") or {} for answer in answers]
    errors = [payload.get("message", "") for payload in payloads if payload.get("type") == "Error"]
    # its exit status too: at the end of its input the service exits with 0
    if errors or len(payloads) < expected or payloads[-1].get("type") != "GetFiles" or process.returncode != 0:
        raise SearchIndexError(pagefind_failure(errors[0] if errors else stderr, bundle))
    write_bundle(bundle, payloads[-1].get("files") or [])
    return peak


def write_bundle(bundle: Path, files: list[dict]) -> None:
    """Write the files Pagefind made (their names relative to the bundle folder)."""
    for file in files:
        name = PurePosixPath(str(file.get("path", "")))
        if name.is_absolute() or ".." in name.parts or not name.parts:
            raise SearchIndexError(f"Pagefind named a file outside its folder: {name}")
        target = bundle.joinpath(*name.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            data = base64.b64decode(file.get("content", ""), validate=True)
        except ValueError:
            raise SearchIndexError(f"Pagefind's file {name} could not be read") from None
        with open(target, "wb") as stream:
            stream.write(data)


def pagefind_failure(said: str, bundle: Path) -> str:
    """One plain sentence for Pagefind failing, whatever it printed (or did not)."""
    lowered = said.lower()
    if "os error 28" in lowered or "no space left" in lowered or disk_nearly_full(bundle):
        return f"the disk is full while writing the search index ({bundle.name}/): free some space and build again"
    if "os error 13" in lowered or "permission denied" in lowered:
        return f"permission was refused while writing the search index ({bundle.name}/)"
    first = next((line.strip() for line in said.splitlines() if line.strip()), "")
    if first:
        return f"Pagefind could not index the site: {first[:300]}"
    return "Pagefind stopped without writing the search index and without saying why"


def disk_nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder.parent if not folder.exists() else folder).free < 16 << 20
    except OSError:
        return False


def verify_bundle(bundle: Path) -> None:
    """Pagefind's exit status is not enough (a full disk has left empty files behind it):
    the index is used only when every file it needs is there and not empty, and its entry
    file is whole JSON naming a metadata file that exists."""
    def broken(what: str) -> SearchIndexError:
        if disk_nearly_full(bundle):
            return SearchIndexError(f"the disk is full while writing the search index ({bundle.name}/): "
                                    f"free some space and build again")
        return SearchIndexError(f"Pagefind's search index is incomplete ({what}): build again")

    for name in ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json"):
        path = bundle / name
        if not path.is_file() or path.stat().st_size == 0:
            raise broken(f"{bundle.name}/{name} is missing or empty")
    try:
        entry = orjson.loads((bundle / "pagefind-entry.json").read_bytes())
        languages = entry["languages"]
        metas = [bundle / f"pagefind.{info['hash']}.pf_meta" for info in languages.values()]
        wasms = [bundle / f"wasm.{info['wasm']}.pagefind" for info in languages.values() if info.get("wasm")]
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
        raise broken(f"{bundle.name}/pagefind-entry.json is not whole") from None
    if not metas:
        raise broken(f"{bundle.name}/pagefind-entry.json lists no language")
    for path in metas + wasms:
        if not path.is_file() or path.stat().st_size == 0:
            raise broken(f"{bundle.name}/{path.name} is missing or empty")
    for folder in ("index", "fragment"):
        files = list((bundle / folder).glob("*")) if (bundle / folder).is_dir() else []
        if not files or any(f.stat().st_size == 0 for f in files):
            raise broken(f"{bundle.name}/{folder}/ is missing or has empty files")
    for path in (bundle / "filter").glob("*") if (bundle / "filter").is_dir() else ():
        if path.stat().st_size == 0:
            raise broken(f"{bundle.name}/filter/{path.name} is empty")


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


def index_site(writer: Writer, shards: list[Shard], years: dict[str, int] | None = None) -> tuple[int, int]:
    """Index every shard whose pages changed; link the others from the previous site. `years`:
    page_years. Returns how many shards were indexed, and the largest peak memory of Pagefind (kB)."""
    site_dir = writer.staging
    assert site_dir is not None
    work = []
    for shard, pages in pages_of(shards, writer.paths(), years).items():
        if not pages:
            continue
        records = [writer.records[page] for page in pages]
        inputs = digest("search shard", shard.name, [(page, record.search or record.sha)
                                                     for page, record in zip(pages, records, strict=True)])
        if not writer.keep_folder(shard.folder, inputs):
            work.append((shard, pages, inputs))
    # Pagefind runs mostly on one core: shards are indexed side by side
    with ThreadPoolExecutor(max_workers=max(1, min(len(work), os.cpu_count() or 1))) as pool:
        futures = [pool.submit(index_shard, site_dir, pages, site_dir / shard.folder) for shard, pages, _ in work]
        peaks = [future.result() for future in futures]
    for shard, _, inputs in work:
        writer.record_folder(shard.folder, inputs)
    return len(work), max(peaks, default=0)
