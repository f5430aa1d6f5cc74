"""The portfolios index and each portfolio's page: its priorities, indicators and items."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from markupsafe import Markup

from .. import urls
from ..models import Indicator, Portfolio
from .base import Crumb, Output, Page, PageContext, home_crumb
from .site import Site


@dataclass(kw_only=True)
class PortfoliosIndexContext(PageContext):
    portfolios: list[Portfolio]


@dataclass(kw_only=True)
class PortfolioContext(PageContext):
    portfolio: Portfolio
    by_priority: dict[int, list[Indicator]]
    unprioritised: list[Indicator]
    items: list
    description_html: Markup | None


SEARCHED = True  # it makes pages the search indexes (urls.searchable)


def outputs(site: Site) -> Iterator[Output]:
    home = home_crumb()
    yield Page(urls.portfolios(), "portfolios_index.html", lambda: PortfoliosIndexContext(
        title="Portfolios", breadcrumbs=[home],
        portfolios=sorted(site.archive.portfolios.values(), key=lambda p: p.name)), site.inputs("portfolios"))
    items_of: dict[str, list] = defaultdict(list)
    for meeting in reversed(site.linked.meetings):
        for item in meeting.items:
            if item.portfolio:
                items_of[item.portfolio].append((meeting, item))
    for slug in sorted(site.archive.portfolios):
        items = items_of[slug]
        # what the page shows of each item
        inputs = site.inputs("portfolio", slug, [(m.slug, m.status, i.number, i.title) for m, i in items])
        yield Page(urls.portfolio(slug), "portfolio.html", partial(portfolio_context, site, slug, items),
                   inputs, site.inputs("portfolio search", slug))


def portfolio_context(site: Site, slug: str, items: list) -> PortfolioContext:
    portfolio = site.archive.portfolios[slug]
    indicators = [i for i in site.indicators if i.portfolio == slug]
    description = site.linked.descriptions.get(("portfolio", slug))
    return PortfolioContext(
        title=f"{portfolio.name} portfolio", portfolio=portfolio,
        by_priority={p.number: [i for i in indicators if i.priority == p.number] for p in portfolio.priorities},
        unprioritised=[i for i in indicators if i.priority is None], items=items,
        description_html=Markup(description) if description else None,
        breadcrumbs=[home_crumb(), Crumb("Portfolios", urls.portfolios())], search_kind="Portfolio")
