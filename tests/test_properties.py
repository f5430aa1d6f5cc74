"""Property-based: whatever a meeting, a committee or an indicator file holds, `check` and the
build end in a verdict (0 or 1, never an exception), a passing `check` means a passing build,
and every feed the build writes is well-formed XML.

Hypothesis writes the files from pieces that have broken the build before (deep brackets,
control characters, full-width digits, anchors, look-alike headings, huge numbers, long
slugs) mixed with arbitrary text and bytes. The run is bounded (max_examples, no deadline
per example) and derandomised, so CI runs the same examples in well under a minute.
"""
from __future__ import annotations

import json
import shutil
import tempfile
import xml.dom.minidom
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from invalid_sites import BASE

from site_gen import pipeline
from site_gen.cli import print_problems

MEETING = Path("meetings/2021/2021-03-10-scrutiny.md")
BOUNDED = settings(max_examples=45, deadline=None, derandomize=True, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

HOSTILE = ["[" * 2000, "{a: " * 50, "\x0b", "\x1b[2J", "\x00", "\u202e", "\ud7ff", "::warning file=x::y",
           "\n::error::z", "CFSE４１", "ED.1", "ED１", "ED 1", "<img src=x onerror=alert(1)>", "&lt;b&gt;", "---",
           "...", "## 2.", "##2.", "# 1.", "&a", "*a", "&a [x]", "|", ">-", "\t", "\\", '"', "'", ": ", "# ", "- ", "%",
           "@", "`", "!!python/object",
           "99999999999999999999999999", ".nan", "-.inf", "1e999", "0x1F", "2021-02-30", "javascript:alert(1)",
           "x" * 300, "-".join(["a"] * 120), "\r", "\ufeff", "١٢", "𝟓"]

WORDS = ["Members", "noted", "the report", "CFSE.29", "ED.1", "(ED 1)", "5.", "Q2:", "48%", "–", "Café", "#", "*",
         " ", ", ", ". ", "\n", "\n\n", "- ", "1. ", "[link](https://example.org)", "`code`", "**bold**"]
# mostly words a clerk writes, sometimes a hostile piece, sometimes any printable text
pieces = st.one_of(st.sampled_from(WORDS), st.sampled_from(HOSTILE),
                   st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=8), st.text(max_size=3))
wild_text = st.lists(pieces, min_size=1, max_size=5).map("".join)
clean_text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map("".join)


def mostly(clean: st.SearchStrategy, wild: st.SearchStrategy) -> st.SearchStrategy:
    """Each field is usually what a clerk writes and sometimes wild: a file holds a few odd
    values, so that `check` passes often enough for the build to be tried on what it passed."""
    return st.sampled_from([True] * 8 + [False]).flatmap(lambda usual: clean if usual else wild)


text = mostly(clean_text, wild_text)
slugish = mostly(st.from_regex(r"[a-z0-9]{1,20}(-[a-z0-9]{1,20}){0,3}", fullmatch=True),
                 st.sampled_from(["performance", "a" * 150, "x-" * 60 + "x", "Per Formance", "", "a--b"]))
number = mostly(st.integers(min_value=1, max_value=12),
                st.one_of(st.integers(), st.sampled_from(["1.5", "'3'", "9" * 30, "１", "999999"])))


def scalar(value) -> st.SearchStrategy[str]:
    """A value as YAML: quoted as JSON (a valid YAML double-quoted scalar) or written raw."""
    return st.one_of(st.just(json.dumps(value, ensure_ascii=False)), st.just(str(value)))


@st.composite
def yaml_value(draw, strategy=text) -> str:
    value = draw(strategy)
    form = draw(st.sampled_from(["json"] * 6 + ["raw", "block"]))
    if form == "json":
        return json.dumps(value, ensure_ascii=False)
    if form == "block":
        return "|\n" + "\n".join("      " + line for line in str(value).split("\n"))
    return str(value).replace("\n", " ")


@st.composite
def meeting_file(draw) -> str:
    lines = ["---", "committee: scrutiny", "date: 2021-03-10"]
    for key in draw(st.lists(st.sampled_from(["time", "venue", "status", "approved_on", "attendees"]), unique=True)):
        known = {"time": '"18:00"', "status": "approved", "approved_on": "2021-04-01", "attendees": "{chair: Cllr A}"}
        lines.append(f"{key}: {draw(mostly(st.just(known.get(key, 'Town Hall')), yaml_value()))}")
    lines.append("items:")
    numbers = draw(st.lists(number, min_size=1, max_size=3, unique=True))
    for n in numbers:
        lines.append(f"  - number: {n}")
        lines.append(f"    title: {draw(yaml_value())}")
        for key in draw(st.lists(st.sampled_from(["issue", "report_of", "summary", "decision", "portfolio",
                                                  "recommendations", "documents"]), unique=True)):
            if key == "issue":
                lines.append(f"    issue: {draw(yaml_value(slugish))}")
            elif key == "portfolio":
                lines.append(f"    portfolio: {draw(mostly(st.just('education'), st.just('nope')))}")
            elif key == "recommendations":
                lines.append(f"    recommendations: [{draw(yaml_value())}]")
            elif key == "documents":
                url = draw(mostly(st.just("https://example.org/report.pdf"), yaml_value()))
                lines.append(f"    documents:\n      - title: {draw(yaml_value())}\n        url: {url}")
            else:
                lines.append(f"    {key}: {draw(yaml_value())}")
    lines.append("---")
    for n in numbers:
        heading = draw(st.sampled_from(["## {n}. Title", "## {n}. Title", "##{n}. Title", "# {n}. Title", "## {n}",
                                        "### {n}."]))
        lines.append(heading.format(n=n))
        lines.append(draw(text))
    return "\n".join(lines) + "\n"


@st.composite
def indicator_file(draw) -> str:
    values = []
    for period in draw(st.lists(st.sampled_from(["2020/21 Q1", "2020/21 Q2", "Q3"]), max_size=3, unique=True)):
        actual = draw(mostly(st.floats(0, 100), st.one_of(st.floats(), st.integers(), wild_text)))
        values.append(f"  - period: {period}\n    actual: {draw(scalar(actual))}")
    odd = st.sampled_from(["ED１", "CFSE４１", "x" * 60])
    aliases = draw(st.lists(mostly(st.sampled_from(["ED1", "ED 1", "ED-1"]), odd),
                            max_size=2, unique=True))
    return ("code: ED.1\ntitle: Pupils ready to learn\nportfolio: education\npriority: 1\n"
            f"aliases: {json.dumps(aliases, ensure_ascii=False)}\nvalues:\n" + "\n".join(values) + "\n")


def verdicts(files: dict[Path, bytes]) -> None:
    """Lay the files over the base site; check and build it; assert what must hold."""
    with tempfile.TemporaryDirectory() as folder:
        content = Path(folder) / "content"
        shutil.copytree(BASE, content)
        for path, data in files.items():
            (content / path).write_bytes(data)
        checked = pipeline.check(content, use_cache=False)
        with open(Path(folder) / "printed.txt", "w", encoding="utf-8") as printed:
            print_problems(checked.report, printed)  # what a terminal would show: printable without error
        built = pipeline.build(content, Path(folder) / "_site", with_search=False, use_cache=False)
        if not checked.report.errors:
            assert built.ok, [p.format() for p in built.report.errors] + [built.failure]
            for feed in (Path(folder) / "_site").rglob("*.xml"):
                xml.dom.minidom.parse(str(feed))  # raises on anything not well-formed
        else:
            assert not built.ok
        shown = (Path(folder) / "printed.txt").read_text(encoding="utf-8")
        assert not any(line.startswith("::") for line in shown.splitlines())
        assert "\x1b" not in shown


@BOUNDED
@given(meeting=meeting_file(), committee=text, indicator=indicator_file())
def test_any_meeting_committee_and_indicator_get_a_verdict(meeting, committee, indicator):
    verdicts({MEETING: meeting.encode("utf-8", "surrogatepass"),
              Path("committees/scrutiny.yml"): f"name: {json.dumps(committee or 'S', ensure_ascii=False)}\n"
                                                .encode("utf-8", "surrogatepass"),
              Path("indicators/ED.1.yml"): indicator.encode("utf-8", "surrogatepass")})


@BOUNDED
@given(data=st.binary(max_size=400),
       where=st.sampled_from([MEETING, Path("committees/scrutiny.yml"), Path("site.yml")]))
def test_any_bytes_in_a_content_file_get_a_verdict(data, where):
    original = (BASE / where).read_bytes()
    verdicts({where: original[: len(original) // 2] + data})
