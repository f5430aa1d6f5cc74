"""Control characters: refused in content, removed from output, made visible on a terminal.

XML 1.0 (the feeds) forbids most C0 controls outright, HTML calls them parse
errors, and on a terminal they move the cursor, clear the screen or, after a
newline, start a GitHub Actions workflow command (`::warning ...`). Tab, line
feed and carriage return are ordinary text.
"""
from __future__ import annotations

import re

# C0 and C1 controls but tab, LF and CR; DEL; the two non-characters; lone surrogates
CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
# what must not reach a terminal: every control (LF and CR included: a message is one line),
# and the bidirectional overrides that make text display in another order than it reads
TERMINAL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff\ud800-\udfff]")


def describe(char: str) -> str:
    return f"U+{ord(char):04X}"


def strip_controls(text: str) -> str:
    """The text without control characters (the output's safety net: content is checked on loading)."""
    return CONTROL_RE.sub("", text) if CONTROL_RE.search(text) else text


def terminal(text: str) -> str:
    """Text safe to print as part of one line: controls shown as escapes (`\\n`, `\\x1b`), and
    no line that starts with `::`, which GitHub Actions would run as a workflow command."""
    if TERMINAL_RE.search(text):
        text = TERMINAL_RE.sub(_escape, text)
    if text.startswith("::"):
        text = "\\" + text
    return text


def _escape(match: re.Match) -> str:
    char = match.group(0)
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    if char in named:
        return named[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def first_controls(text: str, limit: int = 10) -> list[tuple[int, int, str]]:
    """(line, column, character) of the control characters of a text, at most one per line."""
    found: list[tuple[int, int, str]] = []
    line, counted = 1, 0  # lines are counted once, as the search moves on (linear in the text)
    for match in CONTROL_RE.finditer(text):
        start = match.start()
        line += text.count("\n", counted, start)
        counted = start
        if found and found[-1][0] == line:
            continue
        column = start - (text.rfind("\n", 0, start) + 1) + 1
        found.append((line, column, match.group(0)))
        if len(found) >= limit:
            break
    return found
