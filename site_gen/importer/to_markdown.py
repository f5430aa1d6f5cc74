"""The portal's HTML (minutes, report summaries) as the archive's Markdown.

Council minutes are mostly pasted from Word: paragraphs whose first character is a
"·" bullet, "(i)" numbering typed by hand, bold lines standing for sub-headings, and
the odd table. Each becomes its Markdown form (`- `, `1. `, `### `, a pipe table), so
the archive shows real lists, headings and tables. Text is escaped so that nothing
the portal wrote is read as Markdown syntax it did not mean.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .html_tree import Node, squash

INLINE_EMPHASIS = {"b", "strong", "u"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BULLET_RE = re.compile(r"^[·•▪◦●‣∙]\s*")
NUMBER_RE = re.compile(r"^\(?((?:[ivx]{1,5})|[a-z]|\d{1,2})[.)]\s+", re.IGNORECASE)
CONTAINERS = {"div", "section", "article", "blockquote", "main", "span", "font", "center", "form", "tbody"}


@dataclass
class Block:
    kind: str  # "heading", "para", "item" (of a list), "table"
    text: str = ""  # plain text; "\n" where the page had a line break
    ordered: bool = False
    depth: int = 0
    strong: bool = False  # every word of it is bold or underlined (a sub-heading in Word minutes)
    rows: list[list[str]] = field(default_factory=list)
    header: bool = False  # the table's first row is a header row (th)
    links: list[Node] = field(default_factory=list)
    node: Node | None = None


# Complexity allowed (C901): one branch per kind of HTML element, in the order they are tested; a table of
# handlers would scatter the order that decides which rule wins
def blocks(node: Node, depth: int = 0) -> list[Block]:  # noqa: C901
    """The block-level parts of `node`, in reading order."""
    found: list[Block] = []
    run: list = []

    def flush():
        if run:
            holder = Node("p", {}, list(run), node)
            block = _para(holder)
            if block:
                found.append(block)
            run.clear()

    for child in node.children:
        if isinstance(child, str) or child.tag not in (
            HEADINGS | {"p", "ul", "ol", "table", "br", "li", "hr"} | CONTAINERS | {"dl", "dt", "dd"}
        ):
            run.append(child)
            continue
        if child.tag == "br":
            run.append(child)
            continue
        if child.tag == "span" or child.tag == "font":
            if any(
                isinstance(c, Node) and c.tag in (HEADINGS | {"p", "ul", "ol", "table", "div"}) for c in child.iter()
            ):
                flush()
                found.extend(blocks(child, depth))
            else:
                run.append(child)
            continue
        flush()
        if child.tag in HEADINGS:
            text = child.text()
            if text:
                found.append(Block("heading", text.replace("\n", " "), node=child, links=list(child.find_all("a"))))
        elif child.tag in ("p", "dt", "dd"):
            block = _para(child)
            if block:
                found.append(block)
        elif child.tag in ("ul", "ol"):
            for li in child.children:
                if not isinstance(li, Node):
                    continue
                if li.tag != "li":
                    found.extend(blocks(Node("div", {}, [li], child), depth))
                    continue
                own = Node(
                    "li", li.attrs, [c for c in li.children if not (isinstance(c, Node) and c.tag in ("ul", "ol"))], li
                )
                text = own.text()
                if text:
                    found.append(Block("item", text, ordered=child.tag == "ol", depth=depth, node=li,
                                       links=list(own.find_all("a"))))
                for nested in li.children:
                    if isinstance(nested, Node) and nested.tag in ("ul", "ol"):
                        found.extend(blocks(Node("div", {}, [nested], li), depth + 1))
        elif child.tag == "table":
            rows, header = [], False
            for index, tr in enumerate(child.iter("tr")):
                cells = [c for c in tr.children if isinstance(c, Node) and c.tag in ("td", "th")]
                if index == 0:
                    header = bool(cells) and all(c.tag == "th" for c in cells)
                row = [squash(c.text()) for c in cells]
                if any(row):
                    rows.append(row)
            if rows:
                found.append(Block("table", rows=rows, header=header, node=child, links=list(child.find_all("a"))))
        elif child.tag == "hr":
            continue
        else:
            found.extend(blocks(child, depth))
    flush()
    return found


def _para(node: Node) -> Block | None:
    text = node.text().replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    text = "\n".join(line for line in lines if line)
    if not text:
        return None
    return Block("para", text, strong=_all_emphasis(node), node=node, links=list(node.find_all("a")))


def _all_emphasis(node: Node) -> bool:
    """Whether every word of `node` is inside <b>, <strong> or <u>."""
    plain: list[str] = []

    def walk(n: Node, inside: bool):
        for child in n.children:
            if isinstance(child, str):
                if child.strip() and not inside:
                    plain.append(child)
            elif child.tag != "img":
                walk(child, inside or child.tag in INLINE_EMPHASIS)

    walk(node, node.tag in INLINE_EMPHASIS)
    return not plain and bool(node.text())


# -- Markdown ---------------------------------------------------------------------

_LINE_START_RE = re.compile(r"^(#{1,6}(?=\s|$)|[-+*](?=\s|$)|>|=+\s*$|_{3,}\s*$|-{3,}\s*$|\d{1,9}(?=[.)](?:\s|$)))")


def escape(text: str) -> str:
    """Plain text as Markdown that shows exactly that text."""
    text = text.replace("\\", "\\\\").replace("*", "\\*").replace("`", "\\`")
    text = re.sub(r"(?<![\w\\])_|_(?!\w)", r"\\_", text)
    text = text.replace("[", "\\[").replace("]", "\\]")
    lines = []
    for line in text.split("\n"):
        match = _LINE_START_RE.match(line)
        if match:
            mark = match.group(1)
            line = mark + "\\" + line[len(mark):] if mark[0].isdigit() else "\\" + line
        lines.append(line)
    return "\\\n".join(lines)  # a line break inside a paragraph stays one


def heading_text(block: Block) -> str:
    return " ".join(block.text.split())


def to_markdown(parts: list[Block], heading_level: int = 3) -> str:
    """Blocks as Markdown: paragraphs, `###` headings, `-`/`1.` lists and pipe tables."""
    out: list[str] = []
    previous: str | None = None  # the kind of list the last line belongs to, for blank lines
    number = 0
    for block in parts:
        kind, text = block.kind, block.text
        if kind == "para":
            bullet, numbered = BULLET_RE.match(text), NUMBER_RE.match(text)
            if bullet:
                kind, text = "bullet", text[bullet.end():]
            elif numbered and not block.strong:
                kind, text = "number", text[numbered.end():]
            elif block.strong and len(text) < 300 and not text.rstrip().endswith((".", ":")):
                kind = "heading"
        elif kind == "item":
            kind = "number" if block.ordered else "bullet"
        list_key = f"{kind}:{block.depth}" if kind in ("bullet", "number") else None
        if out and not (list_key and previous and previous.split(":")[0] in ("bullet", "number")
                        and (list_key == previous or block.depth != int(previous.split(":")[1]))):
            out.append("")
        indent = "   " * block.depth
        if kind == "heading":
            out.append("#" * heading_level + " " + escape(" ".join(text.split())))
            number = 0
        elif kind == "bullet":
            out.append(indent + "- " + escape(text).replace("\n", "\n" + indent + "  "))
        elif kind == "number":
            number = number + 1 if previous == list_key else 1
            out.append(indent + f"{number}. " + escape(text).replace("\n", "\n" + indent + "   "))
        elif kind == "table":
            out.append(table(block.rows, block.header))
        else:
            out.append(escape(text))
        previous = list_key
    return "\n".join(out).strip()


def table(rows: list[list[str]], header: bool) -> str:
    width = max(len(row) for row in rows)
    cells = [[escape(cell).replace("\\\n", " ").replace("|", "\\|") for cell in row] + [""] * (width - len(row))
             for row in rows]
    if not header:  # a pipe table needs a header row: an empty one keeps every row as data
        cells.insert(0, [""] * width)
    lines = ["| " + " | ".join(cells[0]) + " |", "|" + "|".join(["---"] * width) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in cells[1:]]
    return "\n".join(lines)
