"""The Markdown dialect of the minutes, and indicator linking inside it.

CommonMark plus tables and strikethrough. Raw HTML is shown as text, images
are not loaded (the archive makes no outside requests), and only web, mail,
telephone and site-relative links are links: `javascript:`, `data:` and
`vbscript:` stay text. Indicator codes become links by a core rule on text
tokens, so code spans and existing links are never touched.
"""
from __future__ import annotations

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


_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_H2_RE = re.compile(r"^ {0,3}##(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")


def level2_headings(text: str) -> list[tuple[int, int, str]]:
    """(line, line after, text) of each top-level `## ` heading, outside fenced code.

    A line scanner rather than a full parse: it runs on every meeting at load
    time, and the full Markdown parse happens once, later, per section. ATX
    headings cannot be lazy paragraph or list continuations, and `>` quotes and
    4-space indented code never match, so top-level `##` lines are exactly these.
    """
    found = []
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
        heading = _H2_RE.match(line)
        if heading:
            found.append((number, number + 1, (heading.group(1) or "").strip()))
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
        md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
        md.enable(["table", "strikethrough"])
        md.disable("image")
        md.validateLink = _validate_link
        md.core.ruler.push("shift_headings", _shift_headings)
        md.core.ruler.push("indicator_codes", self._link_codes)
        md.core.ruler.push("table_cells", _table_cells)
        md.add_render_rule("table_open", _table_open)
        md.add_render_rule("table_close", _table_close)
        self.md = md

    def render(self, markdown: str, first_line: int = 1, min_heading: int = 3, inline: bool = False) -> Rendered:
        env = {"mentions": [], "near_misses": [], "first_line": first_line, "min_heading": min_heading}
        if inline:
            tokens = self.md.parseInline(markdown, env)
        else:
            tokens = self.md.parse(markdown, env)
        html = self.md.renderer.render(tokens, self.md.options, env)
        return Rendered(html, env["mentions"], env["near_misses"])

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
                for match in matches:
                    sentence = _sentence(plain, base + match.start)
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


def _sentence(text: str, position: int) -> str:
    start = 0
    end = len(text)
    for boundary in _SENTENCE_END_RE.finditer(text):
        if boundary.end() <= position:
            start = boundary.end()
        elif boundary.start() > position:
            end = boundary.start()
            break
    return " ".join(text[start:end].split())


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
