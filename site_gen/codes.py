"""Recognising performance indicator codes in running text.

Only prefixes that the archive's own indicator codes use count, so `KS2`,
`Y11` or `Covid-19` never become codes. A code is its prefix, an optional
separator (`.`, space or hyphen) and a number: `CFSE.29`, `CFSE29`, `CFSE 29`.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .models import Indicator

# digits are ASCII digits: `CFSE４１` (full-width) is not a code, and its page name would be `cfse---`
_PARTS_RE = re.compile(r"^([A-Za-z]+)[. \-]?([0-9]+(?:\.[0-9]+)*)$")
_SEPARATORS = ". -\u00a0"
# any upper-case word of 3+ letters glued to a number: a candidate misspelling
_CANDIDATE_RE = re.compile(r"(?<![A-Za-z0-9])([A-Z]{3,8})[. \-\u00a0]?([0-9]{1,4})(?![A-Za-z0-9])")
# a number with the letter O typed for a zero (CFSE.2O, CFSE.O5): at least one digit and one O
_LETTER_O_RE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2,8})([. \-\u00a0]?)(?=[0-9Oo]*[0-9])(?=[0-9]*[Oo])([0-9Oo]{2,5})"
                          r"(?![A-Za-z0-9])")
# what every such number holds: an O beside a digit. Looked for first, as most text has none and
# the whole pattern is slow to try at every word (a second of CPU per thousand meetings)
_DIGIT_BESIDE_O_RE = re.compile(r"[Oo](?<=[0-9][Oo])|[Oo](?=[0-9])")


def _parts(code: str) -> tuple[str, str] | None:
    match = _PARTS_RE.match(code.replace("\u00a0", " "))
    return (match.group(1).upper(), match.group(2)) if match else None


def code_key(code: str) -> str:
    """One spelling-independent key per code: CFSE.29, cfse29, CFSE 29 -> CFSE.29."""
    parts = _parts(code)
    if parts:
        return f"{parts[0]}.{parts[1]}"
    return re.sub(r"[. \-\u00a0]+", ".", code.upper())


def indicator_slug(code: str) -> str:
    """CFSE.29 -> cfse-29 (the site contract's rule; other odd characters become hyphens too)."""
    return re.sub(r"[^a-z0-9]", "-", code.lower())


@dataclass(frozen=True)
class CodeMatch:
    start: int
    end: int
    written: str  # as it appears in the text
    code: str  # the canonical code: the indicator's own, or a normalised undefined one
    defined: bool


@dataclass(frozen=True)
class NearMiss:
    written: str
    suggestion: str  # the code it probably means
    letter_for_digit: bool = False  # the letter O written for a zero (CFSE.2O), not a misspelt prefix


class CodeIndex:
    def __init__(self, indicators: dict[str, Indicator]):
        self.by_key: dict[str, str] = {}
        separators: dict[str, Counter] = {}
        alias_prefixes: set[str] = set()
        literals: list[str] = []
        for indicator in sorted(indicators.values(), key=lambda i: i.code):
            for position, spelling in enumerate((indicator.code, *indicator.aliases)):
                self.by_key.setdefault(code_key(spelling), indicator.code)
                parts = _parts(spelling)
                if parts is None:
                    literals.append(spelling)
                elif position == 0:  # the code itself: its separator is the house style
                    separator = spelling[len(parts[0])] if not spelling[len(parts[0])].isdigit() else ""
                    separators.setdefault(parts[0], Counter())[separator] += 1
                else:
                    alias_prefixes.add(parts[0])
        self.code_prefixes = {prefix: counts.most_common(1)[0][0] if counts else "."
                              for prefix, counts in sorted(separators.items())}
        prefixes = sorted(set(self.code_prefixes) | alias_prefixes, key=lambda p: (-len(p), p))
        alternatives = []
        if prefixes:
            alternatives.append(
                r"(?P<prefix>" + "|".join(map(re.escape, prefixes)) + r")[. \-\u00a0]?(?P<number>[0-9]+(?:\.[0-9]+)*)"
            )
        if literals:
            spelled = sorted({_flexible(literal) for literal in literals}, key=lambda p: (-len(p), p))
            alternatives.append(r"(?P<literal>" + "|".join(spelled) + ")")
        self.pattern = (re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(alternatives) + r")(?![A-Za-z0-9])", re.IGNORECASE)
                        if alternatives else None)

    def find(self, text: str) -> list[CodeMatch]:
        if self.pattern is None:
            return []
        matches = []
        for match in self.pattern.finditer(text):
            written = match.group(0)
            key = code_key(written)
            if key in self.by_key:
                matches.append(CodeMatch(match.start(), match.end(), written, self.by_key[key], True))
            elif match.group("prefix") and match.group("prefix").upper() in self.code_prefixes:
                prefix = match.group("prefix").upper()
                code = f"{prefix}{self.code_prefixes[prefix]}{match.group('number')}"
                matches.append(CodeMatch(match.start(), match.end(), written, code, False))
            # an alias-only prefix with an unknown number is not a code
        return matches

    def near_misses(self, text: str) -> list[NearMiss]:
        """Codes whose prefix is one slip away from a defined one (CSFE.63 beside CFSE)."""
        if not self.code_prefixes:
            return []
        found = []
        for match in _CANDIDATE_RE.finditer(text):
            prefix = match.group(1)
            if prefix in self.code_prefixes or code_key(match.group(0)) in self.by_key:
                continue
            for known, separator in self.code_prefixes.items():
                if _one_slip(prefix, known):
                    found.append(NearMiss(match.group(0), f"{known}{separator}{match.group(2)}"))
                    break
        found.extend(self.letter_o_misses(text))
        return found

    def letter_o_misses(self, text: str) -> list[NearMiss]:
        """A known prefix with the letter O typed for a zero: `CFSE.2O` is not read as a code at all,
        so without this it would be dropped silently."""
        found: list[NearMiss] = []
        if not _DIGIT_BESIDE_O_RE.search(text):
            return found
        for match in _LETTER_O_RE.finditer(text):
            prefix = match.group(1).upper()
            if prefix not in self.code_prefixes:
                continue
            number = match.group(3).replace("O", "0").replace("o", "0")
            found.append(NearMiss(match.group(0), f"{prefix}{self.code_prefixes[prefix]}{number}", True))
        return found


def _flexible(literal: str) -> str:
    """A literal code whose separators may be written any of the usual ways."""
    pieces = re.split(r"[. \-\u00a0]+", literal)
    return r"[. \-\u00a0]?".join(re.escape(p) for p in pieces)


def _one_slip(word: str, target: str) -> bool:
    """True when one typo (swap, replace, insert or delete a letter) turns word into target."""
    if word == target or abs(len(word) - len(target)) > 1:
        return False
    if len(word) == len(target):
        diffs = [i for i, (a, b) in enumerate(zip(word, target, strict=True)) if a != b]
        if len(diffs) == 1:
            return True
        return (len(diffs) == 2 and diffs[1] == diffs[0] + 1
                and word[diffs[0]] == target[diffs[1]] and word[diffs[1]] == target[diffs[0]])
    shorter, longer = sorted((word, target), key=len)
    return any(longer[:i] + longer[i + 1:] == shorter for i in range(len(longer)))
