"""The field specifications that loading checks every block against are the ones the clerks'
guide documents: a key added to the code and not to the guide (or the other way) fails here."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from site_gen import fields
from site_gen.models import Item
from site_gen.problems import Report
from site_gen.yamlio import parse

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "clerks-guide.md"


def guide_table(heading: str) -> list[str]:
    """The `field` column of the table under a heading of the guide, as written (`a` → `b`)."""
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index(f"\n{heading}\n")
    rows = []
    for line in text[start:].split("\n")[2:]:
        if rows and not line.startswith("|"):
            break
        if line.startswith("| `"):
            rows.append(line.split("|")[1].strip())
    return rows


def keys_of(rows: list[str], parent: str | None = None) -> list[str]:
    found = []
    for row in rows:
        names = re.findall(r"`([a-z_]+)`", row)
        if parent is None and len(names) == 1:
            found.append(names[0])
        elif parent is not None and len(names) == 2 and names[0] == parent:
            found.append(names[1])
    return found


@pytest.mark.parametrize(("heading", "spec", "parent"), [
    ("### The meeting's fields", fields.MEETING, None),
    ("### The meeting's fields", fields.ATTENDEES, "attendees"),
    ("### Each item's fields", fields.ITEM, None),
])
def test_the_guide_documents_exactly_the_keys_loading_accepts(heading, spec, parent):
    documented = keys_of(guide_table(heading), parent)
    assert documented, f"no rows found under {heading}"
    assert sorted(documented) == sorted(spec.keys)


def test_a_key_outside_the_spec_is_reported_in_the_specs_words():
    report = Report()
    mapping = parse("title: Budget\nnumbr: 5\n", 1, [])
    fields.Fields(report, "x.md", mapping, fields.ITEM)
    [problem] = report.problems
    assert (problem.line, problem.message) == (2, "unknown key `numbr` in an item")
    assert problem.hint == "did you mean `number`?"


def test_every_item_field_is_a_spec_key_or_made_by_loading():
    """The model's item fields that a clerk writes are the spec's keys (the others come from the
    minutes and the file: `minutes`, `line`; `source` is stored as `source_url`)."""
    written = {name for name in Item.__dataclass_fields__} - {"minutes", "line", "source_url"}
    assert written == set(fields.ITEM.keys) - {"source"}
