"""Front matter written by hand rather than by a YAML library: every text double-quoted
(or a `|-` block when it has several lines), keys in the content contract's order, so the
file reads like one a clerk wrote and YAML never reinterprets a value (`No`, `18:00`,
`1.10`, a leading `@`...)."""
from __future__ import annotations

import datetime
import re

_PLAIN_BLOCK_OK = re.compile(r"^[^\t\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff]*$")


def quoted(text: str) -> str:
    out = ['"']
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20 or ord(char) == 0x7f or char in "\u2028\u2029\ufeff\x85":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return quoted(str(value))


def _block_ok(text: str) -> bool:
    lines = text.split("\n")
    return (len(lines) > 1 and bool(_PLAIN_BLOCK_OK.match(text)) and lines[0][:1] not in (" ", "")
            and not any(line != line.rstrip() for line in lines))


def emit(value, indent: int = 0) -> list[str]:
    """Lines of YAML for a dict (insertion order) of scalars, lists and dicts; None values are left out."""
    pad = " " * indent
    lines: list[str] = []
    for key, item in value.items():
        if item is None or item == [] or item == {}:
            continue
        if isinstance(item, dict):
            lines.append(f"{pad}{key}:")
            lines.extend(emit(item, indent + 2))
        elif isinstance(item, list):
            lines.append(f"{pad}{key}:")
            for entry in item:
                if isinstance(entry, dict):
                    inner = emit(entry, indent + 4)
                    if inner:
                        lines.append(f"{pad}  - " + inner[0].lstrip())
                        lines.extend(inner[1:])
                else:
                    lines.append(f"{pad}  - {_value(entry, indent + 4)}")
        else:
            lines.append(f"{pad}{key}: {_value(item, indent + 2)}")
    return lines


def _value(item, indent: int) -> str:
    if isinstance(item, str) and _block_ok(item):
        pad = " " * indent
        return "|-\n" + "\n".join(pad + line if line else "" for line in item.split("\n"))
    return scalar(item)


def document(front: dict, body: str) -> str:
    """A whole meeting file: front matter between `---` lines, then the Markdown."""
    return "---\n" + "\n".join(emit(front)) + "\n---\n" + (("\n" + body.strip("\n") + "\n") if body.strip() else "")
