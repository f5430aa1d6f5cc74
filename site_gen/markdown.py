"""The Markdown dialect of the minutes, and indicator linking inside it.

CommonMark plus tables and strikethrough. Raw HTML is shown as text, images
are not loaded (the archive makes no outside requests), and only web, mail,
telephone and site-relative links are links: `javascript:`, `data:` and
`vbscript:` stay text. Indicator codes become links by a core rule on text
tokens, so code spans and existing links are never touched.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Callable

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .codes import CodeIndex, CodeMatch, NearMiss

_SAFE_LINK_RE = re.compile(r"^(?:https?:|mailto:|tel:|#|/(?!/)|\.{0,2}/|[^:/?#]+(?:[/?#]|$))", re.IGNORECASE)
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])[\"”’')]*\s+(?=[\"“‘'(]?[A-Z0-9])")


def _validate_link(url: str) -> bool:
    return bool(_SAFE_LINK_RE.match(url.strip()))


class _SafeLinks(MarkdownIt):
    """markdown-it with links only to the addresses _SAFE_LINK_RE allows."""

    def validateLink(self, url: str) -> bool:  # markdown-it calls it by this name
        return _validate_link(url)


_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_H2_RE = re.compile(r"^ {0,3}##(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")


def _unfenced_lines(text: str):
    """(index, line) of each line outside fenced code."""
    fence: str | None = None
    for number, line in enumerate(text.split("\n")):
        opener = _FENCE_RE.match(line)
        if fence:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence) \
                    and not line.strip()[len(opener.group(1)):].strip():
                fence = None
            continue
        if opener and not (opener.group(1)[0] == "`" and "`" in line.strip()[len(opener.group(1)):]):
            fence = opener.group(1)
            continue
        yield number, line


def level2_headings(text: str) -> list[tuple[int, int, str]]:
    """(line, line after, text) of each top-level `## ` heading, outside fenced code.

    A line scanner rather than a full parse: it runs on every meeting at load
    time, and the full Markdown parse happens once, later, per section. ATX
    headings cannot be lazy paragraph or list continuations, and `>` quotes and
    4-space indented code never match, so top-level `##` lines are exactly these.
    """
    found = []
    for number, line in _unfenced_lines(text):
        heading = _H2_RE.match(line)
        if heading:
            found.append((number, number + 1, (heading.group(1) or "").strip()))
    return found


# `##5. Title` (no space: a paragraph in Markdown) or `# 5. Title` (a level-1 heading)
_LOOKALIKE_RE = re.compile(r"^ {0,3}(?:##(?=[0-9])|#(?!#)[ \t]*)([0-9]+)\b(.*)$")


def lookalike_headings(text: str) -> list[tuple[int, int, str]]:
    """(line, number, the line) of lines outside fenced code that look like an item's
    heading but are not one, so that an item's minutes are not silently left in another's."""
    found = []
    for index, line in _unfenced_lines(text):
        match = _LOOKALIKE_RE.match(line)
        if match:
            found.append((index, int(match.group(1)), line.strip()))
    return found


@dataclass
class Mention:
    code: str
    defined: bool
    written: str
    sentence: str
    line: int  # in the content file


@dataclass
class Rendered:
    html: str
    mentions: list[Mention] = field(default_factory=list)
    near_misses: list[tuple[NearMiss, int]] = field(default_factory=list)


class MarkdownRenderer:
    def __init__(self, codes: CodeIndex | None = None, indicator_url: Callable[[str], str] | None = None):
        self.codes = codes
        self.indicator_url = indicator_url or (lambda code: "#")
        md = _SafeLinks("commonmark", {"html": False, "linkify": False, "typographer": False})
        md.enable(["table", "strikethrough"])
        md.disable("image")
        md.core.ruler.push("shift_headings", _shift_headings)
        md.core.ruler.push("indicator_codes", self._link_codes)
        md.core.ruler.push("table_cells", _table_cells)
        md.add_render_rule("table_open", _table_open)
        md.add_render_rule("table_close", _table_close)
        self.md = md

    def render(self, markdown: str, first_line: int = 1, min_heading: int = 3, inline: bool = False) -> Rendered:
        mentions: list[Mention] = []
        near_misses: list[tuple[NearMiss, int]] = []
        env = {"mentions": mentions, "near_misses": near_misses, "first_line": first_line, "min_heading": min_heading}
        tokens = self.md.parseInline(markdown, env) if inline else self.md.parse(markdown, env)
        html = self.md.renderer.render(tokens, self.md.options, env)
        return Rendered(html, mentions, near_misses)

    def _link_codes(self, state) -> None:
        if self.codes is None:
            return
        first_line = state.env.get("first_line", 1)
        line = first_line
        for block in state.tokens:
            if block.map:
                line = first_line + block.map[0]
            if block.type != "inline" or not block.children:
                continue
            plain, offsets = _plain_text(block.children)
            sentences: _Sentences | None = None  # found once per paragraph, when it mentions a code
            for miss in self.codes.near_misses(plain):
                state.env["near_misses"].append((miss, line))
            children: list[Token] = []
            link_depth = 0
            for index, child in enumerate(block.children):
                if child.type == "link_open":
                    link_depth += 1
                elif child.type == "link_close":
                    link_depth -= 1
                if child.type != "text" or link_depth or not child.content:
                    children.append(child)
                    continue
                matches = self.codes.find(child.content)
                if not matches:
                    children.append(child)
                    continue
                base = offsets[index]
                sentences = sentences or _Sentences(plain)
                for match in matches:
                    sentence = sentences.around(base + match.start)
                    state.env["mentions"].append(Mention(match.code, match.defined, match.written, sentence, line))
                children.extend(self._split(child, matches))
            block.children = children

    def _split(self, child: Token, matches: list[CodeMatch]) -> list[Token]:
        pieces: list[Token] = []
        position = 0
        for match in matches:
            if match.start > position:
                pieces.append(_text(child.content[position:match.start], child.level))
            link = Token("link_open", "a", 1, level=child.level)
            link.attrs = {"href": self.indicator_url(match.code), "class": "indicator-code"}
            if match.written != match.code:
                link.attrs["title"] = f"Indicator {match.code}"
            pieces.append(link)
            pieces.append(_text(match.written, child.level + 1))
            pieces.append(Token("link_close", "a", -1, level=child.level))
            position = match.end
        if position < len(child.content):
            pieces.append(_text(child.content[position:], child.level))
        return pieces


def _text(content: str, level: int) -> Token:
    token = Token("text", "", 0, level=level)
    token.content = content
    return token


def _plain_text(children: list[Token]) -> tuple[str, dict[int, int]]:
    """The text a reader sees, and where each child's text starts in it."""
    parts: list[str] = []
    offsets: dict[int, int] = {}
    length = 0
    for index, child in enumerate(children):
        offsets[index] = length
        if child.type in ("text", "code_inline"):
            piece = child.content
        elif child.type in ("softbreak", "hardbreak"):
            piece = " "
        else:
            piece = ""
        parts.append(piece)
        length += len(piece)
    return "".join(parts), offsets


SENTENCE_CONTEXT = 300  # characters either side of a mention, at most


class _Sentences:
    """The sentence around a position, from the paragraph's sentence boundaries found once
    (searching the paragraph for each mention was quadratic in a long paragraph)."""

    def __init__(self, text: str):
        self.text = text
        boundaries = list(_SENTENCE_END_RE.finditer(text))
        self.ends = [b.end() for b in boundaries]  # where each next sentence starts
        self.starts = [b.start() for b in boundaries]  # where each sentence's trailing space starts

    def around(self, position: int) -> str:
        # the last boundary ending at or before the position, and the first starting after it
        before = bisect.bisect_right(self.ends, position)
        start = self.ends[before - 1] if before else 0
        after = bisect.bisect_right(self.starts, position)
        end = self.starts[after] if after < len(self.starts) else len(self.text)
        # a "sentence" with no full stop for pages on end is cut to the words around the mention
        # (each mention's sentence is listed on the indicator's page)
        cut_start, cut_end = max(start, position - SENTENCE_CONTEXT), min(end, position + SENTENCE_CONTEXT)
        if cut_start > start:
            space = self.text.find(" ", cut_start, position)
            cut_start = space + 1 if space >= 0 else cut_start
        if cut_end < end:
            space = self.text.rfind(" ", position, cut_end)
            cut_end = space if space > position else cut_end
        sentence = " ".join(self.text[cut_start:cut_end].split())
        return ("… " if cut_start > start else "") + sentence + (" …" if cut_end < end else "")



def _shift_headings(state) -> None:
    """Headings inside an item sit below the item's own `h2`: `#` and `##` become `h3`."""
    minimum = state.env.get("min_heading", 3)
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            level = int(token.tag[1])
            if level < minimum:
                token.tag = f"h{minimum}"


def _table_cells(state) -> None:
    """Column alignment as a class, not a style attribute (the site's CSP blocks those); header cells scoped;
    each body cell labelled with its column's heading (data-label), which a phone shows beside the
    value when the table's rows are stacked as blocks (site.css)."""
    headings: list[str] = []
    column = 0
    for index, token in enumerate(state.tokens):
        if token.type == "thead_open":
            headings = []
        elif token.type == "tr_open":
            column = 0
        elif token.type == "th_open" and index + 1 < len(state.tokens) and state.tokens[index + 1].type == "inline":
            headings.append(" ".join(state.tokens[index + 1].content.split()).replace("*", "").replace("`", ""))
        elif token.type == "td_open":
            if column < len(headings) and headings[column]:
                token.attrSet("data-label", headings[column])
            column += 1
        if token.type in ("th_open", "td_open"):
            style = token.attrs.pop("style", None)
            if isinstance(style, str) and style.startswith("text-align:"):
                token.attrSet("class", "align-" + style.split(":", 1)[1].strip())
            if token.type == "th_open":
                token.attrSet("scope", "col")


def _table_open(self, tokens, idx, options, env) -> str:
    # wide tables scroll inside their own box on a phone instead of the page; the box
    # takes keyboard focus so that it can be scrolled without a mouse (WCAG 2.1.1)
    return ('<div class="table-wrap" role="region" aria-label="Table" tabindex="0">\n'
            + self.renderToken(tokens, idx, options, env))


def _table_close(self, tokens, idx, options, env) -> str:
    return self.renderToken(tokens, idx, options, env) + "</div>\n"
