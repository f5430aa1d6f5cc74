"""Stage 3: render every page of the site contract through Jinja templates.

Produces a mapping of output path -> bytes; nothing is written here (that is
`writer.py`'s job). Content values reach templates only as data, autoescaped;
Markdown arrives as HTML that `markdown.py` rendered with raw HTML disabled.
"""
from __future__ import annotations

import multiprocessing
import re
from collections import ChainMap, defaultdict
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from . import changes, charts, downloads, feeds, ical, opendata, safefiles, safetext, sitemap, urls
from .cache import BuildCache, digest
from .indicators import view as indicator_view
from .linking import PARALLEL_THRESHOLD, Linked, workers
from .models import History, Indicator, Meeting
from .wording import format_number, long_date, natural_key, report_of, weekday_date
from .writer import Writer

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
ASSETS = Path(__file__).resolve().parent.parent / "assets"
HOME_MEETINGS = 10

RAG_WORDS = {"red": "Red – off target", "amber": "Amber – slightly off target", "green": "Green – on target"}
STATUS_WORDS = {"draft": "Draft minutes", "unconfirmed": "Unconfirmed minutes", "approved": "Approved minutes",
                "agenda": "Agenda", "cancelled": "Cancelled", "postponed": "Postponed"}
POLARITY_WORDS = {"higher-is-better": "Higher is better", "lower-is-better": "Lower is better",
                  "none": "Neither higher nor lower is better"}


class TemplateProblem(Exception):
    def __init__(self, path: str, line: int, message: str):
        super().__init__(message)
        self.path, self.line, self.message = path, line, message

    def __reduce__(self):  # raised in a worker, it reaches the build whole
        return TemplateProblem, (self.path, self.line, self.message)


# Rendering each meeting's files and the indicator pages is most of a cold build;
# forked workers share it (see SiteRenderer.in_workers).
_WORKER: dict = {}
PARALLEL_MENTIONS = 20_000  # indicator pages are rendered by workers when they list this many mentions


def _work_chunk(indexes: range):
    renderer, method, jobs = _WORKER["renderer"], _WORKER["method"], _WORKER["jobs"]
    writer = renderer.writer
    before, written, kept = set(writer.records), writer.written, writer.kept
    for index in indexes:
        getattr(renderer, method)(*jobs[index])
    records = {key: record for key, record in writer.records.items() if key not in before}
    events = dict(renderer.events)
    renderer.events.clear()
    for key in records:  # this worker's copy of the writer forgets them: the next chunk reports its own
        del writer.records[key]
    return records, writer.written - written, writer.kept - kept, events


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


def _without_controls(value):
    """Every printed value, control characters removed: content files are checked for them on
    loading, but text from elsewhere (a commit message) reaches pages and feeds too."""
    if isinstance(value, str) and safetext.CONTROL_RE.search(value):
        return type(value)(safetext.strip_controls(value))
    return value


def make_environment(templates: Path = TEMPLATES) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,  # every template, HTML and XML alike
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_without_controls,
    )
    env.filters.update(long_date=long_date, weekday_date=weekday_date, number=format_number,
                       isodate=lambda d: d.isoformat(), time_tag=time_tag, search_label=search_label)
    env.globals.update(urls=urls, RAG_WORDS=RAG_WORDS, STATUS_WORDS=STATUS_WORDS, POLARITY_WORDS=POLARITY_WORDS)
    return env


def brief(meeting: Meeting | None) -> tuple | None:
    """What a page shows of another meeting it links to (the pager, an approval): its date,
    committee and whether it is a draft; for the incremental build's inputs."""
    return (meeting.slug, meeting.status) if meeting else None


@dataclass
class Crumb:
    title: str
    url: str | None = None


class SiteRenderer:
    def __init__(self, linked: Linked, writer: Writer, templates: Path = TEMPLATES, shards: list | None = None,
                 history: History | None = None, cache: BuildCache | None = None):
        self.linked = linked
        self.writer = writer
        self.cache = cache or BuildCache.disabled()
        self._mention_inputs: dict[str, str] = {}
        self.merged_search_bundles = [urls.search_bundle(shard.name) for shard in (shards or [])[:-1]]
        self.archive = linked.archive
        self.site = linked.archive.site
        self.env = make_environment(templates)
        self.env.globals.update(
            site=self.site,
            committees=self.archive.committees,
            absolute=lambda url: urls.absolute(self.site.base_url, url),
            committee_name=lambda slug: self.archive.committees[slug].name,
            meeting_title=self.meeting_title,
            portfolio_name=lambda slug: self.archive.portfolios[slug].name,
            report_of=report_of,
            years=sorted(linked.by_year, reverse=True),
        )
        self.indicators = sorted(self.archive.indicators.values(), key=lambda i: natural_key(i.code))
        self.history_pages = changes.HistoryPages(self.site, history)  # the history of the record, from git
        self.open_data = opendata.OpenData(linked, self.meeting_title, self.last_changed)
        self.events = self.cache.current.events  # calendar events made by this build, by their inputs
        self.history_pages = changes.HistoryPages(self.site, history)  # the history of the record, from git
        self.calendars = ical.Calendars(linked, self.meeting_title, ChainMap(self.events, self.cache.previous.events),
                                        self.events, key=lambda m: self.inputs("event", linked.fingerprints[m.slug],
                                                                               self.history_pages.stamps(m)),
                                        stamps=self.history_pages.stamps)
        self.tombstones = self.history_pages.tombstones(self.archive)  # withdrawn minutes that keep a page
        self.unlisted: set[str] = set()  # pages left out of the sitemap: tombstones, moved minutes' old addresses
        found = self.history_pages.history
        self.feed_dates = feeds.Dates(self.history_pages.stamps, found.latest if found.available else None,
                                      self.tombstones, linked.meetings)

    # -- helpers for templates ------------------------------------------------

    def meeting_title(self, meeting: Meeting) -> str:
        return f"{self.archive.committees[meeting.committee].name}, {long_date(meeting.date)}"

    def last_changed(self, meeting: Meeting):
        """When git last changed the meeting's published file, or None without a history."""
        found = self.history_pages.history.of(changes.meeting_path(meeting))
        last = found.last_changed if found else None
        return last.date if last else None

    def inputs(self, *parts) -> str:
        """The digest of what a page is made from: these parts, the settings (site, committees,
        portfolios, indicators) and the generator's code and templates (the cache's own key)."""
        return digest(self.linked.settings_key, parts)

    def meeting_inputs(self, meeting: Meeting) -> str:
        """What a meeting's page, data and event depend on besides the meeting itself: its
        neighbours, the meeting that approved it, its items' issues' names and its history."""
        linked = self.linked
        return self.inputs("meeting", linked.fingerprints[meeting.slug], brief(linked.previous.get(meeting.slug)),
                           brief(linked.next.get(meeting.slug)), brief(linked.approved_by.get(meeting.slug)),
                           [linked.issue_titles[item.issue] for item in meeting.items if item.issue],
                           self.history_pages.meeting_view(meeting))

    def items_inputs(self, kind: str, key, entries) -> str:
        """For a page made of items from many meetings."""
        return self.inputs(kind, key, [(self.linked.fingerprints[m.slug], item.number) for m, item in entries])

    def committee_inputs(self, slug: str) -> str:
        """For a committee's page, calendar and feed (whose dates come from the history, and which
        lists the committee's withdrawn minutes)."""
        meetings = self.linked.by_committee.get(slug, [])
        return self.inputs("committee", slug, [self.linked.fingerprints[m.slug] for m in meetings],
                           self.history_inputs(meetings, [t for t in self.tombstones if t.committee == slug]))

    def history_inputs(self, meetings, tombstones=()) -> tuple:
        """What a feed or calendar takes from the history: each meeting's dates and number of changes,
        the withdrawn minutes it lists, and (for a feed without entries) the archive's latest change."""
        return ([self.history_pages.stamps(m) for m in meetings], [(t.url, t.history) for t in tombstones],
                None if meetings or tombstones else self.feed_dates.empty)

    def made(self, url: str, inputs: str | None, make, search_inputs: str | None = None) -> None:
        """Add the file at `url`: kept from the previous build when made from the same `inputs`,
        else made by `make()`. `search_inputs`: what its searchable text is made from, which
        lets the search index's shard be kept. Without `inputs`, always made."""
        path = urls.output_path(url)
        if inputs is None or not self.writer.reuse(path, inputs):
            self.writer.add(path, make(), inputs, search_inputs)

    def page(self, url: str, template: str, inputs: str | None = None, search_inputs: str | None = None,
             **context) -> None:
        """A page, rendered unless kept from the previous build (see `made`)."""
        self.made(url, inputs, lambda: self.render_page(url, template, context), search_inputs)

    def render_page(self, url: str, template: str, context: dict) -> bytes:
        context.setdefault("url", url)
        context.setdefault("breadcrumbs", [])
        context.setdefault("description", self.site.description or f"Minutes of {self.site.organisation} meetings")
        context.setdefault("search_kind", None)
        context.setdefault("search_filters", {})
        context.setdefault("search_sort", None)
        context.setdefault("search_meta", {})  # shown with a search result: the meeting's date and status
        context.setdefault("feeds", [])
        context.setdefault("structured_data", None)  # schema.org JSON-LD, already made safe by opendata.script_json
        context.setdefault("canonical", url)  # a moved meeting's old address names the new one
        context.setdefault("noindex", False)  # a page search engines should drop (a tombstone, a moved address)
        try:
            text = self.env.get_template(template).render(**context)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateProblem(f"templates/{exc.name or template}", exc.lineno or 1, exc.message or str(exc)) from None
        except jinja2.TemplateError as exc:
            raise TemplateProblem(f"templates/{template}", 1, f"{type(exc).__name__}: {exc}") from None
        return text.encode("utf-8")

    # -- pages ----------------------------------------------------------------

    def render_all(self) -> None:
        self.render_home()
        self.render_meetings()
        self.render_committees()
        self.render_indicators()
        self.render_portfolios()
        self.render_issues()
        self.render_decisions()
        self.render_static_pages()
        self.writer.add(urls.output_path(urls.feed()), feeds.site_feed(self.linked, self.meeting_title, self.feed_dates))
        opendata.render(self)  # calendars, committee and issue feeds, JSON, the /data/ page
        changes.render(self)  # /changes/ and its feed
        for asset in sorted(ASSETS.iterdir()):
            if asset.is_file():
                self.writer.add(urls.output_path(urls.asset(asset.name)), asset.read_bytes())
        sitemap.render(self)  # last: it lists every page rendered above

    def render_home(self) -> None:
        meetings = list(reversed(self.linked.meetings))[:HOME_MEETINGS]
        self.page(urls.home(), "home.html", title=self.site.title, latest=meetings,
                  indicators=self.indicators,
                  undefined=self.linked.undefined, feeds=[("New minutes", urls.feed())],
                  structured_data=Markup(self.open_data.website_json_ld()))

    def render_meetings(self) -> None:
        linked = self.linked
        home = Crumb("Home", urls.home())
        meetings_crumb = Crumb("Meetings", urls.meetings_index())
        self.page(urls.meetings_index(), "meetings_index.html", title="Meetings by year",
                  breadcrumbs=[home], by_year=linked.by_year)
        for year, meetings in linked.by_year.items():
            inputs = self.inputs("year", year, sorted(linked.by_year), [linked.fingerprints[m.slug] for m in meetings])
            months: dict[str, list[Meeting]] = defaultdict(list)
            for meeting in meetings:
                months[f"{meeting.date:%B %Y}"].append(meeting)
            self.page(urls.year(year), "year.html", inputs, title=f"Meetings in {year}", year=year,
                      months=list(months.items()), count=len(meetings), breadcrumbs=[home, meetings_crumb])
        todo = []
        for meeting in linked.meetings:
            self.copy_documents(meeting)
            inputs = self.meeting_inputs(meeting)
            page = self.writer.reuse(urls.output_path(urls.meeting(meeting)), inputs)
            data = self.writer.reuse(urls.output_path(urls.meeting_json(meeting)), inputs)
            if not (page and data):
                todo.append((meeting, inputs, page, data))
        self.in_workers("render_meeting", todo, len(todo) >= PARALLEL_THRESHOLD)

    def in_workers(self, method: str, jobs: list, worth_it: bool) -> None:
        """`self.method(*job)` for every job; when `worth_it`, in forked workers, each writing its
        files through its copy of the writer and reporting back what it wrote."""
        if not (worth_it and workers() > 1):
            for job in jobs:
                getattr(self, method)(*job)
            return
        _WORKER.update(renderer=self, method=method, jobs=jobs)
        try:
            size = max(1, min(100, len(jobs) // (4 * workers())))
            chunks = [range(start, min(start + size, len(jobs))) for start in range(0, len(jobs), size)]
            with multiprocessing.get_context("fork").Pool(workers()) as pool:
                for records, written, kept, events in pool.imap(_work_chunk, chunks):
                    self.writer.adopt(records, written, kept)
                    self.events.update(events)
        finally:
            _WORKER.clear()

    def render_meeting(self, meeting: Meeting, inputs: str, page_kept: bool, data_kept: bool) -> None:
        """A meeting's page, its open data and its calendar event (unless kept from the previous build)."""
        linked = self.linked
        if not data_kept:
            self.writer.add(urls.output_path(urls.meeting_json(meeting)), opendata.dumps(self.open_data.meeting(meeting)),
                            inputs)
        self.calendars.event_bytes(meeting)
        if not page_kept:
            home, meetings_crumb = Crumb("Home", urls.home()), Crumb("Meetings", urls.meetings_index())
            committee = self.archive.committees[meeting.committee]
            # the pager and the history are not searched: the searchable text is the meeting's own
            search_inputs = self.inputs("meeting search", linked.fingerprints[meeting.slug],
                                        brief(linked.approved_by.get(meeting.slug)))
            self.page(
                urls.meeting(meeting), "meeting.html", inputs, search_inputs, meeting=meeting,
                title=self.meeting_title(meeting) + (" (Draft)" if meeting.status == "draft" else ""),  # tab, search
                committee=committee, items=[(item, linked.items[(meeting.slug, item.number)]) for item in meeting.items],
                preamble=Markup(linked.preambles[meeting.slug]) if meeting.slug in linked.preambles else None,
                previous=linked.previous.get(meeting.slug), next=linked.next.get(meeting.slug),
                approved_by=linked.approved_by.get(meeting.slug), indicators=self.archive.indicators,
                description=f"Minutes of the {committee.name} meeting of {long_date(meeting.date)}: "
                            + "; ".join(item.title for item in meeting.items)[:250],
                breadcrumbs=[home, meetings_crumb, Crumb(str(meeting.year), urls.year(meeting.year))],
                search_kind="Meeting", search_sort=meeting.date.isoformat(),
                search_meta={"date": meeting.date.isoformat(), "status": STATUS_WORDS.get(meeting.status, "")},
                search_filters={"committee": committee.name, "year": str(meeting.year)},
                structured_data=Markup(self.open_data.json_ld(meeting)),
                history=self.history_pages.meeting_view(meeting),
            )

    def copy_documents(self, meeting: Meeting) -> None:
        for item in meeting.items:
            for document in item.documents:
                if document.file:
                    source = Path(self.archive.document_files[f"{meeting.documents_dir}/{document.file}"])
                    path = urls.output_path(urls.document(meeting, document.file))
                    stat = source.stat()  # a document is kept when its size and time are the same (as git does)
                    inputs = digest("document", str(source), stat.st_size, stat.st_mtime_ns)
                    if not self.writer.reuse(path, inputs):
                        with safefiles.open_regular(source) as file:  # never through a link swapped in since loading
                            self.writer.add(path, file.read(), inputs)

    def render_committees(self) -> None:
        home = Crumb("Home", urls.home())
        self.page(urls.committees(), "committees_index.html", title="Committees", breadcrumbs=[home],
                  by_committee=self.linked.by_committee)
        for slug, committee in sorted(self.archive.committees.items()):
            meetings = self.linked.by_committee.get(slug, [])
            years: dict[int, list[Meeting]] = defaultdict(list)
            for meeting in meetings:
                years[meeting.year].append(meeting)
            description = self.linked.descriptions.get(("committee", slug))
            self.page(urls.committee(slug), "committee.html", self.committee_inputs(slug), self.inputs("committee search", slug),
                      title=committee.name, committee=committee,
                      meetings=meetings, years=list(years.items()),
                      description_html=Markup(description) if description else None,
                      breadcrumbs=[home, Crumb("Committees", urls.committees())],
                      search_kind="Committee", search_filters={"committee": committee.name},
                      structured_data=Markup(self.open_data.committee_json_ld(slug)),
                      calendar=opendata.subscribe_links(self.site, committee.name, urls.committee_calendar(slug),
                                                        f"{committee.name} meetings"),
                      feeds=[(f"{committee.name}: new minutes", urls.committee_feed(slug))])

    def render_indicators(self) -> None:
        home = Crumb("Home", urls.home())
        groups = []  # (portfolio or None, [(priority or None, [indicators])])
        by_portfolio: dict[str | None, list[Indicator]] = defaultdict(list)
        for indicator in self.indicators:
            by_portfolio[indicator.portfolio].append(indicator)
        for slug in sorted(by_portfolio, key=lambda s: (s is None, self.archive.portfolios[s].name if s else "")):
            portfolio = self.archive.portfolios.get(slug) if slug else None
            by_priority: dict[int | None, list[Indicator]] = defaultdict(list)
            for indicator in by_portfolio[slug]:
                by_priority[indicator.priority].append(indicator)
            priorities = [(portfolio.priority(number) if portfolio and number is not None else None, members)
                          for number, members in sorted(by_priority.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))]
            groups.append((portfolio, priorities))
        self.views = {i.code: indicator_view(i, self.site.rag_rule) for i in self.indicators}
        self.page(urls.indicators(), "indicators_index.html", title="Performance indicators", breadcrumbs=[home],
                  groups=groups, undefined=self.linked.undefined, mentions=self.linked.mentions,
                  views=self.views, sparklines={i.code: charts.sparkline(i) for i in self.indicators},
                  all_csv=urls.indicators_csv())
        todo = [(code,) for code in [i.code for i in self.indicators] + self.linked.undefined
                if not self.writer.reuse(urls.output_path(urls.indicator(code)), self.mention_inputs(code))]
        mentions = sum(len(self.linked.mentions.get(code, [])) for code, in todo)
        self.in_workers("render_indicator", todo, mentions >= PARALLEL_MENTIONS)
        for url, code, make in downloads.indicator_files(self.linked, self.indicators, self.meeting_title, self.feed_dates):
            inputs = self.mention_inputs(code) if code else None
            if inputs and url == urls.indicator_feed(code):  # its entries are dated by the history
                meetings = list({r.meeting.slug: r.meeting for r in self.linked.mentions.get(code, [])}.values())
                inputs = self.inputs("indicator feed", inputs, self.history_inputs(meetings))
            self.made(url, inputs, make)

    def render_indicator(self, code: str) -> None:
        """An indicator's page; a code mentioned but not defined has one too."""
        inputs, rule = self.mention_inputs(code), self.site.rag_rule
        crumbs = [Crumb("Home", urls.home()), Crumb("Indicators", urls.indicators())]
        indicator = self.archive.indicators.get(code)
        if indicator is not None:
            portfolio = self.archive.portfolios.get(indicator.portfolio) if indicator.portfolio else None
            description = self.linked.descriptions.get(("indicator", indicator.code))
            self.page(urls.indicator(indicator.code), "indicator.html", inputs, self.inputs("indicator search", indicator.code),
                      title=f"{indicator.code}: {indicator.title}",
                      indicator=indicator, code=indicator.code, portfolio=portfolio,
                      priority=portfolio.priority(indicator.priority) if portfolio else None,
                      description_html=Markup(description) if description else None,
                      mentions=self.linked.mentions.get(indicator.code, []), breadcrumbs=crumbs,
                      description=f"Performance indicator {indicator.code}: {indicator.title}",
                      search_kind="Indicator", view=self.views[indicator.code], rule=rule,
                      chart=charts.line_chart(indicator, format_number), legend=charts.legend(indicator),
                      downloads=[("CSV", urls.indicator_csv(indicator.code)), ("JSON", urls.indicator_json(indicator.code))],
                      feed_url=urls.indicator_feed(indicator.code),
                      feeds=[(f"{indicator.code}: mentions in the minutes", urls.indicator_feed(indicator.code))])
        else:
            self.page(urls.indicator(code), "indicator.html", inputs, self.inputs("indicator search", code),
                      title=f"{code}: not yet defined", indicator=None,
                      code=code, portfolio=None, priority=None, description_html=None,
                      mentions=self.linked.mentions.get(code, []), breadcrumbs=crumbs,
                      description=f"Indicator {code} is mentioned in the minutes but not yet defined in this archive",
                      search_kind="Indicator", view=None, rule=rule, chart=None, legend=[], downloads=[],
                      feed_url=urls.indicator_feed(code), feeds=[(f"{code}: mentions in the minutes", urls.indicator_feed(code))])

    def mention_inputs(self, code: str) -> str:
        """An indicator page's inputs: the indicator (in the settings) and the items that mention it."""
        if code not in self._mention_inputs:  # asked for by the page, its CSV, JSON and feed
            self._mention_inputs[code] = self._inputs_of_mentions(code)
        return self._mention_inputs[code]

    def _inputs_of_mentions(self, code: str) -> str:
        # what a mention shows (page, JSON, feed), not the whole meeting: editing other parts of
        # a meeting that mentions it leaves an indicator's page as it was
        return self.inputs("indicator", code, [
            (r.meeting.slug, r.meeting.status, r.meeting.time, r.item and (r.item.number, r.item.title),
             r.sentence, r.written) for r in self.linked.mentions.get(code, [])])

    def render_portfolios(self) -> None:
        home = Crumb("Home", urls.home())
        self.page(urls.portfolios(), "portfolios_index.html", title="Portfolios", breadcrumbs=[home],
                  portfolios=sorted(self.archive.portfolios.values(), key=lambda p: p.name))
        items_of: dict[str, list] = defaultdict(list)
        for meeting in reversed(self.linked.meetings):
            for item in meeting.items:
                if item.portfolio:
                    items_of[item.portfolio].append((meeting, item))
        for slug, portfolio in sorted(self.archive.portfolios.items()):
            indicators = [i for i in self.indicators if i.portfolio == slug]
            items = items_of[slug]
            # what the page shows of each item
            inputs = self.inputs("portfolio", slug, [(m.slug, m.status, i.number, i.title) for m, i in items])
            description = self.linked.descriptions.get(("portfolio", slug))
            self.page(urls.portfolio(slug), "portfolio.html", inputs, self.inputs("portfolio search", slug),
                      title=f"{portfolio.name} portfolio", portfolio=portfolio,
                      by_priority={p.number: [i for i in indicators if i.priority == p.number] for p in portfolio.priorities},
                      unprioritised=[i for i in indicators if i.priority is None], items=items,
                      description_html=Markup(description) if description else None,
                      breadcrumbs=[home, Crumb("Portfolios", urls.portfolios())], search_kind="Portfolio")

    def render_issues(self) -> None:
        home = Crumb("Home", urls.home())
        titled = self.linked.issue_titles
        self.page(urls.issues(), "issues_index.html", title="Issues", breadcrumbs=[home],
                  issues=[(slug, titled[slug], entries) for slug, entries in
                          sorted(self.linked.issues.items(), key=lambda kv: titled[kv[0]].lower())])
        for slug, entries in self.linked.issues.items():
            self.page(urls.issue(slug), "issue.html", self.items_inputs("issue", slug, entries), title=titled[slug], slug=slug, entries=entries,
                      item_html=self.linked.items, breadcrumbs=[home, Crumb("Issues", urls.issues())],
                      description_html=Markup(self.linked.descriptions[("issue", slug)])
                      if ("issue", slug) in self.linked.descriptions else None,
                      description=f"Every meeting that considered {titled[slug]}", search_kind="Issue history",
                      feeds=[(f"{titled[slug]}: meetings and decisions", urls.issue_feed(slug))])

    def render_decisions(self) -> None:
        home = Crumb("Home", urls.home())
        pages = urls.decision_pages(self.linked.decisions)
        for number, chunk in enumerate(pages, start=1):
            inputs = self.items_inputs("decisions", (number, len(pages), len(self.linked.decisions)), chunk)
            self.page(urls.decisions(number), "decisions.html", inputs,
                      title="Decisions register" + (f" (page {number} of {len(pages)})" if number > 1 else ""),
                      decisions=[(m, i, self.linked.items[(m.slug, i.number)]) for m, i in chunk],
                      page_number=number, pages=len(pages), total=len(self.linked.decisions),
                      breadcrumbs=[home] if number == 1 else [home, Crumb("Decisions register", urls.decisions())])

    def render_static_pages(self) -> None:
        home = Crumb("Home", urls.home())
        linked, archive = self.linked, self.archive
        kinds = [kind for kind, present in (("Meeting", linked.meetings), ("Issue history", linked.issues),
                                           ("Indicator", archive.indicators or linked.undefined),
                                           ("Committee", True), ("Portfolio", archive.portfolios)) if present]
        # the filters a search offers, as search_filters and search_kind set them on each page
        filters = [("committee", "Committee", sorted({c.name for c in archive.committees.values()}, key=str.lower)),
                   ("year", "Year", [str(year) for year in sorted(linked.by_year, reverse=True)]),
                   ("kind", "Kind of page", kinds)]
        self.page(urls.search(), "search.html", title="Search the minutes", breadcrumbs=[home],
                  merge_index=self.merged_search_bundles, filters=filters)
        self.page(urls.accessibility(), "accessibility.html", title="Accessibility statement", breadcrumbs=[home])
        self.page(urls.not_found(), "404.html", title="Page not found")


def render_site(linked: Linked, writer: Writer, templates: Path = TEMPLATES, shards: list | None = None,
                history: History | None = None, cache: BuildCache | None = None) -> None:
    """Render every page into `writer`; `shards` are the search index's (search.layout), the last the main one;
    `history` is what git says of each meeting file."""
    SiteRenderer(linked, writer, templates, shards, history, cache).render_all()

