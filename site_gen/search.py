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
import re
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
        meetings = linked.mentions.meetings(code)
        if meetings:
            years[urls.output_path(urls.indicator(code))] = meetings[-1].year
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
# back in the last answer (GetFiles) and are written here, as they arrive. Not WriteFiles:
# Pagefind answers it when its writes are handed to background threads, not done (and
# stops at the end of its input, maybe before they are), loses their errors (a full
# disk), and retries forever a file it cannot create; here a failure to write is an
# error of this process, said plainly.

# -- what Pagefind reads of a page ----------------------------------------------------
#
# Pagefind indexes the text of the `data-pagefind-body` element without its
# `data-pagefind-ignore` subtrees, and reads `<html lang>` and the data-pagefind-filter,
# -meta and -sort attributes wherever they are (the templates put them on <meta> lines in
# the head). The rest of a page (the head's links and JSON-LD, the header, the footer, a
# meeting's history and pager, an indicator's chart and list of mentions) is parsed and
# thrown away: most of the bytes of a page. So Pagefind is given the page without them.
# The cut relies on what the templates make: every `<` outside a tag is escaped (text,
# attribute values and Markdown alike), so a tag found by its `<` is one the templates or
# the Markdown renderer wrote; and the templates close each element they open. Anything
# the cut would drop that Pagefind could read (an image, whose address becomes a result's
# picture; a data-pagefind- attribute; an old bundle's address) keeps the page whole.

SEARCH_BODY = b'<main id="main" tabindex="-1" data-pagefind-body>'
BODY_PARENT = b'<div class="page container">'  # its end adds a sentence's space and full stop
SEARCH_HEAD = b'<meta name="search-'  # base.html's lines of Pagefind's title, filters, meta and sort
IGNORED = b"data-pagefind-ignore"
READ_ANYWHERE = (b"<img", b"data-pagefind-", b"_pagefind")  # what Pagefind reads outside the body too


def searchable_view(page: bytes) -> bytes:
    """The part of a rendered page Pagefind reads, which it indexes exactly as the whole page:
    the document's start (`<html lang>`), the search <meta> lines, and the body element with its
    parent, without its ignored subtrees; the whole page when it is not made as expected."""
    head_start = page.find(b"<head>")
    head_end = page.find(b"</head>")
    body = page.find(SEARCH_BODY)
    end = page.rfind(b"</main>")
    if min(head_start, head_end, body, end) < 0 or not head_start < head_end < body < end:
        return page
    metas_start = page.find(b"\n" + SEARCH_HEAD, head_start, head_end) + 1
    if metas_start <= 0 or page.rfind(BODY_PARENT, head_end, body) < 0:
        return page
    metas_end = metas_start
    while page.startswith(SEARCH_HEAD, metas_end):
        metas_end = page.index(b"\n", metas_end) + 1
    if metas_end > head_end or b'data-pagefind-meta="title[content]"' not in page[metas_start:metas_end]:
        return page  # without it, Pagefind takes the title from the first <h1> or <title>, anywhere
    dropped = (page[head_start:metas_start], page[metas_end:body])
    if any(marker in part for part in dropped for marker in READ_ANYWHERE):
        return page
    kept = [page[:head_start + len(b"<head>")], b"\n", page[metas_start:metas_end], b"</head>\n<body>\n",
            BODY_PARENT, b"\n"]
    position = body
    for start, stop in ignored_elements(page, body, end):
        region = page[start:stop]
        if (b"<img" in region or b"_pagefind" in region
                or region.count(b"data-pagefind-") != region.count(IGNORED)):
            continue  # Pagefind reads an ignored element's image, filters and meta
        kept.append(page[position:start])
        position = stop
    kept.append(page[position:])  # from </main>: the text after it is the body's parent's too
    return b"".join(kept)


def ignored_elements(page: bytes, start: int, end: int) -> typing.Iterator[tuple[int, int]]:
    """(start, stop) of each outermost element between `start` and `end` whose tag has the
    attribute data-pagefind-ignore, found by its tag and the end tag that closes it."""
    position = start
    while (found := page.find(IGNORED, position, end)) >= 0:
        position = found + len(IGNORED)
        tag = page.rfind(b"<", start, found)
        if tag < 0 or page.rfind(b">", tag, found) >= 0 or page.count(b'"', tag, found) % 2:
            continue  # text, or an attribute's value, that says data-pagefind-ignore
        if page[found - 1:found] not in (b" ", b"\n", b"\t") or page[position:position + 1] not in (b">", b" ", b"="):
            continue
        name_end = tag + 1
        while page[name_end:name_end + 1].isalnum():
            name_end += 1
        name = page[tag + 1:name_end].lower()
        stop = closing_tag(page, name, page.index(b">", found), end)
        if not name or name != page[tag + 1:name_end] or stop < 0:
            continue
        yield tag, stop
        position = stop


def closing_tag(page: bytes, name: bytes, after: int, end: int) -> int:
    """Where the end tag that closes the element `name` opened before `after` ends; -1 if none
    is found before `end`. Elements of the same name opened inside it are counted."""
    depth = 1
    opened, closed = b"<" + name, b"</" + name + b">"
    position = after
    while depth:
        close = page.find(closed, position, end)
        if close < 0:
            return -1
        inner = page.find(opened, position, close)
        while inner >= 0 and page[inner + len(opened):inner + len(opened) + 1] not in (b" ", b">", b"\n", b"/"):
            inner = page.find(opened, inner + 1, close)
        if inner >= 0:
            depth += 1
            position = inner + len(opened)
        else:
            depth -= 1
            position = close + len(closed)
    return position


def _message(number: int, payload: dict) -> bytes:
    return base64.b64encode(orjson.dumps({"message_id": number, "payload": payload})) + b","


def page_url(page: str) -> str:
    """The URL Pagefind records for a page file, as its command line would (without index.html)."""
    return "/" + page.removesuffix("index.html")


def run_pagefind(site_dir: Path, pages: list[str], bundle: Path,
                 view: typing.Callable[[bytes], bytes] = searchable_view) -> int:
    """Index `pages` (in this order), each as `view` of its bytes gives it, into the folder
    `bundle`; Pagefind's peak memory (kB)."""
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
                    contents = view((site_dir / page).read_bytes()).decode("utf-8")
                    stream.write(_message(number, {"type": "AddFile", "index_id": 0, "url": page_url(page),
                                                   "file_contents": contents}))
                stream.write(_message(expected - 1, {"type": "GetFiles", "index_id": 0}))
                stream.flush()
            except BrokenPipeError:  # Pagefind stopped: its answers or status say why
                pass
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                failure.append(exc)

        answers: list[dict] = []
        unwritten: list[BaseException] = []

        def read() -> None:
            answer = Answer(bundle)
            try:
                while len(answers) < expected and (chunk := stdout.read1(1 << 20)):
                    answers.extend(answer.take(chunk))
            except (OSError, SearchIndexError) as exc:  # a file of the index could not be written
                unwritten.append(exc)

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
    if unwritten:  # a full disk is said by the pipeline, as for any file of the site
        raise unwritten[0]
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
    return peak


GET_FILES = re.compile(rb'\{"message_id":[0-9]+,"payload":\{"type":"GetFiles","files":\[')


class Answer:
    """Pagefind's answers, read as they come: each is base64 of JSON and a comma. The last,
    GetFiles, holds every file of the index (tens of megabytes for the archive's), as base64
    inside it: its files are decoded and written into the bundle folder as they arrive, so
    that no more than a read's worth of it is held here."""

    def __init__(self, bundle: Path) -> None:
        self.bundle = bundle
        self.encoded = bytearray()  # of the answer being read, what is not yet decoded (< 4 bytes, or a read)
        self.decoded = bytearray()  # of an answer that is not GetFiles, its JSON so far
        self.files: BundleWriter | None = None

    def take(self, chunk: bytes) -> list[dict]:
        """The answers `chunk` ends (decoding and writing what it holds of the files)."""
        ended = []
        while chunk:
            comma = chunk.find(b",")
            self.encoded += chunk if comma < 0 else chunk[:comma]
            chunk = b"" if comma < 0 else chunk[comma + 1:]
            whole = len(self.encoded) if comma >= 0 else len(self.encoded) // 4 * 4
            try:
                self.decode(base64.b64decode(bytes(self.encoded[:whole]), validate=True))
                del self.encoded[:whole]
                if comma >= 0:
                    ended.append(self.end())
            except (ValueError, orjson.JSONDecodeError):
                if comma < 0:
                    raise SearchIndexError("Pagefind's search index could not be read") from None
                ended.append({"payload": {"type": "Error", "message": "an answer that is not Pagefind's"}})
                self.encoded.clear()
                self.decoded.clear()
                self.files = None
        return ended

    def decode(self, data: bytes) -> None:
        if self.files is not None:
            self.files.take(data)
            return
        self.decoded += data
        if (found := GET_FILES.match(self.decoded)) is not None:
            self.files = BundleWriter(self.bundle)
            self.files.take(bytes(self.decoded[found.end():]))
            self.decoded.clear()

    def end(self) -> dict:
        if self.files is not None:
            count = self.files.finish()
            self.files = None
            return {"payload": {"type": "GetFiles", "written": count}}
        answer = orjson.loads(self.decoded)
        self.decoded.clear()
        return answer if isinstance(answer, dict) else {}


class BundleWriter:
    """The files of GetFiles's JSON (`{"path":"…","content":"<base64>"}`, comma-separated, then
    `]}}`), taken in pieces and written as they come (their names relative to the bundle)."""

    def __init__(self, bundle: Path) -> None:
        self.bundle = bundle
        self.pending = bytearray()
        self.stream: typing.BinaryIO | None = None
        self.name = ""
        self.count = 0

    def take(self, data: bytes) -> None:
        self.pending += data
        while self.pending:
            if self.stream is not None:
                quote = self.pending.find(b'"')
                whole = quote if quote >= 0 else len(self.pending) // 4 * 4
                try:
                    self.stream.write(base64.b64decode(bytes(self.pending[:whole]), validate=True))
                except ValueError:
                    raise SearchIndexError(f"Pagefind's file {self.name} could not be read") from None
                del self.pending[:whole]
                if quote < 0:
                    return
                self.stream.close()
                self.stream = None
                self.count += 1
                del self.pending[:1]
            elif self.pending[:1] in (b"}", b","):
                del self.pending[:1]
            elif self.pending[:1] == b"]":
                return  # the end: finish() checks it
            else:
                start = b'{"path":"'
                if len(self.pending) < len(start) or not self.pending.startswith(start):
                    if len(self.pending) >= len(start) or not start.startswith(bytes(self.pending)):
                        raise SearchIndexError("Pagefind's search index could not be read")
                    return
                middle = self.pending.find(b'","content":"')
                if middle < 0:
                    if len(self.pending) > 4096:
                        raise SearchIndexError("Pagefind's search index could not be read")
                    return
                self.open(bytes(self.pending[len(start):middle]).decode("utf-8", "replace"))
                del self.pending[:middle + len(b'","content":"')]

    def open(self, path: str) -> None:
        name = PurePosixPath(path)
        if name.is_absolute() or ".." in name.parts or not name.parts or "\\" in path:
            raise SearchIndexError(f"Pagefind named a file outside its folder: {name}")
        target = self.bundle.joinpath(*name.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        self.name = str(name)
        self.stream = open(target, "wb")  # noqa: SIM115 - closed at the content's closing quote

    def finish(self) -> int:
        """How many files were written; an error when the answer did not end as a whole one."""
        if self.stream is not None or bytes(self.pending) != b"]}}":
            if self.stream is not None:
                self.stream.close()
            raise SearchIndexError("Pagefind's search index is incomplete: build again")
        return self.count


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


def index_shard(site_dir: Path, pages: list[str], bundle: Path,
                view: typing.Callable[[bytes], bytes] = searchable_view) -> int:
    """Index exactly these pages of the staging site into `bundle` (a folder of the site),
    check that Pagefind wrote a whole index, and make it reproducible. Returns Pagefind's
    peak memory in kB as sampled every 50 ms (for the benchmark)."""
    peak = run_pagefind(site_dir, sorted(pages), bundle, view)
    verify_bundle(bundle)
    try:
        pagefind_stable.stabilise(bundle)  # a failure to write (a full disk) is said by the pipeline
    except (pagefind_stable.UnexpectedIndex, ValueError, KeyError) as exc:
        raise SearchIndexError(f"could not make Pagefind's index reproducible: {exc}") from None
    return peak


class Indexing:
    """The shards whose pages changed, being indexed by Pagefind in threads (it runs mostly on one
    core each) while the build makes its other files: begun by `start_indexing` once every page
    the search indexes is written, waited for by `finish` before the site is swapped in."""

    def __init__(self, writer: Writer, work: list[tuple[Shard, list[str], str]]):
        self.writer = writer
        self.work = work
        site_dir = writer.staging
        assert site_dir is not None
        self.pool = ThreadPoolExecutor(max_workers=max(1, min(len(work), os.cpu_count() or 1)))
        self.futures = [self.pool.submit(index_shard, site_dir, pages, site_dir / shard.folder)
                        for shard, pages, _ in work]

    def finish(self) -> tuple[int, int]:
        """How many shards were indexed, and the largest peak memory of Pagefind (kB); a shard's
        failure is raised here."""
        try:
            peaks = [future.result() for future in self.futures]
        finally:
            self.pool.shutdown(wait=True)
        for shard, _, inputs in self.work:
            self.writer.record_folder(shard.folder, inputs)
        return len(self.work), max(peaks, default=0)

    def abandon(self) -> None:
        """Wait for Pagefind without using what it made (the build failed after the search began):
        the staging folder is not deleted under it."""
        for future in self.futures:
            future.cancel()
        self.pool.shutdown(wait=True)


def start_indexing(writer: Writer, shards: list[Shard], years: dict[str, int] | None = None) -> Indexing:
    """Begin indexing every shard whose pages changed; link the others from the previous site.
    `years`: page_years. Called once every page the search indexes is written: the writer then
    refuses another (`Writer.close_searched`)."""
    writer.close_searched()
    work = []
    for shard, pages in pages_of(shards, writer.paths(), years).items():
        if not pages:
            continue
        records = [writer.records[page] for page in pages]
        inputs = digest("search shard", shard.name, [(page, record.search or record.sha)
                                                     for page, record in zip(pages, records, strict=True)])
        if not writer.keep_folder(shard.folder, inputs):
            work.append((shard, pages, inputs))
    return Indexing(writer, work)

