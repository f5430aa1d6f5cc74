"""What loaders of every content type share: lists of blocks, Markdown texts, and
references to other files (a committee, a portfolio) reported once when unknown.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..fields import SLUG_MAX, SLUG_RE, Fields, describe, slugify
from ..models import Text
from ..problems import did_you_mean
from ..yamlio import YamlMap
from .files import FileReader

SOURCE_URL_RE = re.compile(r"^https?://[^\s/]+\S*$", re.IGNORECASE)


class References(FileReader):
    def known(self, f: Fields, key: str, known: dict, folder: str, required: bool = False,
              example: str | None = None) -> str | None:
        """A slug naming a committee or portfolio file, reported when there is no such file."""
        slug = f.slug(key, required=required, example=example)
        if slug is None or slug in known:
            return slug
        if self.worktree is not None and (self.worktree / folder / f"{slug}.yml").is_file():
            self.report.error(f.path, f.line(key), f"{self.shown_root}/{folder}/{slug}.yml is not committed: "
                              f"git add {self.worktree_prefix}{folder}/{slug}.yml",
                              "the file is on your computer but not in this commit")
        elif slug not in self.broken[folder]:  # a broken file has been reported already
            self.report.error(f.path, f.line(key), f"unknown {key} `{slug}`",
                              did_you_mean(slug, known, folder) or f"add a file for it in content/{folder}/")
        return None

    def slug_of_file(self, path: Path) -> str | None:
        if not SLUG_RE.match(path.stem):
            self.report.error(self.shown(path), 1,
                              f"the file name `{path.name}` must be a plain lower-case slug "
                              "(letters a-z, digits, hyphens)",
                              f"rename it to {slugify(path.stem)}.yml" if slugify(path.stem) else None)
            return None
        if len(path.stem) > SLUG_MAX:
            self.report.error(self.shown(path), 1, f"the file name is {len(path.stem)} characters long before `.yml`; "
                              f"at most {SLUG_MAX}", "shorten it: it becomes part of page addresses")
            return None
        return path.stem

    def entries(self, f: Fields, key: str, shown: str, required: bool = False):
        """Yield each block of keys in a list, reporting entries that are not blocks."""
        values = f.items(key, required=required)
        if values is None:
            return
        if required and not values:
            self.report.error(shown, f.line(key), f"`{key}` is empty: at least one entry is needed")
        for value, line in zip(values, values.lines, strict=False):
            if isinstance(value, YamlMap):
                yield value, line
            else:
                self.report.error(shown, line, f"each entry of `{key}` must be a block of keys, not {describe(value)}",
                                  f"see the format of `{key}` in the README")

    def markdown_text(self, f: Fields, key: str) -> Text | None:
        value = f.text(key)
        return None if value is None else Text(value, f.line(key))

    def source_url(self, f: Fields, shown: str) -> str | None:
        """`source:`, the page of the system a meeting or item was imported from: a web address, nothing else."""
        url = f.text("source")
        if url and not SOURCE_URL_RE.match(url):
            self.report.error(shown, f.line("source"),
                              f"`source` must be a web address starting with https://, not `{url}`",
                              "it is where this was imported from, e.g. https://democracy.example.gov.uk/ieListDocuments.aspx?MId=1")
            return None
        return url
