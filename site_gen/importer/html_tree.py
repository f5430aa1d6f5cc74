"""A small document tree from the standard library's html.parser: enough for the
portal's pages, which are machine-made HTML with the usual unclosed `<p>` and `<li>`."""
from __future__ import annotations

import html.parser
import re
from dataclasses import dataclass, field

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# opening one of these closes an open element of the same family (HTML's implied end tags)
# (what it closes, where the search stops)
IMPLIED_END = {"p": ({"p"}, {"div", "td", "th", "li", "table", "body", "blockquote"}),
               "li": ({"li"}, {"ul", "ol"}), "tr": ({"tr"}, {"table", "tbody", "thead", "tfoot"}),
               "td": ({"td", "th"}, {"tr", "table"}), "th": ({"td", "th"}, {"tr", "table"}),
               "dt": ({"dt", "dd"}, {"dl"}), "dd": ({"dt", "dd"}, {"dl"})}
BLOCK = {"address", "article", "aside", "blockquote", "div", "dl", "fieldset", "footer", "form", "h1", "h2", "h3",
         "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p", "pre", "section", "table", "ul"}
SKIPPED = {"script", "style", "noscript", "template", "head"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list = field(default_factory=list)  # Node or str
    parent: "Node | None" = field(default=None, repr=False)

    @property
    def up(self) -> "Node":
        """The parent of a node below the root (the parser gives each one)."""
        assert self.parent is not None, "the root has no parent"
        return self.parent

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def iter(self, tag: str | None = None):
        for child in self.children:
            if isinstance(child, Node):
                if tag is None or child.tag == tag:
                    yield child
                yield from child.iter(tag)

    def find(self, tag: str | None = None, cls: str | None = None, id: str | None = None) -> "Node | None":
        return next(self.find_all(tag, cls, id), None)

    def find_all(self, tag: str | None = None, cls: str | None = None, id: str | None = None):
        for node in self.iter(tag):
            if cls is not None and cls not in node.classes():
                continue
            if id is not None and node.attrs.get("id") != id:
                continue
            yield node

    def text(self) -> str:
        """The text as a reader sees it: spaces collapsed, `<br>` as a line break."""
        parts: list[str] = []
        _collect(self, parts)
        lines = [" ".join(line.split()) for line in "".join(parts).split("\n")]
        return "\n".join(line for line in lines if line).strip()


def _collect(node: Node, parts: list[str]) -> None:
    for child in node.children:
        if isinstance(child, str):
            parts.append(child)
        elif child.tag == "br":
            parts.append("\n")
        elif child.tag == "img":
            continue  # "pdf icon" alt texts are decoration
        else:
            if child.tag in BLOCK or child.tag in ("li", "tr"):
                parts.append("\n")
            _collect(child, parts)
            if child.tag in BLOCK or child.tag in ("li", "tr"):
                parts.append("\n")
            elif child.tag in ("td", "th"):
                parts.append(" ")


class _Builder(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.current = self.root
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if self.skipping:
            if tag in SKIPPED:
                self.skipping += 1
            return
        if tag in SKIPPED:
            self.skipping = 1
            return
        if tag in IMPLIED_END:
            closes, stops = IMPLIED_END[tag]
            node = self.current
            while node is not self.root:
                if node.tag in closes:
                    self.current = node.up
                    break
                if node.tag in stops:
                    break
                node = node.up
        if tag in BLOCK and tag != "p":
            # a block inside an open <p> ends the paragraph
            node = self.current
            while node is not self.root and node.tag != "p" and node.tag not in BLOCK:
                node = node.up
            if node.tag == "p":
                self.current = node.up
        element = Node(tag, {k: v or "" for k, v in attrs}, [], self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        if not self.skipping and tag not in SKIPPED:
            self.current.children.append(Node(tag, {k: v or "" for k, v in attrs}, [], self.current))

    def handle_endtag(self, tag):
        if self.skipping:
            if tag in SKIPPED:
                self.skipping -= 1
            return
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.up
        if node is not self.root:
            self.current = node.up

    def handle_data(self, data):
        if not self.skipping:
            self.current.children.append(data)


def parse(text: str) -> Node:
    builder = _Builder()
    builder.feed(text)
    builder.close()
    return builder.root


def squash(text: str) -> str:
    """One line, single spaces (non-breaking spaces too)."""
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()
