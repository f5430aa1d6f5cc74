"""The build, stage by stage: load, link, render, write (Zola/MkDocs style)."""
from __future__ import annotations

import contextlib
import dataclasses
import gc
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import admin, search
from .cache import BuildCache, State, code_signature
from .history import read_history
from .linking import Linked, link
from .loading import load_archive
from .problems import ERROR, WARNING, Problem, Report
from .render import TEMPLATES, CompiledTemplates, TemplateProblem, render_site
from .writer import OutputConflict, UnsafeOutput, Writer, plain_os_error


@dataclass
class Result:
    report: Report
    linked: Linked | None = None
    written: bool = False
    failure: str | None = None  # a problem that is not the content's (Pagefind, the disk)
    notices: list[str] = field(default_factory=list)  # said once, neither errors nor warnings (no history)
    cache_notice: str | None = None  # why the incremental-build cache was not used
    files_written: int = 0
    files_kept: int = 0  # unchanged since the previous build, so not written again
    peaks: dict[str, int] = field(default_factory=dict)  # stage -> the build process's peak memory by its end (MB)
    search_index: tuple[int, int] = (0, 0)  # shards indexed again (the others were unchanged), Pagefind's peak kB
    writer: Writer | None = None  # while the previous site (or an aborted staging folder) is being deleted

    @property
    def ok(self) -> bool:
        return not self.report.errors and self.failure is None


def check(content_dir, include_drafts: bool = True, cache_dir: Path | None = None, use_cache: bool = False,
          worktree: tuple[Path, str] | None = None) -> Result:
    """Load and link only. With `use_cache` (the command line's default), what loading and
    rendering each meeting gave is kept in `.cache/` beside the content folder, so checking a
    large archive again (the pre-commit hook, a pull request) redoes only the changed files."""
    with collector_paused():
        report = Report()
        result = Result(report)
        cache = (BuildCache.for_build(cache_dir or default_cache_dir(content_dir), content_dir)
                 if use_cache else BuildCache.disabled())
        result.cache_notice = cache.ignored
        archive = load_archive(content_dir, report, cache, worktree)
        if archive is not None:
            result.linked = link(archive, report, include_drafts=include_drafts, cache=cache)
            cache.save()
        return result


# Netlify reads a `_headers` file in the published folder. The headers of
# netlify.toml are the same for every deploy context, so deploy previews are
# built with `--noindex`, which adds this file: no search engine indexes them.
NOINDEX_HEADERS = ("# Written by `python build.py --noindex` (a deploy preview): not for search engines.\n"
                   "/*\n  X-Robots-Tag: noindex\n").encode("utf-8")


def peak_memory_mb() -> int:
    """This process's peak resident memory so far (for --timings and the benchmark)."""
    try:
        import resource
    except ImportError:  # not on Windows
        return 0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def default_cache_dir(folder) -> Path:
    """`.cache/` beside the output folder (or, for `check`, the content folder): outside it,
    and ignored by git."""
    return Path(folder).resolve().parent / ".cache"


@contextlib.contextmanager
def collector_paused():
    """Python's cycle collector, run again and again while millions of objects are made
    (loading the cached archive, rendering), took a third of a rebuild's time; the build
    makes little cyclic garbage, and whatever it made is collected later. What the build made and
    its caller still holds (the linked archive; the preview server's cache) is then moved to the
    oldest generation at once (`freeze` and `unfreeze`: a splice of lists, nothing looked at), rather
    than looked through by the first young collection after the build: millions of objects, a
    third of a second of every rebuild of the preview server."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def build(content_dir, out_dir, include_drafts: bool = False, with_search: bool = True,
          templates: Path = TEMPLATES, noindex: bool = False, cache_dir: Path | None = None,
          use_cache: bool = True, timings: dict[str, float] | None = None,
          search_shard_pages: int = search.ARCHIVE_MEETINGS, cache: BuildCache | None = None,
          compiled: CompiledTemplates | None = None) -> Result:
    """Build the site; `timings`, when given, receives each stage's wall time in seconds.

    `cache`: a cache kept in memory from one build to the next (the preview server), which
    is then neither read nor written here: the caller saves it when it is done; `compiled`:
    the templates earlier builds of the same process compiled (the preview server's too)."""
    with collector_paused():
        timings = {} if timings is None else timings
        started = time.perf_counter()
        in_memory = cache is not None
        if cache is not None:
            if cache.settle is not None:  # the previous build's helper, deleting the site before it
                cache.settle()
                cache.settle = None
            cache.current = State()  # what a failed build left is not kept
            signature = code_signature(templates)
            if signature != cache.signature:  # templates edited while the preview runs
                cache.previous, cache.signature = State(), signature
        else:
            cache = (BuildCache.for_build(cache_dir or default_cache_dir(out_dir), content_dir, out_dir, templates)
                     if use_cache else BuildCache.disabled())
            # saved when the build ends (or not at all): its largest values wait on the disk, not in memory
            cache.spill(("renders", "markup", "rows"), Path(out_dir).resolve().parent)
        timings["read cache"] = time.perf_counter() - started
        read_peak = peak_memory_mb()
        result = _build(content_dir, out_dir, include_drafts, with_search, templates, noindex, cache,
                        timings, search_shard_pages, compiled)
        result.peaks["read cache"] = read_peak
        writer, result.writer = result.writer, None
        assert writer is not None
        started = time.perf_counter()
        if in_memory:
            # the preview server serves the new site while a helper deletes what it had to (no
            # spare kept, an aborted staging folder) or makes the next build's spare; the next
            # build waits for it first
            if result.written:
                writer.prepare_spare()
                cache.advance()
            cache.settle = writer.wait
        else:
            writer.wait()  # the records' change times are final once the previous site is deleted
            if result.written:
                cache.save()
        if result.written:
            timings["save cache"] = time.perf_counter() - started
            result.peaks["save cache"] = peak_memory_mb()
        return result


def _build(content_dir, out_dir, include_drafts, with_search, templates, noindex, cache,
           timings, search_shard_pages, compiled) -> Result:
    report = Report()
    result = Result(report)
    result.cache_notice = cache.ignored
    writer = Writer(out_dir, cache)
    result.writer = writer  # `build` waits for what it deletes in the background
    try:
        if writer.worth_linking():  # the previous site is linked into the staging folder while the content loads
            writer.start(content_dir)
        if _render(content_dir, out_dir, include_drafts, with_search, templates, noindex, cache, timings,
                   search_shard_pages, result, writer, compiled):
            result.written = True
            result.files_written, result.files_kept = writer.written, writer.kept
            return result
    except TemplateProblem as exc:
        report.error(exc.path, exc.line, exc.message)
    except (OutputConflict, UnsafeOutput, search.SearchIndexError) as exc:
        result.failure = str(exc)
    except OSError as exc:  # the disk is full, a name too long, a folder in use...
        exc.filename = writer.shown(exc.filename)
        result.failure = plain_os_error(exc, f"writing the site into {Path(out_dir)}/")
    finally:
        if not result.written:
            writer.abort()
    return result


def _render(content_dir, out_dir, include_drafts, with_search, templates, noindex, cache, timings,
            search_shard_pages, result: Result, writer: Writer, compiled: CompiledTemplates | None) -> bool:
    """Load, link, render and write; False when the content's problems stop the build."""
    clock = time.perf_counter()
    report = result.report

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = now - clock
        result.peaks[stage] = peak_memory_mb()
        clock = now

    archive = load_archive(content_dir, report, cache)
    lap("load")
    if archive is not None and not include_drafts:
        leave_out_broken_drafts(content_dir, archive, report)
    if archive is None or report.errors:
        return False
    linked = link(archive, report, include_drafts=include_drafts, cache=cache)
    result.linked = linked
    if not include_drafts:  # what linking found wrong in a draft (its approved_on) does not stop the rest
        leave_out_broken_drafts(content_dir, archive, report)
    lap("link")
    if report.errors:
        return False
    history = read_history(content_dir, cache, branch=archive.site.repository_branch)
    if history.notice and not history.available:  # from git; a build without it says so once
        result.notices.append(f"note: the pages show no history of the minutes: {history.notice}.")
    elif history.notice:
        result.notices.append(f"note: {history.notice}.")
    if history.skipped:
        result.notices.append(f"note: the history leaves out {len(history.skipped)} commit"
                              f"{'' if len(history.skipped) == 1 else 's'} git could not read: "
                              + "; ".join(history.skipped[:5]) + ("; …" if len(history.skipped) > 5 else "") + ".")
    lap("history")
    shards = search.layout({year: len(meetings) for year, meetings in linked.by_year.items()}, search_shard_pages)
    writer.start(content_dir)
    page_years = search.page_years(linked)
    indexing: list[search.Indexing] = []  # begun once the pages it indexes are written
    try:
        render_site(linked, writer, templates, shards, history, cache, compiled,
                    searched=(lambda: indexing.append(search.start_indexing(writer, shards, page_years)))
                    if with_search else None)
        linked.forget_made()  # the pages are made: what they asked for is not held while the site is indexed
        notice = admin.write(writer, linked.archive.site)  # the clerks' editing screen
        if notice:
            result.notices.append(notice)
        if noindex:
            writer.add("_headers", NOINDEX_HEADERS)
        lap("render and write")
        # what is left of the search index to wait for (it began once its pages were written)
        writer.commit((lambda staging: setattr(result, "search_index", indexing[0].finish()))
                      if with_search else None)
    except BaseException:
        for begun in indexing:  # Pagefind is not left writing into a staging folder being deleted
            begun.abandon()
        raise
    lap("search index")
    return True


DRAFT_STATUS_RE = re.compile(r"^status:[ \t]*(['\"]?)draft\1[ \t]*(?:#.*)?$", re.MULTILINE)


def declared_draft(data: bytes) -> bool:
    """Whether a meeting file says `status: draft`, read from its text: a file with errors may not
    have been read as a meeting at all."""
    text = data.decode("utf-8", "replace").replace("\r\n", "\n")
    if not text.startswith("---"):
        return False
    end = text.find("\n---", 3)
    return bool(DRAFT_STATUS_RE.search(text[:end if end >= 0 else len(text)]))


def leave_out_broken_drafts(content_dir, archive, report: Report) -> None:
    """A draft is not published, so its mistakes must not stop the rest of the archive publishing:
    in a build without drafts, the errors of a draft meeting's file become warnings and the draft
    is left out. `check`, `--drafts` builds and `serve` still treat them as errors."""
    root = Path(content_dir)
    shown_root = root.resolve().name or str(root)
    broken: dict[str, int] = {}
    for problem in report.errors:
        parts = problem.path.split("/")
        if len(parts) != 4 or parts[0] != shown_root or parts[1] != "meetings" or not parts[3].endswith(".md"):
            continue
        if problem.path not in broken:
            try:
                is_draft = declared_draft((root / "/".join(parts[1:])).read_bytes())
            except OSError:
                is_draft = False
            broken[problem.path] = 0 if is_draft else -1
        if broken[problem.path] >= 0:
            broken[problem.path] += 1
    drafts = {path: count for path, count in broken.items() if count > 0}
    if not drafts:
        return
    kept = []
    for problem in report.problems:
        if problem.path in drafts and problem.severity == ERROR:
            problem = dataclasses.replace(problem, severity=WARNING)
        kept.append(problem)
    for path, count in sorted(drafts.items()):
        kept.append(Problem(path, 1, f"left out: draft with errors ({count} error{'' if count == 1 else 's'})",
                            "the draft is not published, so the rest of the site is; `python build.py check` "
                            "shows its errors", WARNING))
    report.problems[:] = kept
    archive.meetings[:] = [m for m in archive.meetings if m.source.path not in drafts]
