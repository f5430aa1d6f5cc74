"""sitemap.xml and robots.txt: last, since the sitemap lists every page rendered before it."""
from __future__ import annotations

from collections.abc import Iterator

from .. import urls
from ..cache import digest
from ..sitemap import build_robots, build_sitemap, lastmods, sitemap_entries
from .base import File, Output
from .site import Site

SEARCHED = False  # none of its pages is indexed by the search


def outputs(renderer: Site) -> Iterator[Output]:
    linked = renderer.linked
    base_url = linked.archive.site.base_url
    unlisted = frozenset(urls.output_path(url) for url in renderer.unlisted)
    entries = sitemap_entries(renderer.writer.paths(), lastmods(linked, renderer.history_pages.stamps), unlisted)
    yield File(urls.sitemap(), lambda: build_sitemap(entries, base_url), digest("sitemap", base_url, entries))
    preview = any(m.status == "draft" for m in linked.meetings)
    yield File(urls.robots(), lambda: build_robots(base_url, preview))
