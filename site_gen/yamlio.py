"""YAML that remembers where every key and value came from.

PyYAML's constructors throw line numbers away, so we compose the node graph
with the fast C loader and build plain dicts and lists ourselves, keeping the
line of each key and value beside them.
"""
from __future__ import annotations

import datetime
import re

import yaml

from .safetext import CONTROL_RE

try:  # the C loader is ~10x faster; the pure one is only a fallback
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


def plain_load(text: str):
    """YAML as plain data (no line numbers, no content checks), by the C loader when there is one:
    for the project's own files (the editing screen's settings), read at every build."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506  (a safe loader)


class YamlMap(dict):
    """A mapping with `line` (where it starts) and per-key line numbers."""

    line: int = 1

    def __init__(self) -> None:
        super().__init__()
        self.key_lines: dict[str, int] = {}
        self.value_lines: dict[str, int] = {}
        self.raw: dict[str, str] = {}  # the scalar exactly as written

    def key_line(self, key: str) -> int:
        return self.key_lines.get(key, self.line)

    def value_line(self, key: str) -> int:
        return self.value_lines.get(key, self.key_line(key))


class YamlList(list):
    line: int = 1

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[int] = []
        self.raw: list[str | None] = []


class YamlProblem(Exception):
    def __init__(self, line: int, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.hint = hint


def parse(text: str, first_line: int = 1, problems: list | None = None):
    """Parse one YAML document; lines are numbered from `first_line`.

    Raises YamlProblem for text that is not YAML. Scalars that are YAML but
    cannot be built (an impossible date such as 2021-02-30) and repeated keys
    are appended to `problems` as YamlProblem and left out of the result.
    """
    problems = problems if problems is not None else []
    _check_nesting(text, first_line)
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            raise _explain(exc, first_line, text) from None
        except yaml.YAMLError as exc:
            raise YamlProblem(first_line, f"not valid YAML: {exc}") from None
        if node is None:
            return None
        return _build(loader, node, first_line - 1, problems, _Budget(len(text)))
    finally:
        loader.dispose()


# Content needs five levels at most (items > documents > a document); the limit is far
# above that and far below where the composer's recursion would crash the process.
MAX_DEPTH = 40


class _Budget:
    """How many values a file may build. Without aliases each value takes at least one
    character of the file; `&anchor`/`*alias` can make a few hundred bytes expand to
    billions of values ("billion laughs"), so expansion past the file's length stops."""

    def __init__(self, length: int):
        self.left = length + 1000

    def spend(self, node, offset: int) -> None:
        self.left -= 1
        if self.left < 0:
            raise YamlProblem(_line(node, offset), "anchors and aliases (`&name`, `*name`) make this file expand "
                              "to far more values than it contains",
                              "write the values out instead of repeating them with `*name`")


def _check_nesting(text: str, first_line: int) -> None:
    """Refuse collections nested deeper than MAX_DEPTH before the composer sees them.

    A cheap bound first: a block collection sits further right than its parent (or
    just below it), so block depth is at most twice the widest indentation; each flow
    collection needs a bracket, and each level built through an alias a `*`. Only a
    file whose bound is high is walked event by event (the parser keeps no recursion)."""
    room = MAX_DEPTH - 2 - text.count("[") - text.count("{") - text.count("*")
    if room >= 0 and not re.search(r"^[ \t?:-]{%d,}" % (room // 2 + 1), text, re.MULTILINE):
        return
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlProblem((event.start_mark.line if event.start_mark else 0) + first_line,
                                      f"lists and blocks are nested more than {MAX_DEPTH} deep here",
                                      "content files need only a few levels: check the brackets and indentation")
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return  # not YAML at all: the composer reports where


def _line(node, offset: int) -> int:
    return node.start_mark.line + 1 + offset


def _value_line(node, offset: int) -> int:
    # a block scalar (`|` or `>`) starts on the line after its indicator
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        return _line(node, offset) + 1
    return _line(node, offset)


def _build(loader, node, offset: int, problems: list, budget: _Budget, depth: int = 0):
    budget.spend(node, offset)
    if depth > MAX_DEPTH:  # through aliases: the text itself was checked before composing
        raise YamlProblem(_line(node, offset), f"lists and blocks are nested more than {MAX_DEPTH} deep here",
                          "content files need only a few levels: check the anchors and aliases")
    if isinstance(node, yaml.MappingNode):
        mapping = YamlMap()
        mapping.line = _line(node, offset)
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(YamlProblem(_line(key_node, offset), "a key must be a plain word"))
                continue
            key = key_node.value
            if CONTROL_RE.search(key):
                problems.append(YamlProblem(_line(key_node, offset), "a key contains an invisible control character"))
                continue
            if key in mapping.key_lines:
                problems.append(YamlProblem(
                    _line(key_node, offset),
                    f"`{key}` appears twice in the same block (first at line {mapping.key_lines[key]})",
                    "delete one of them",
                ))
                continue
            try:
                value = _build(loader, value_node, offset, problems, budget, depth + 1)
            except _Unbuildable:
                mapping.key_lines[key] = _line(key_node, offset)
                continue
            mapping[key] = value
            mapping.key_lines[key] = _line(key_node, offset)
            mapping.value_lines[key] = _value_line(value_node, offset)
            if isinstance(value_node, yaml.ScalarNode):
                mapping.raw[key] = value_node.value
        return mapping
    if isinstance(node, yaml.SequenceNode):
        listing = YamlList()
        listing.line = _line(node, offset)
        for child in node.value:
            try:
                value = _build(loader, child, offset, problems, budget, depth + 1)
            except _Unbuildable:
                continue
            listing.append(value)
            listing.lines.append(_value_line(child, offset))
            listing.raw.append(child.value if isinstance(child, yaml.ScalarNode) else None)
        return listing
    try:
        value = loader.construct_object(node, deep=True)
    except (ValueError, yaml.YAMLError) as exc:
        message = str(exc)
        if node.tag.endswith(":timestamp"):
            message = f"`{node.value}` is not a real date ({exc})"
            problems.append(YamlProblem(_line(node, offset), message, "write dates as YYYY-MM-DD"))
        else:
            problems.append(YamlProblem(_line(node, offset), f"cannot read `{node.value}`: {message}"))
        raise _Unbuildable() from None
    control = CONTROL_RE.search(value) if isinstance(value, str) else None
    if control:
        # written as an escape ("\v", "\x1b"): the raw characters are refused with the file
        char = control.group(0)
        problems.append(YamlProblem(_line(node, offset),
                                    f"the text contains an invisible control character (U+{ord(char):04X})",
                                    "remove the `\\` escape that writes it"))
        raise _Unbuildable()
    return value


class _Unbuildable(Exception):
    pass


def _explain(exc: yaml.MarkedYAMLError, first_line: int, text: str) -> YamlProblem:
    slip = _explain_slip(exc, first_line, text)
    if slip is not None:
        return slip
    mark = exc.problem_mark or exc.context_mark
    line = (mark.line if mark else 0) + first_line
    problem = (exc.problem or "").strip()
    context = (exc.context or "").strip()
    hint = None
    lines = text.split("\n")
    source_line = lines[mark.line] if mark and mark.line < len(lines) else ""
    leading = source_line[: len(source_line) - len(source_line.lstrip())]
    if "\t" in leading or "\t" in problem or "'\\t'" in problem:
        message = "a tab character is used for indentation"
        hint = "YAML needs spaces: replace the tab with spaces"
    elif "found unexpected end of stream" in problem and "quoted scalar" in context:
        message = "a quoted text is never closed"
        hint = "add the closing quote mark at the end of the text"
        if exc.context_mark is not None:
            line = exc.context_mark.line + first_line
    elif "mapping values are not allowed" in problem:
        message = "unexpected `:`; a text containing `: ` must be in quotes"
        hint = 'put the whole value in double quotes, e.g. title: "Item: report"'
    elif "expected <block end>" in problem or "did not find expected key" in problem:
        message = f"the indentation is inconsistent ({problem})"
        hint = "line up keys of the same block under each other, using spaces"
    elif "did not find expected '-'" in problem:
        message = f"the indentation of this list is inconsistent ({problem})"
        hint = "each list entry starts with `- ` at the same indentation"
    elif "found character" in problem and "cannot start any token" in problem:
        message = f"not valid YAML: {problem}"
        hint = "a value starting with `@` or a backquote must be in quotes"
    else:
        message = f"not valid YAML: {problem or context or exc}"
    return YamlProblem(line, message, hint)


# `key: value` on one line (a list entry's first key too): the two slips clerks make most
_KEY_LINE_RE = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][A-Za-z0-9_-]*):[ \t]+(.*?)\s*$")


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _named(key: str) -> str:
    return f"the {key}" if key.isalpha() else f"the `{key}`"


def _unclosed_quote(lines: list[str], upto: int) -> tuple[int, str, str] | None:
    """The last `key: "text` line before `upto` whose quote does not close on its line."""
    for index in range(min(upto, len(lines) - 1), -1, -1):
        match = _KEY_LINE_RE.match(lines[index])
        if not match or match.group(3)[:1] not in ('"', "'"):
            continue
        value = match.group(3)
        quote, rest = value[0], value[1:]
        if quote == '"':
            closed = re.search(r'(?<!\\)(?:\\\\)*"', rest) is not None
        else:
            closed = re.search(r"'(?!')", rest.replace("''", "")) is not None
        if not closed:
            return index, match.group(2), value
    return None


def _explain_slip(exc: yaml.MarkedYAMLError, first_line: int, text: str) -> YamlProblem | None:
    """The two YAML slips clerks make, named in their words: a `: ` inside an unquoted value, and a
    quote that is never closed (YAML often notices it lines later, with a message about indentation)."""
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return None
    lines = text.split("\n")
    problem = (exc.problem or "").strip()
    if "\t" in (lines[mark.line] if mark.line < len(lines) else ""):
        return None
    unclosed = _unclosed_quote(lines, mark.line)
    if unclosed is not None and ("quoted scalar" in (exc.context or "") or "expected" in problem
                                 or "mapping values" in problem):
        index, key, value = unclosed
        return YamlProblem(index + first_line,
                           f"the quotes around {_named(key)} are never closed: end {_named(key)} with a `{value[0]}`",
                           f"{key}: {value}{value[0]}")
    if "mapping values are not allowed" in problem and mark.line < len(lines):
        match = _KEY_LINE_RE.match(lines[mark.line])
        # the `:` YAML stopped at is inside the value, not the key's own (an over-indented key)
        if match and match.group(3)[:1] not in ('"', "'") and mark.column > match.end(2):
            key, value = match.group(2), match.group(3)
            return YamlProblem(mark.line + first_line,
                               f"{_named(key)} contains `: `, which YAML reads as the start of another key: "
                               f"put {_named(key)} in quotes",
                               f"{key}: {_quoted(value)}")
        above = next((line for line in reversed(lines[:mark.line])
                      if line.strip() and not line.lstrip().startswith("#")), "")
        if match and _indent(match.group(1)) > _indent(above) and _KEY_LINE_RE.match(above):
            return YamlProblem(mark.line + first_line,
                               f"the indentation is inconsistent (`{match.group(2)}` is indented more than "
                               "the key above it)",
                               "line up keys of the same block under each other, using spaces")
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" -"))


def dropped_comments(text: str, first_line: int = 1) -> list[YamlProblem]:
    """Warnings for notes (` #…`) written after an unquoted value on the same line: YAML leaves the
    note out of the value, so `title: Report on item #4` is read as "Report on item"."""
    if not re.search(r"\S[ \t]+#", text):
        return []
    try:
        tokens = list(yaml.scan(text, Loader=_Loader))
    except yaml.YAMLError:
        return []  # reported by parse
    lines = text.split("\n")
    problems = []
    key = None
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if not isinstance(token, yaml.ScalarToken):
            continue
        if isinstance(following, yaml.ValueToken):
            key = token.value
            continue
        if not token.plain:
            continue
        end = token.end_mark
        rest = lines[end.line][end.column:] if end.line < len(lines) else ""
        match = re.match(r"^[ \t]+#(.*)$", rest)
        if not match:
            continue
        note = "#" + match.group(1).rstrip()
        written = token.value + " " + note
        name = _named(key) if key else "the value"
        problems.append(YamlProblem(
            end.line + first_line,
            f"{name} stops before ` #`: YAML reads `{note}` as a note and leaves it out",
            f"if it belongs to {name}, put {name} in quotes: {key + ': ' if key else ''}{_quoted(written)}; "
            "if it is a note, put it on a line of its own",
        ))
    return problems


def is_date(value) -> bool:
    return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)
