"""What every page kind shares: breadcrumbs, the context every template is given, the kinds of
output a page kind yields, JSON as the site writes it, and the one place an output meets the
writer and the cache (`apply`).

A page kind (a module beside this one) has `outputs(site)`, which yields, in order:
- `Page`: a URL, its template and a function giving its typed context (a dataclass whose
  fields are the template's variables), made only when the page is not kept;
- `File`: a URL and a function giving its bytes (JSON, CSV, a feed, a calendar);
- `Streamed`: a URL and a function writing its bytes into a file (a large one);
- `Batch`: many outputs made the same way (a meeting's page and data), one job each, which
  forked workers make when there are enough of them.
Each says what it is made from (`inputs`, a digest: the same digest as the previous build's
keeps the previous file) and what its searchable text is made from (`search_inputs`).
Outputs are applied as they are yielded, so a later output may read what an earlier one wrote
(the bulk download, the sitemap). A kind also says whether it makes pages the search indexes
(`SEARCHED`): the search index begins once the last of those kinds is done, while the others are
made, and the writer refuses such a page after that.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import orjson
from markupsafe import Markup

from .. import urls

STATUS_WORDS = {"draft": "Draft minutes", "unconfirmed": "Unconfirmed minutes", "approved": "Approved minutes",
                "agenda": "Agenda", "cancelled": "Cancelled", "postponed": "Postponed"}


@dataclass
class Crumb:
    title: str
    url: str | None = None


def home_crumb() -> Crumb:
    return Crumb("Home", urls.home())


JSON_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS


def dumps(value) -> bytes:
    """The one way JSON files are written: byte-identical for the same data."""
    # orjson writes exactly what json.dumps(ensure_ascii=False, sort_keys=True, indent=2)
    # does, about eight times faster: the standard library falls back to pure Python
    # whenever it indents, and the per-meeting files are a large part of a build. The newline
    # is orjson's too: appended after, it would copy the bytes (the indicators' JSON of a large
    # archive is tens of megabytes, made while its data is still in memory).
    return orjson.dumps(value, option=JSON_OPTIONS | orjson.OPT_APPEND_NEWLINE)


@dataclass(kw_only=True)
class PageContext:
    """The variables base.html (every page) reads; each page kind's context adds its own."""
    title: str
    breadcrumbs: list[Crumb] = field(default_factory=list)
    description: str | None = None  # None: the site's description
    search_kind: str | None = None  # a page the search indexes, with this kind
    search_filters: dict[str, str] = field(default_factory=dict)
    search_sort: str | None = None
    search_meta: dict[str, str] = field(default_factory=dict)  # shown with a search result: the meeting's date, status
    feeds: list[tuple[str, str]] = field(default_factory=list)
    structured_data: Markup | None = None  # schema.org JSON-LD, already made safe by opendata.script_json
    canonical: str | None = None  # None: the page's own address; a moved meeting's old address names the new one
    noindex: bool = False  # a page search engines should drop (a tombstone, a moved address)

    def variables(self, url: str, site_description: str) -> dict[str, Any]:
        """The template's variables: the fields (not copied: `dataclasses.asdict` would copy
        every meeting a page lists), with the defaults that depend on the page and the site."""
        found = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        found["url"] = url
        if found["description"] is None:
            found["description"] = site_description
        if found["canonical"] is None:
            found["canonical"] = url
        return found


@dataclass
class Page:
    url: str
    template: str
    context: Callable[[], PageContext]  # called only when the page is made
    inputs: str | None = None  # None: always made
    search_inputs: str | Callable[[], str] | None = None  # a function: asked for only when the page is made


@dataclass
class File:
    url: str
    make: Callable[[], bytes | bytearray | memoryview]  # called only when made
    inputs: str | None = None  # None: always made


@dataclass
class Streamed:
    """A large file (the bulk download, the bulk JSON): `write(stream)`, called only when it is
    made, writes its bytes into the binary file it is given, so it is never whole in memory."""
    url: str
    write: Callable[[BinaryIO], object]
    inputs: str | None = None  # None: always made


Output = Page | File | Streamed


@dataclass
class Batch:
    """`outputs(job)` for every job: a job whose outputs are all kept is not made again; the
    others are made by forked workers when `parallel(those jobs)` says it is worth it, each
    after `prepare(job)` (what the worker also makes for later outputs: a meeting's event)."""
    jobs: list
    outputs: Callable[[Any], Iterable[Output]]
    parallel: Callable[[list], bool] = lambda jobs: False
    prepare: Callable[[Any], object] | None = None


def apply(writer, output: Output, render: Callable[[Page], bytes | bytearray] | None = None, keep: bool = True,
          make: bool = True) -> bool:
    """The renderer's cache policy, in one place: keep the previous build's file when it was made
    from the same `inputs` (and is unchanged on disk), else make it (a page with `render`) and
    write it. `make=False`: only keep, and say whether it was kept (a batch's outputs, made
    later by a worker); `keep=False`: known not to be kept (checked before, in the main process)."""
    path = urls.output_path(output.url)
    if keep and output.inputs is not None and writer.reuse(path, output.inputs):
        return True
    if not make:
        return False
    if isinstance(output, Streamed):
        writer.add_streamed(path, output.write, output.inputs)
    elif isinstance(output, File):
        writer.add(path, output.make(), output.inputs)
    else:
        assert render is not None, "a page is made by the renderer"
        search = output.search_inputs
        writer.add(path, render(output), output.inputs, search() if callable(search) else search)
    return True
