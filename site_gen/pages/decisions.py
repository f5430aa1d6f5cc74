"""The decisions register: every decision, newest first, in pages."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from .. import urls
from ..linking import MarkupStore
from .base import Crumb, Output, Page, PageContext, home_crumb
from .site import Site


@dataclass(kw_only=True)
class DecisionsContext(PageContext):
    decisions: list  # (meeting, item)
    item_html: MarkupStore  # (meeting slug, item number) -> its rendered text
    page_number: int
    pages: int
    total: int


SEARCHED = False  # none of its pages is indexed by the search


def outputs(site: Site) -> Iterator[Output]:
    linked = site.linked
    pages = urls.decision_pages(linked.decisions)
    for number, chunk in enumerate(pages, start=1):
        inputs = site.items_inputs("decisions", (number, len(pages), len(linked.decisions)), chunk)
        yield Page(urls.decisions(number), "decisions.html",
                   partial(decisions_context, site, number, len(pages), chunk), inputs)


def decisions_context(site: Site, number: int, pages: int, chunk: list) -> DecisionsContext:
    linked = site.linked
    home = home_crumb()
    return DecisionsContext(
        title="Decisions register" + (f" (page {number} of {pages})" if number > 1 else ""),
        # the store, not each item's HTML: what a page's context holds outlives the page until the
        # cycle collector runs, which it does not while the site is built
        decisions=chunk, item_html=linked.items,
        page_number=number, pages=pages, total=len(linked.decisions),
        breadcrumbs=[home] if number == 1 else [home, Crumb("Decisions register", urls.decisions())])
