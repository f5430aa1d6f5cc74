"""Indicator values as downloads: CSV (RFC 4180) and JSON, byte-identical across builds.

- CSV: UTF-8 *without* a byte order mark, CRLF line endings, a header row, fields
  quoted only when they need it (csv.QUOTE_MINIMAL). No BOM because a BOM ends up in
  the first column's name for most programs that read CSV (Python's csv, R, most
  command-line tools); current Excel opens UTF-8 through Data > From Text/CSV.
- Numbers are written as plain decimals without units or thousands separators:
  48.0 as `48`, 48.25 as `48.25` (the shortest text that reads back as the same number).
  A missing figure is an empty field.
- JSON: sorted keys, UTF-8 (`ensure_ascii=False`), two-space indent, a final newline.
"""
from __future__ import annotations

import csv
import io

from . import indicators, urls
from .models import Indicator
from .opendata import dumps

COLUMNS = ("code", "title", "unit", "polarity", "period", "target", "actual", "rag", "note")


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
    files = [(urls.indicators_csv(), None, lambda: values_csv(ordered))]
    for indicator in ordered:
        files.append((urls.indicator_csv(indicator.code), indicator.code, lambda i=indicator: values_csv([i])))
        files.append((urls.indicator_json(indicator.code), indicator.code,
                      lambda i=indicator: indicator_json(i, linked, absolute)))
    for code in [i.code for i in ordered] + list(linked.undefined):
        files.append((urls.indicator_feed(code), code, lambda c=code: feeds.indicator_feed(linked, c, meeting_title, dates)))
    return files
