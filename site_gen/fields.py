"""Typed reading of one YAML mapping, reporting every mistake at its line."""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from .problems import Report, did_you_mean
from .yamlio import YamlList, YamlMap, is_date

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TIME_RE = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")
# Slugs become folder and file names (with a date or `.ics` added); file systems stop at 255 bytes.
SLUG_MAX = 100
# Numbers a page, a URL or the JSON data carry: item and priority numbers are small counts,
# and a measurement beyond 10^15 is a typing mistake (and loses precision as a float).
INTEGER_MAX = 999_999
NUMBER_MAX = 1e15



@dataclass(frozen=True)
class Spec:
    """The keys one kind of YAML block may have, and how messages name that block ("a meeting").
    Loading checks every block against its spec (unknown keys are errors); the clerks' guide's
    field tables are tested against the same specs."""

    what: str
    keys: tuple[str, ...]


SITE = Spec("site.yml", ("title", "organisation", "base_url", "language", "description", "licence", "licence_url",
                         "rag_rule", "repository_url", "repository_branch", "short_name", "ocd_division_id"))
RAG_RULE = Spec("rag_rule", ("amber_tolerance", "amber_tolerance_in"))
COMMITTEE = Spec("a committee", ("name", "description"))
ISSUE = Spec("an issue", ("name", "description"))
PORTFOLIO = Spec("a portfolio", ("name", "description", "priorities"))
PRIORITY = Spec("a priority", ("number", "title"))
INDICATOR = Spec("an indicator", ("code", "title", "portfolio", "priority", "unit", "polarity", "aliases",
                                  "description", "values"))
INDICATOR_VALUE = Spec("an indicator value", ("period", "actual", "target", "rag", "note"))
MEETING = Spec("a meeting", ("committee", "date", "time", "venue", "status", "note", "approved_on", "attendees",
                             "items", "source"))
ATTENDEES = Spec("attendees", ("chair", "members", "apologies", "in_attendance"))
ITEM = Spec("an item", ("number", "title", "issue", "report_of", "summary", "recommendations", "contacts",
                        "documents", "portfolio", "decision", "source"))
CONTACT = Spec("a contact", ("name", "role", "email", "phone"))
DOCUMENT = Spec("a document", ("title", "file", "url", "size"))

_TYPE_NAMES = {
    bool: "true/false", int: "a whole number", float: "a number", str: "text",
    list: "a list", dict: "a block of keys", type(None): "nothing",
    datetime.date: "a date", datetime.datetime: "a date and time",
}


def describe(value) -> str:
    if isinstance(value, YamlMap):
        return "a block of keys"
    if isinstance(value, YamlList):
        return "a list"
    return _TYPE_NAMES.get(type(value), type(value).__name__)


class Fields:
    """Reads the keys of one mapping; unknown keys are reported once, up front."""

    def __init__(self, report: Report, path: str, mapping: YamlMap, spec: Spec):
        self.report = report
        self.path = path
        self.map = mapping
        self.what = what = spec.what
        allowed = spec.keys
        for key in mapping.key_lines:
            if key not in allowed:
                self.report.error(path, mapping.key_line(key), f"unknown key `{key}` in {what}",
                                  did_you_mean(key, allowed, "keys"))

    def line(self, key: str) -> int:
        return self.map.value_line(key)

    def key_line(self, key: str) -> int:
        return self.map.key_line(key)

    def has(self, key: str) -> bool:
        return key in self.map and self.map[key] is not None

    def _missing(self, key: str, required: bool, example: str | None) -> None:
        if key in self.map.key_lines and key not in self.map:
            return  # a value the YAML reader could not build, reported at its line already
        if required:
            if key in self.map.key_lines:
                self.report.error(self.path, self.key_line(key), f"`{key}` is empty in {self.what}",
                                  f"write it as `{key}: {example}`" if example else None)
            else:
                self.report.error(self.path, self.map.line, f"{self.what} has no `{key}` (it is required)",
                                  f"add `{key}: {example}`" if example else None)

    def _wrong(self, key: str, expected: str, hint: str | None = None) -> None:
        self.report.error(self.path, self.line(key),
                          f"`{key}` must be {expected}, not {describe(self.map[key])}", hint)

    def text(self, key: str, required: bool = False, example: str | None = None) -> str | None:
        if not self.has(key):
            self._missing(key, required, example)
            return None
        value = self.map[key]
        if isinstance(value, str):
            if not value.strip():
                self._missing(key, required, example)
                return None
            return value.strip()
        if isinstance(value, bool):
            self._wrong(key, "text", f'YAML reads `{self.map.raw.get(key)}` as true/false: put it in quotes')
            return None
        if isinstance(value, (int, float, datetime.date)) and key in self.map.raw:
            return self.map.raw[key].strip()  # e.g. a title that is just a number: keep it as written
        self._wrong(key, "text")
        return None

    def one_line(self, key: str, required: bool = False, example: str | None = None) -> str | None:
        """A name or title: text on one line (it becomes a calendar's name, a feed's title, a tab's title)."""
        value = self.text(key, required, example)
        if value is not None and "\n" in value:
            self.report.error(self.path, self.line(key), f"`{key}` must be on one line",
                              "write it without line breaks (and without `|` or `\\n`)")
            return None
        return value

    def slug(self, key: str, required: bool = False, example: str | None = None) -> str | None:
        value = self.text(key, required, example)
        if value is not None and not SLUG_RE.match(value):
            self.report.error(self.path, self.line(key),
                              f"`{key}` must be a plain lower-case slug (letters a-z, digits, hyphens), not `{value}`",
                              f"for example `{slugify(value)}`" if slugify(value) else None)
            return None
        if value is not None and len(value) > SLUG_MAX:
            self.report.error(self.path, self.line(key),
                              f"`{key}` is {len(value)} characters long; a slug has at most {SLUG_MAX}",
                              "shorten it: it becomes part of the page's address")
            return None
        return value

    def integer(self, key: str, required: bool = False, example: str | None = None) -> int | None:
        if not self.has(key):
            self._missing(key, required, example)
            return None
        value = self.map[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self._wrong(key, "a whole number")
            return None
        if abs(value) > INTEGER_MAX:
            self.report.error(self.path, self.line(key), f"`{key}` is too large: at most {INTEGER_MAX:,}".replace(",",
                                                                                                                  " "),
                              "check the number for a typing mistake")
            return None
        return value

    def number(self, key: str) -> float | None:
        if not self.has(key):
            return None
        value = self.map[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            hint = None
            if isinstance(value, str) and value.strip().rstrip("%").strip():
                hint = "write the number alone, e.g. 48.5 (the unit goes in the indicator's `unit`)"
            self._wrong(key, "a number", hint)
            return None
        if not (abs(value) <= NUMBER_MAX):  # also NaN, and .inf
            self.report.error(self.path, self.line(key),
                              f"`{key}` must be a number no larger than 10^15, not `{self.map.raw.get(key, value)}`",
                              "write the figure itself, e.g. 48.5")
            return None
        return float(value)

    def date(self, key: str, required: bool = False) -> datetime.date | None:
        if not self.has(key):
            if key in self.map.key_lines and key not in self.map:
                return None  # an impossible date, already reported by the YAML reader
            self._missing(key, required, "YYYY-MM-DD")
            return None
        value = self.map[key]
        if not is_date(value):
            self._wrong(key, "a date written as YYYY-MM-DD", "for example 2021-01-27, without quotes")
            return None
        return value

    def time(self, key: str) -> str | None:
        if not self.has(key):
            return None
        raw = self.map.raw.get(key, "")
        value = self.map[key]
        text = value if isinstance(value, str) else raw  # YAML 1.1 reads 18:00 as 1080
        match = TIME_RE.match(text.strip()) if isinstance(text, str) else None
        if not match:
            self.report.error(self.path, self.line(key), f"`{key}` must be a 24-hour time like \"18:00\", not `{raw}`",
                              'write it in quotes: time: "18:00"')
            return None
        return f"{int(match.group(1)):02d}:{match.group(2)}"

    def choice(self, key: str, choices: tuple[str, ...], default: str | None = None) -> str | None:
        if not self.has(key):
            return default
        value = self.map[key]
        if not isinstance(value, str) or value.strip().lower() not in choices:
            shown = self.map.raw.get(key, describe(value))
            self.report.error(self.path, self.line(key),
                              f"`{key}` must be one of {', '.join(choices)}; `{shown}` is not",
                              did_you_mean(str(shown).lower(), choices))
            return None
        return value.strip().lower()

    def mapping(self, key: str, required: bool = False) -> YamlMap | None:
        if not self.has(key):
            self._missing(key, required, None)
            return None
        value = self.map[key]
        if not isinstance(value, YamlMap):
            self._wrong(key, "a block of keys")
            return None
        return value

    def items(self, key: str, required: bool = False) -> YamlList | None:
        if not self.has(key):
            self._missing(key, required, None)
            return None
        value = self.map[key]
        if not isinstance(value, YamlList):
            self._wrong(key, "a list", f"write each entry on its own line starting with `- ` under `{key}:`")
            return None
        return value

    def text_list(self, key: str) -> tuple[tuple[str, int], ...]:
        """A list of texts, each with its line."""
        values = self.items(key)
        if values is None:
            return ()
        result = []
        for value, line, raw in zip(values, values.lines, values.raw, strict=False):
            if isinstance(value, str) and value.strip():
                result.append((value.strip(), line))
            elif isinstance(value, (int, float)) and not isinstance(value, bool) and raw is not None:
                result.append((raw.strip(), line))
            else:
                self.report.error(self.path, line, f"each entry of `{key}` must be text, not {describe(value)}",
                                  "a text containing `: ` must be in quotes" if isinstance(value, YamlMap) else None)
        return tuple(result)


def slugify(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))
