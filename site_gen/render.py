"""Stage 3: render every page of the site contract through Jinja templates.

What the site holds is said by the page kinds (`site_gen/pages/`, listed in KINDS): each
yields its outputs (URL, template and context, or bytes; what they are made from). This
module only applies them: through the cache policy (`pages.base.apply`) into the writer
(`writer.py` writes the files), a batch's jobs in forked workers. Content values reach
templates only as data, autoescaped; Markdown arrives as HTML that `markdown.py` rendered
with raw HTML disabled.
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import jinja2
from markupsafe import Markup

from . import pool, safetext, urls
from .cache import BuildCache
from .linking import Linked
from .models import History
from .pages import assets, calendars, committees, decisions, indicators, issues, meetings, portfolios, static, years
from .pages import changes as changes_pages
from .pages import feeds as feeds_pages
from .pages import opendata as opendata_pages
from .pages import sitemap as sitemap_pages
from .pages.assets import ASSETS  # noqa: F401  (the preview server watches it)
from .pages.base import STATUS_WORDS, Batch, Page, apply
from .pages.site import Site
from .wording import format_number, long_date, report_of, weekday_date
from .writer import Writer

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

PIECES_AT_ONCE = 20_000  # of a page's text, joined and encoded together

RAG_WORDS = {"red": "Red – off target", "amber": "Amber – slightly off target", "green": "Green – on target"}
POLARITY_WORDS = {"higher-is-better": "Higher is better", "lower-is-better": "Lower is better",
                  "none": "Neither higher nor lower is better"}


class TemplateProblem(Exception):
    def __init__(self, path: str, line: int, message: str):
        super().__init__(message)
        self.path, self.line, self.message = path, line, message

    def __reduce__(self):  # raised in a worker, it reaches the build whole
        return TemplateProblem, (self.path, self.line, self.message)


def time_tag(value) -> Markup:
    """A date as readers see it, in a <time> that machines (and screen readers) can read."""
    return Markup('<time datetime="%s">%s</time>') % (value.isoformat(), long_date(value))


_MARKUP_CHARS = str.maketrans({"<": "\uff1c", ">": "\uff1e"})
_ENTITY_START_RE = re.compile(r"&(?=[#A-Za-z0-9])")


def search_label(value: str) -> str:
    """A search filter's value as Pagefind's UI will show it. That UI puts a filter's label
    into the page as HTML, after decoding entities in the value more than once, so no
    escaping survives: `<` and `>` become their full-width look-alikes, and an `&` that
    could start an entity (`&lt;`) a full-width ampersand. A lone `&` (Children & Families)
    is left alone, and real names never hold the others."""
    return _ENTITY_START_RE.sub("\uff06", str(value).translate(_MARKUP_CHARS))


class CompiledTemplates(jinja2.BytecodeCache):
    """The templates compiled by earlier builds of this process (the preview server, where
    compiling them took a fifth of a rebuild), each used only while its source is the same
    (Jinja checks a checksum of it). Kept in memory only: the cache folder holds data, never code."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if (code := self.compiled.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


def make_environment(templates: Path = TEMPLATES, compiled: CompiledTemplates | None = None) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,  # every template, HTML and XML alike
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # one environment per build: a template edited during it is not read again, so the
        # file need not be looked at each time it is included (an item, a row)
        auto_reload=False,
        bytecode_cache=compiled,
    )
    env.filters.update(long_date=long_date, weekday_date=weekday_date, number=format_number,
                       isodate=lambda d: d.isoformat(), time_tag=time_tag, search_label=search_label)
    env.globals.update(urls=urls, RAG_WORDS=RAG_WORDS, STATUS_WORDS=STATUS_WORDS, POLARITY_WORDS=POLARITY_WORDS)
    return env


def page_bytes(template: jinja2.Template, context: dict) -> bytearray:
    """The page `template` makes of `context`, in UTF-8, made a run of pieces at a time rather than
    joined whole (a page listing every agenda item of a portfolio is megabytes, its pieces as
    strings several times that). Every printed value is without control characters: content files
    are checked for them on loading, but text from elsewhere (a commit message) reaches pages too;
    the templates' own text has none (a test says so), so the page is cleaned, not every value."""
    pieces = template.generate(**context)
    out = bytearray()
    while run := list(itertools.islice(pieces, PIECES_AT_ONCE)):
        out += safetext.strip_controls("".join(run)).encode("utf-8")
    return out


class SiteRenderer:
    """Walks the page kinds (KINDS) and applies what each yields: through the cache policy
    (pages.base.apply) into the writer, a batch's jobs in forked workers when worth it."""

    def __init__(self, linked: Linked, writer: Writer, templates: Path = TEMPLATES, shards: list | None = None,
                 history: History | None = None, cache: BuildCache | None = None,
                 compiled: CompiledTemplates | None = None):
        self.writer = writer
        self.site = Site(linked, writer, shards, history, cache)
        self.events = self.site.events  # calendar events made by this build (workers report theirs)
        self.merged_search_bundles = self.site.merged_search_bundles
        archive = linked.archive
        self.site_description = archive.site.description or f"Minutes of {archive.site.organisation} meetings"
        self.env = make_environment(templates, compiled)
        # each page's context copies the globals, and Jinja's contexts are cycles (a macro keeps its
        # template's context): they name parts of the archive, never the archive (see `release`)
        committees, portfolios, base_url = archive.committees, archive.portfolios, archive.site.base_url
        self.env.globals.update(
            site=archive.site,
            committees=committees,
            absolute=lambda url: urls.absolute(base_url, url),
            committee_name=lambda slug: committees[slug].name,
            meeting_title=self.site.meeting_title,
            portfolio_name=lambda slug: portfolios[slug].name,
            report_of=report_of,
            years=sorted(linked.by_year, reverse=True),
        )

    def release(self) -> None:
        """Let go of the linked archive once the pages are made. The site's helpers refer back to
        the site (a calendar keeps its `meeting_title`), and Jinja's contexts, which copy the
        globals, are cycles too: cycles that only the cycle collector frees, holding the whole
        archive's links and indexes until it runs. After a build, with millions of new objects
        to look through, that took the preview server a third of a second and more at every
        rebuild; the site emptied here, they are freed at once."""
        self.site.release()

    def render_page(self, page: Page) -> bytearray:
        context = page.context().variables(page.url, self.site_description)
        try:
            return page_bytes(self.env.get_template(page.template), context)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateProblem(f"templates/{exc.name or page.template}", exc.lineno or 1,
                                  exc.message or str(exc)) from None
        except jinja2.TemplateError as exc:
            raise TemplateProblem(f"templates/{page.template}", 1, f"{type(exc).__name__}: {exc}") from None

    def render_all(self, searched: Callable[[], object] | None = None) -> None:
        """Every kind's outputs; `searched()` as soon as every page the search indexes is written
        (the kinds that make them say so: SEARCHED), so that it is indexed while the rest is made."""
        last_searched = max(number for number, kind in enumerate(KINDS) if kind.SEARCHED)
        for number, kind in enumerate(KINDS):
            for output in kind.outputs(self.site):
                if isinstance(output, Batch):
                    self.run_batch(output)
                else:
                    apply(self.writer, output, self.render_page)
            if number == last_searched and searched is not None:
                searched()

    def run_batch(self, batch: Batch) -> None:
        """Keep what can be kept here; make the rest, job by job, in workers when worth it."""
        todo = []
        for job in batch.jobs:
            pending = {output.url for output in batch.outputs(job)
                       if not apply(self.writer, output, self.render_page, make=False)}
            if pending:
                todo.append((job, pending))
        self.in_workers(batch, todo, batch.parallel([job for job, _ in todo]))

    def make_job(self, batch: Batch, job, pending: set[str]) -> None:
        if batch.prepare is not None:
            batch.prepare(job)
        for output in batch.outputs(job):
            if output.url in pending:
                apply(self.writer, output, self.render_page, keep=False)

    def in_workers(self, batch: Batch, jobs: list, worth_it: bool) -> None:
        """`make_job` for every job; when `worth_it`, in forked workers (the pool helper's), each
        writing its files through its copy of the writer and reporting back what it wrote."""
        if not worth_it:
            for job, pending in jobs:
                self.make_job(batch, job, pending)
            return
        size = max(1, min(100, len(jobs) // (4 * pool.workers())))
        for records, written, kept, events in pool.map_chunks(lambda part: self.make_chunk(batch, part), jobs,
                                                               size, fork=True):
            self.writer.adopt(records, written, kept)
            self.events.update(events)

    def make_chunk(self, batch: Batch, jobs: Sequence) -> tuple[dict, int, int, dict]:
        """`make_job` for each of `jobs`, then what it wrote handed back (and forgotten by this
        copy of the writer), so that the next chunk reports only its own; the same in the
        building process itself, where the pool makes no workers."""
        writer = self.writer
        records_before, events_before = set(writer.records), set(self.events)
        written, kept = writer.written, writer.kept
        for job, pending in jobs:
            self.make_job(batch, job, pending)
        records = {key: writer.records.pop(key) for key in list(writer.records) if key not in records_before}
        events = {key: value for key, value in self.events.items() if key not in events_before}
        made = writer.written - written, writer.kept - kept
        writer.written, writer.kept = written, kept
        return records, *made, events


# Every page kind, in the order its outputs are made: a kind may read what an earlier one wrote
# (the data page their sizes, the bulk download their bytes, the sitemap every page). The kinds
# whose pages the search is given come first (SEARCHED): it is indexed while the others are made.
KINDS = (static, years, meetings, committees, indicators, portfolios, issues, changes_pages, decisions, feeds_pages,
         calendars, opendata_pages, assets, sitemap_pages)


def render_site(linked: Linked, writer: Writer, templates: Path = TEMPLATES, shards: list | None = None,
                history: History | None = None, cache: BuildCache | None = None,
                compiled: CompiledTemplates | None = None, searched: Callable[[], object] | None = None) -> None:
    """Render every page into `writer`; `shards` are the search index's (search.layout), the last the main one;
    `history` is what git says of each meeting file; `compiled`: templates compiled by earlier builds;
    `searched()`: called once every page the search indexes is written."""
    renderer = SiteRenderer(linked, writer, templates, shards, history, cache, compiled)
    try:
        renderer.render_all(searched)
    finally:
        renderer.release()
