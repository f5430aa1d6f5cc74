"""indicators/: one performance indicator a file, its values, and codes and aliases that
name one indicator each.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path

from .. import fields, safefiles
from ..cache import digest
from ..codes import code_key, indicator_slug
from ..fields import Fields
from ..models import POLARITIES, RAGS, Archive, Indicator, IndicatorValue, Source
from ..problems import Problem, Report
from .references import References

INDICATOR_CODE_RE = re.compile(r"^[A-Za-z0-9]+(?:[. -][A-Za-z0-9]+)*$")
# an indicator code names its page and data files
CODE_MAX = 40


class IndicatorLoader(References):
    def load_indicators(self, archive: Archive, paths: list[Path]) -> None:
        """Every indicator file (`paths`): as the last build loaded it from the same bytes and portfolios (the
        cache's "indicators" stage: a large archive's hundred files, each parsed again at every
        build, were a tenth of a rebuild), or loaded now."""
        portfolios = sorted((shown, sha) for shown, sha in self.fingerprints.items()
                            if shown.startswith(f"{self.shown_root}/portfolios/"))
        # what loading an indicator depends on besides its own file: the portfolios it may name
        context = digest(str(self.root), self.shown_root, portfolios, sorted(archive.portfolios),
                         sorted(self.broken["portfolios"]), self.worktree_prefix,
                         self.worktree and sorted(p.name for p in (self.worktree / "portfolios").glob("*.yml")))
        previous = self.cache.previous.indicators
        keyed: dict[str, tuple[Path, bytes | None]] = {}
        for path in paths:
            shown = self.shown(path)
            try:
                sha, key, data = self.keyed_read(path, shown, previous, (context,), safefiles.YAML_FILE_LIMIT)
            except (OSError, safefiles.UnsafeFile):
                self.read_bytes(path)  # reports what cannot be read
                continue
            self.fingerprints[shown] = sha  # in the settings, whether read now or not
            keyed[key] = (path, data)

        def load_missing(missing: list[str]) -> dict[str, tuple[Indicator | None, list[Problem]]]:
            return {key: self.indicator_alone(*keyed[key], archive) for key in missing}

        for indicator in self.cache.memo_many("indicators", list(keyed), load_missing, self.report).values():
            if indicator is not None:
                archive.indicators[indicator.code] = indicator

    def indicator_alone(self, path: Path, data: bytes | None, archive: Archive) -> tuple[Indicator | None,
                                                                                          list[Problem]]:
        """One indicator file loaded with a report of its own (kept with it by the cache)."""
        loader = copy.copy(self)
        loader.report = Report()
        return loader.load_indicator(path, archive, data), loader.report.problems

    def load_indicator(self, path: Path, archive: Archive, data_read: bytes | None = None) -> Indicator | None:
        shown = self.shown(path)
        text = self.read_text(path, data_read)
        data = self.read_yaml(path, text) if text is not None else None
        if data is None:
            return None
        f = Fields(self.report, shown, data, fields.INDICATOR)
        code = f.text("code", required=True, example=path.stem)
        if code is not None:
            if code != path.stem:
                self.report.error(shown, f.line("code"), f"the code `{code}` differs from the file name `{path.name}`",
                                  f"rename the file to {code}.yml or correct the code")
                code = None
            elif not INDICATOR_CODE_RE.match(code):
                self.report.error(shown, f.line("code"), f"`{code}` is not a usable indicator code",
                                  "use letters and digits, separated by `.`, `-` or a space, e.g. CFSE.29")
                code = None
            elif len(code) > CODE_MAX:
                self.report.error(shown, f.line("code"), f"the code is {len(code)} characters long; at most {CODE_MAX}")
                code = None
        title = f.one_line("title", required=True, example="Percentage of ...")
        portfolio = self.known(f, "portfolio", archive.portfolios, "portfolios")
        priority = f.integer("priority")
        if priority is not None:
            if not f.has("portfolio"):
                self.report.error(shown, f.line("priority"), "`priority` needs a `portfolio` to belong to")
                priority = None
            elif portfolio and archive.portfolios[portfolio].priority(priority) is None:
                known = [str(p.number) for p in archive.portfolios[portfolio].priorities]
                self.report.error(shown, f.line("priority"), f"portfolio `{portfolio}` has no priority {priority}",
                                  f"its priorities are {', '.join(known)}" if known
                                  else "list them in the portfolio's file")
                priority = None
        unit = f.text("unit")
        polarity = f.choice("polarity", POLARITIES, default="none")
        aliases: list[str] = []
        alias_lines: list[int] = []
        for alias, line in f.text_list("aliases"):
            if not INDICATOR_CODE_RE.match(alias):
                self.report.error(shown, line, f"the alias `{alias}` is not a usable indicator code")
                continue
            aliases.append(alias)
            alias_lines.append(line)
        values = self.load_values(f, shown)
        if code is None or title is None:
            return None
        return Indicator(code=code, title=title, portfolio=portfolio, priority=priority, unit=unit,
                         polarity=polarity or "none", aliases=tuple(aliases),
                         description=self.markdown_text(f, "description"), values=values,
                         source=Source(shown, 1), alias_lines=tuple(alias_lines))

    def load_values(self, f: Fields, shown: str) -> tuple[IndicatorValue, ...]:
        values: list[IndicatorValue] = []
        periods: dict[str, int] = {}
        for entry, line in self.entries(f, "values", shown):
            vf = Fields(self.report, shown, entry, fields.INDICATOR_VALUE)
            period = vf.text("period", required=True, example="2020/21 Q2")
            actual = vf.number("actual")
            target = vf.number("target")
            rag = vf.choice("rag", RAGS)
            note = vf.text("note")
            if period is None:
                continue
            if period in periods:
                self.report.error(shown, vf.line("period"),
                                  f"the period `{period}` is listed twice (first at line {periods[period]})")
                continue
            periods[period] = vf.line("period")
            values.append(IndicatorValue(period, actual, target, rag, note, line))
        return tuple(values)

    def check_codes_unique(self, archive: Archive) -> None:
        """Codes and aliases must name one indicator each, whatever their spelling."""
        owners: dict[str, tuple[str, str, int]] = {}
        slugs: dict[str, str] = {}
        for indicator in sorted(archive.indicators.values(), key=lambda i: i.code):
            slug = indicator_slug(indicator.code)
            if slug in slugs:
                self.report.error(indicator.source.path, 1,
                                  f"`{indicator.code}` and `{slugs[slug]}` would share the page /indicators/{slug}/",
                                  "two indicators cannot differ only by `.`, spaces or capitals")
            slugs[slug] = indicator.code
            owners.setdefault(code_key(indicator.code), (indicator.code, indicator.source.path, 2))
        for indicator in sorted(archive.indicators.values(), key=lambda i: i.code):
            for alias, line in zip(indicator.aliases, indicator.alias_lines, strict=False):
                key = code_key(alias)
                owner = owners.get(key)
                if owner is None:
                    owners[key] = (indicator.code, indicator.source.path, line)
                elif owner[0] != indicator.code:
                    self.report.error(indicator.source.path, line,
                                      f"the alias `{alias}` already names `{owner[0]}` ({owner[1]})",
                                      "an alias must not be another indicator's code or alias")
