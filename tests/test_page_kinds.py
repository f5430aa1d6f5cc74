"""Every page kind is a module of site_gen/pages/ listed in render.KINDS, and every page it yields
has a typed context that gives its template each variable the template reads; the pages the
search indexes are those urls.searchable names."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import jinja2.meta
import jinja2.nodes
from conftest import FIXTURE_CONTENT

from site_gen import pipeline, render, urls
from site_gen.pages.base import PageContext

PAGES = Path(render.__file__).resolve().parent / "pages"
SHARED = {"__init__", "base", "site"}  # the base module and the state every kind reads


def test_every_page_kind_module_is_rendered():
    modules = {path.stem for path in PAGES.glob("*.py")} - SHARED
    assert {kind.__name__.rpartition(".")[2] for kind in render.KINDS} == modules
    assert all(callable(getattr(kind, "outputs", None)) for kind in render.KINDS)


def test_every_page_has_a_typed_context_with_what_its_template_reads(tmp_path, monkeypatch):
    made: list[tuple[str, str, PageContext]] = []
    render_page = render.SiteRenderer.render_page

    def recording(self, page):
        made.append((page.url, page.template, page.context()))
        return render_page(self, page)

    monkeypatch.setattr(render.SiteRenderer, "render_page", recording)
    result = pipeline.build(FIXTURE_CONTENT, tmp_path / "_site", include_drafts=True, use_cache=False,
                            with_search=False)
    assert result.ok
    env = render.make_environment()
    env.globals.update(dict.fromkeys(("site", "committees", "absolute", "committee_name", "meeting_title",
                                      "portfolio_name", "report_of", "years")))  # the renderer's own

    def tree(name: str) -> list:
        """The template and those it extends, parsed (an included partial reads its includer's
        variables, loops' included, so it is not checked here)."""
        assert env.loader is not None
        ast = env.parse(env.loader.get_source(env, name)[0])
        parents = [node.template.value for node in ast.find_all(jinja2.nodes.Extends)
                   if isinstance(node.template, jinja2.nodes.Const)]
        return [ast] + [part for parent in parents for part in tree(parent)]

    def reads(name: str) -> set[str]:
        """What a template and those it extends read, less what they import (macros) or set."""
        parts = tree(name)
        found = {variable for ast in parts for variable in jinja2.meta.find_undeclared_variables(ast)}
        found -= {node.target for ast in parts for node in ast.find_all(jinja2.nodes.Import)}
        return found - {node.name for ast in parts for node in ast.find_all(jinja2.nodes.Name) if node.ctx == "store"}

    assert {"meeting", "items", "previous", "title", "breadcrumbs", "canonical"} <= reads("meeting.html")
    templates = {template for _, template, _ in made}
    assert {"meeting.html", "indicator.html", "committee.html", "data.html", "changes.html", "year.html",
            "decisions.html", "issue.html", "portfolio.html", "home.html", "search.html", "404.html"} <= templates
    for url, template, context in made:
        assert isinstance(context, PageContext) and dataclasses.is_dataclass(context), url
        given = {f.name for f in dataclasses.fields(context)} | {"url"}
        missing = reads(template) - given - set(env.globals) - set(env.filters)
        assert not missing, f"{url} ({template}, {type(context).__name__}) lacks {sorted(missing)}"
        if not context.noindex:  # the search shards its index by urls.searchable: it must agree with the pages
            assert (urls.searchable(urls.output_path(url)) is not None) == bool(context.search_kind), url
    assert any(context.search_kind for _, _, context in made) and any(not c.search_kind for _, _, c in made)
