"""Indicator values as downloads: CSV (RFC 4180) and JSON, byte-identical across builds.

- CSV: UTF-8 with a byte order mark, CRLF line endings, a header row, fields quoted
  only when they need it (csv.QUOTE_MINIMAL). The byte order mark is what makes Excel,
  opened by double-click, read the file as UTF-8 (without it, names with accents are
  garbled); Python (`utf-8-sig`), R and pandas skip it, and the data package says so.
- Each column is described once, in COLUMNS: the /data/ page's column dictionary and
  the Frictionless Data Package (datapackage.json) are made from it.
- Numbers are written as plain decimals without units or thousands separators:
  48.0 as `48`, 48.25 as `48.25` (the shortest text that reads back as the same number).
  A missing figure is an empty field.
- JSON: sorted keys, UTF-8 (`ensure_ascii=False`), two-space indent, a final newline.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable
from functools import partial
from typing import Any

from . import indicators, urls
from .codes import indicator_slug
from .models import DEFAULT_LICENCE_URL, Indicator
from .pages.base import dumps

BOM = "\ufeff"
# (name, Table Schema type, what it holds, allowed values or None)
COLUMN_DICTIONARY = (
    ("code", "string", "The indicator's code, e.g. CFSE.29.", None),
    ("title", "string", "What the indicator measures.", None),
    ("unit", "string", "The unit of `target` and `actual` (e.g. %), empty when none is given.", None),
    ("polarity", "string", "Whether a higher or a lower figure is better.",
     ("higher-is-better", "lower-is-better", "none")),
    ("period", "string", "The period the figures are for, as the council writes it (e.g. 2020/21 Q2).", None),
    ("target", "number", "The target for the period; empty when none was set.", None),
    ("actual", "number", "The figure achieved in the period; empty when not yet known.", None),
    ("rag", "string", "The council's red/amber/green rating of the period; empty when none was given.",
     ("red", "amber", "green")),
    ("note", "string", "The council's note on the period's figures.", None),
)
COLUMNS = tuple(name for name, *_ in COLUMN_DICTIONARY)


def number(value: float | None):
    """A figure for the downloads: an int when whole, else the float; None stays None."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def number_text(value: float | None) -> str:
    value = number(value)
    return "" if value is None else repr(value)


def rows(indicator: Indicator) -> list[list[str]]:
    return [[indicator.code, indicator.title, indicator.unit or "", indicator.polarity, value.period,
             number_text(value.target), number_text(value.actual), value.rag or "", value.note or ""]
            for value in indicator.values]


def values_csv(selected: list[Indicator]) -> bytes:
    """One row per value of each indicator, in the order given (indicators without values have no rows)."""
    buffer = io.StringIO(newline="")
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    for indicator in selected:
        writer.writerows(rows(indicator))
    return buffer.getvalue().encode("utf-8")


def indicator_json(indicator: Indicator, linked, absolute) -> bytes:
    """One indicator: its definition, values, direction of travel and mentions in the minutes."""
    site = linked.archive.site
    travel = indicators.direction(indicator.values, indicator.polarity)
    data = {
        "code": indicator.code,
        "title": indicator.title,
        "url": absolute(urls.indicator(indicator.code)),
        "csv": absolute(urls.indicator_csv(indicator.code)),
        "feed": absolute(urls.indicator_feed(indicator.code)),
        "portfolio": indicator.portfolio,
        "priority": indicator.priority,
        "unit": indicator.unit,
        "polarity": indicator.polarity,
        "aliases": list(indicator.aliases),
        "description": indicator.description.markdown if indicator.description else None,
        "values": [{"period": v.period, "target": number(v.target), "actual": number(v.actual), "rag": v.rag,
                    "rag_by_rule": indicators.expected_rag(v, indicator.polarity, site.rag_rule), "note": v.note}
                   for v in indicator.values],
        "direction": None if travel is None else {
            "word": travel.word, "from": travel.previous.period, "to": travel.latest.period,
            "change": number(travel.change)},
        "mentions": [{
            "date": m.meeting.date.isoformat(),
            "committee": m.meeting.committee,
            "item": m.item.number if m.item else None,
            "item_title": m.item.title if m.item else None,
            "url": absolute(urls.mention(m.meeting, m.item)),
            "written": m.written,
            "sentence": m.sentence,
        } for m in linked.mentions.get(indicator.code, [])],
    }
    return dumps(data)


def indicator_files(linked, ordered: list[Indicator], meeting_title, dates=None):
    """(URL, code, make) of every indicator download and feed: the all-values CSV (code None),
    each indicator's CSV and JSON, and an Atom feed for each code with a page (defined, or
    mentioned but undefined). `make()` gives the bytes: an unchanged file is not made again."""
    from . import feeds
    site = linked.archive.site
    absolute = lambda url: urls.absolute(site.base_url, url)  # noqa: E731
    files: list[tuple[str, str | None, Callable[[], bytes]]] = [
        (urls.indicators_csv(), None, partial(values_csv, ordered))]
    for indicator in ordered:
        files.append((urls.indicator_csv(indicator.code), indicator.code, partial(values_csv, [indicator])))
        files.append((urls.indicator_json(indicator.code), indicator.code,
                      partial(indicator_json, indicator, linked, absolute)))
    for code in [i.code for i in ordered] + list(linked.undefined):
        files.append((urls.indicator_feed(code), code,
                      partial(feeds.indicator_feed, linked, code, meeting_title, dates)))
    return files


def table_schema() -> dict:
    """The Frictionless Table Schema of every values CSV."""
    fields = []
    for name, kind, about, allowed in COLUMN_DICTIONARY:
        field: dict[str, Any] = {"name": name, "type": kind, "description": about}
        if allowed:
            field["constraints"] = {"enum": list(allowed)}
        if name in ("code", "title", "polarity", "period"):
            field.setdefault("constraints", {})["required"] = True
        fields.append(field)
    return {"fields": fields, "missingValues": [""]}


def datapackage(linked, ordered: list[Indicator]) -> bytes:
    """A Frictionless Data Package (https://datapackage.org) describing every CSV of the site.
    It sits at the site's root, so each resource's path is the CSV's own address without the
    leading slash: the same in the published site and in the bulk download."""
    site = linked.archive.site
    schema = table_schema()
    dialect = {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": "\"", "header": True}

    def resource(name: str, url: str, title: str) -> dict:
        return {"name": name, "path": url.lstrip("/"), "title": title, "profile": "tabular-data-resource",
                "format": "csv", "mediatype": "text/csv", "encoding": "utf-8-sig", "dialect": dialect,
                "schema": schema}

    resources = [resource("indicator-values", urls.indicators_csv(), "Every value of every performance indicator")]
    resources += [resource("indicator-" + indicator_slug(i.code), urls.indicator_csv(i.code),
                           f"{i.code}: {i.title}") for i in ordered]
    package = {
        "profile": "tabular-data-package",
        "name": "council-minutes-indicators",
        "title": f"{site.organisation}: performance indicators quoted in committee minutes",
        "description": f"The values of the performance indicators in the {site.title}, one CSV for all and one per "
                       f"indicator. Documentation: {urls.absolute(site.base_url, urls.data())}",
        "homepage": urls.absolute(site.base_url, urls.data()),
        "publisher": site.organisation,
        "resources": resources,
    }
    if site.licence:
        package["licenses"] = [{"title": site.licence, **({"path": site.licence_url} if site.licence_url else {}),
                                **({"name": "OGL-UK-3.0"} if site.licence_url == DEFAULT_LICENCE_URL else {})}]
    return dumps(package)
