"""The indicators index, each indicator's page (a code mentioned but not defined has one too)
and its downloads: the all-values CSV, each indicator's CSV and JSON, and its feed of mentions."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from markupsafe import Markup

from .. import charts, downloads, urls
from ..indicators import view as indicator_view
from ..models import Indicator, Portfolio
from ..wording import format_number
from .base import Batch, Crumb, File, Output, Page, PageContext, home_crumb
from .site import Site

PARALLEL_MENTIONS = 20_000  # indicator pages are rendered by workers when they list this many mentions


@dataclass(kw_only=True)
class IndicatorsIndexContext(PageContext):
    groups: list  # (portfolio or None, [(priority or None, [indicators])])
    undefined: list[str]
    mention_counts: dict[str, int]  # code -> how many times the minutes mention it
    views: dict
    sparklines: dict
    all_csv: str


@dataclass(kw_only=True)
class IndicatorContext(PageContext):
    indicator: Indicator | None
    code: str
    portfolio: Portfolio | None
    priority: object
    description_html: Markup | None
    mentions: list
    view: object
    rule: object
    chart: object
    legend: list
    downloads: list[tuple[str, str]]
    feed_url: str


SEARCHED = True  # it makes pages the search indexes (urls.searchable)


def outputs(site: Site) -> Iterator[Output | Batch]:
    archive, linked = site.archive, site.linked
    groups = []  # (portfolio or None, [(priority or None, [indicators])])
    by_portfolio: dict[str | None, list[Indicator]] = defaultdict(list)
    for indicator in site.indicators:
        by_portfolio[indicator.portfolio].append(indicator)
    for slug in sorted(by_portfolio, key=lambda s: (s is None, archive.portfolios[s].name if s else "")):
        portfolio = archive.portfolios.get(slug) if slug else None
        by_priority: dict[int | None, list[Indicator]] = defaultdict(list)
        for indicator in by_portfolio[slug]:
            by_priority[indicator.priority].append(indicator)
        priorities = [(portfolio.priority(number) if portfolio and number is not None else None, members)
                      for number, members in sorted(by_priority.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))]
        groups.append((portfolio, priorities))
    views = LazyViews(site)  # each indicator's table and chart, made only for the pages made
    yield Page(urls.indicators(), "indicators_index.html", lambda: IndicatorsIndexContext(
        title="Performance indicators", breadcrumbs=[home_crumb()], groups=groups, undefined=linked.undefined,
        mention_counts={code: linked.mentions.count(code) for code in linked.mentions}, views=views.all(),
        sparklines={i.code: charts.sparkline(i) for i in site.indicators},
        all_csv=urls.indicators_csv()),
        # the indicators, portfolios and rating rule are settings: what else it shows is how often each is mentioned
        site.inputs("indicators index", [(code, linked.mentions.count(code)) for code in linked.mentions],
                    linked.undefined))

    def worth_it(codes: list[str]) -> bool:
        return sum(linked.mentions.count(code) for code in codes) >= PARALLEL_MENTIONS

    yield Batch([i.code for i in site.indicators] + linked.undefined,
                lambda code: [indicator_page(site, code, views)], parallel=worth_it)
    for url, code, make in downloads.indicator_files(linked, site.indicators, site.meeting_title, site.feed_dates):
        inputs = site.mention_inputs(code) if code else None
        if inputs and url == urls.indicator_feed(code):  # its entries are dated by the history
            inputs = site.inputs("indicator feed", inputs, site.history_inputs(linked.mentions.meetings(code)))
        yield File(url, make, inputs)


class LazyViews:
    """Each indicator's view (indicator_view), made the first time a page asks for it."""

    def __init__(self, site: Site):
        self.site = site
        self.made: dict[str, object] = {}

    def __getitem__(self, code: str):
        if code not in self.made:
            self.made[code] = indicator_view(self.site.archive.indicators[code], self.site.site.rag_rule)
        return self.made[code]

    def all(self) -> dict:
        return {i.code: self[i.code] for i in self.site.indicators}


def indicator_page(site: Site, code: str, views: LazyViews) -> Page:
    """An indicator's page; a code mentioned but not defined has one too."""
    return Page(urls.indicator(code), "indicator.html", lambda: indicator_context(site, code, views),
                site.mention_inputs(code), site.inputs("indicator search", code))


def indicator_context(site: Site, code: str, views: LazyViews) -> IndicatorContext:
    rule = site.site.rag_rule
    crumbs = [home_crumb(), Crumb("Indicators", urls.indicators())]
    indicator = site.archive.indicators.get(code)
    if indicator is not None:
        portfolio = site.archive.portfolios.get(indicator.portfolio) if indicator.portfolio else None
        description = site.linked.descriptions.get(("indicator", indicator.code))
        return IndicatorContext(
            title=f"{indicator.code}: {indicator.title}",
            indicator=indicator, code=indicator.code, portfolio=portfolio,
            priority=portfolio.priority(indicator.priority) if portfolio else None,
            description_html=Markup(description) if description else None,
            mentions=site.linked.mentions.get(indicator.code, []), breadcrumbs=crumbs,
            description=f"Performance indicator {indicator.code}: {indicator.title}",
            search_kind="Indicator", view=views[indicator.code], rule=rule,
            chart=charts.line_chart(indicator, format_number), legend=charts.legend(indicator),
            downloads=[("CSV", urls.indicator_csv(indicator.code)), ("JSON", urls.indicator_json(indicator.code))],
            feed_url=urls.indicator_feed(indicator.code),
            feeds=[(f"{indicator.code}: mentions in the minutes", urls.indicator_feed(indicator.code))])
    return IndicatorContext(
        title=f"{code}: not yet defined", indicator=None,
        code=code, portfolio=None, priority=None, description_html=None,
        mentions=site.linked.mentions.get(code, []), breadcrumbs=crumbs,
        description=f"Indicator {code} is mentioned in the minutes but not yet defined in this archive",
        search_kind="Indicator", view=None, rule=rule, chart=None, legend=[], downloads=[],
        feed_url=urls.indicator_feed(code), feeds=[(f"{code}: mentions in the minutes", urls.indicator_feed(code))])
