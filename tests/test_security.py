"""Content as an attacker would write it: each test is one attack on the build, and what must hold.

Pull requests from anyone are built as deploy previews, so every content file is
untrusted. The invalid-content fixtures (fixtures/invalid/) pin the messages of the
cases a folder can hold; the cases here need what a fixture folder cannot hold (links,
FIFOs, large or generated files), or check the output itself.
"""
from __future__ import annotations

import os
import random
import re
import shutil
import xml.dom.minidom
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from invalid_sites import BASE
from test_netlify import CONFIG, netlify_matches

MEETING = Path("meetings/2021/2021-03-10-scrutiny.md")
MEETING_TEXT = (BASE / MEETING).read_text(encoding="utf-8")


@pytest.fixture
def content(tmp_path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(BASE, folder)
    return folder


def with_document(content: Path, name: str) -> Path:
    """The base meeting, listing `name` as a document of item 2; returns the documents' folder."""
    text = MEETING_TEXT.replace("      - title: Report\n        size: 10 KB\n",
                                f"      - title: Report\n        file: {name}\n")
    (content / MEETING).write_text(text, encoding="utf-8")
    folder = content / MEETING.with_suffix("")
    folder.mkdir(exist_ok=True)
    return folder


def check(content: Path) -> tuple[int, str]:
    result = run_cli("check", "--content", str(content), cwd=content.parent)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    return result.returncode, output


def build(content: Path) -> tuple[int, str, Path]:
    out = content.parent / "_site"
    result = run_cli("--content", str(content), "--out", str(out), "--no-cache", cwd=content.parent)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    return result.returncode, output, out


def published_bytes(site: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()) if site.exists() else b""


# -- no content path leaves the content folder ---------------------------------------------

SECRET = "NETLIFY_AUTH_TOKEN=s3cr3t-value-from-the-environment"


@pytest.fixture
def secret(tmp_path) -> Path:
    path = tmp_path / "environ"
    path.write_text(SECRET + "\n", encoding="utf-8")
    return path


def test_a_document_that_is_a_link_outside_is_an_error_at_the_file(content, secret):
    folder = with_document(content, "environ.pdf")
    (folder / "environ.pdf").symlink_to(secret)
    code, output = check(content)
    assert code == 1
    assert ("content/meetings/2021/2021-03-10-scrutiny/environ.pdf:1: environ.pdf is a symbolic link: "
            "commit the file itself") in output
    code, output, site = build(content)
    assert code == 1 and SECRET.encode() not in published_bytes(site)


def test_a_link_to_proc_environ_is_never_read(content):
    folder = with_document(content, "environ.pdf")
    (folder / "environ.pdf").symlink_to("/proc/self/environ")
    code, output, site = build(content)
    assert code == 1 and "is a symbolic link" in output
    assert not site.exists()


def test_a_meeting_folder_that_is_a_link_is_an_error(content, tmp_path):
    outside = tmp_path / "etc"
    outside.mkdir()
    (outside / "passwd").write_text(SECRET, encoding="utf-8")
    with_document(content, "passwd.txt").rmdir()
    (content / MEETING.with_suffix("")).symlink_to(outside, target_is_directory=True)
    (outside / "passwd.txt").write_text(SECRET, encoding="utf-8")
    code, output = check(content)
    assert code == 1
    assert (
        "content/meetings/2021/2021-03-10-scrutiny:1: 2021-03-10-scrutiny is a symbolic link: commit the folder itself"
        in output
    )
    code, output, site = build(content)
    assert code == 1 and SECRET.encode() not in published_bytes(site)


def test_a_link_inside_the_content_folder_is_refused_too(content):
    """Even to a file of the content itself: what a link points to can change unseen."""
    folder = with_document(content, "report.pdf")
    (folder / "real.pdf").write_bytes(b"%PDF-1.4\n")
    (folder / "report.pdf").symlink_to("real.pdf")
    code, output = check(content)
    assert code == 1 and "report.pdf is a symbolic link" in output


def test_a_meeting_file_that_is_a_link_to_dev_zero_is_an_error_not_a_memory_error(content):
    (content / "meetings/2021/2021-04-10-scrutiny.md").symlink_to("/dev/zero")
    code, output = check(content)
    assert code == 1
    assert "content/meetings/2021/2021-04-10-scrutiny.md:1: 2021-04-10-scrutiny.md is a symbolic link" in output
    assert "MemoryError" not in output


def test_a_fifo_is_an_error_and_never_blocks(content):
    os.mkfifo(content / "committees" / "cabinet.yml")
    code, output = check(content)  # run_cli's timeout fails the test if reading blocks
    assert code == 1
    assert "content/committees/cabinet.yml:1: cabinet.yml is a named pipe (FIFO), not a file" in output


def test_reading_never_follows_a_link_even_when_the_walk_missed_it(content, secret):
    """The loader's own reads refuse links (O_NOFOLLOW), whatever the walk of the folder saw."""
    from site_gen import safefiles
    link = content / "committees" / "cabinet.yml"
    link.symlink_to(secret)
    with pytest.raises(safefiles.UnsafeFile, match="symbolic link"):
        safefiles.read_limited(link, 1000)  # O_NOFOLLOW alone
    with pytest.raises(safefiles.UnsafeFile):
        safefiles.read_limited(link, 1000, content)
    with pytest.raises(safefiles.UnsafeFile, match="outside the content folder"):
        safefiles.read_limited(secret, 1000, content)


def test_a_meeting_file_over_the_size_limit_is_an_error(content):
    from site_gen.safefiles import MEETING_FILE_LIMIT
    padding = ("Members discussed the report at length.\n" * (MEETING_FILE_LIMIT // 40 + 10))
    (content / MEETING).write_text(MEETING_TEXT + padding, encoding="utf-8")
    code, output = check(content)
    assert code == 1
    assert "content/meetings/2021/2021-03-10-scrutiny.md:1: the file is larger than 5 MB" in output


def test_a_yaml_file_over_the_size_limit_is_an_error(content):
    (content / "committees" / "scrutiny.yml").write_text("name: Scrutiny\ndescription: " + "x" * (1024 * 1024 + 1),
                                                         encoding="utf-8")
    code, output = check(content)
    assert code == 1 and "content/committees/scrutiny.yml:1: the file is larger than 1 MB" in output


# -- documents are documents ----------------------------------------------------------------

def test_real_documents_of_each_kind_are_published(content):
    import io
    import zipfile

    from site_gen import safefiles
    folder = with_document(content, "report.pdf")
    (folder / "report.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    assert safefiles.document_problem(folder / "report.pdf") is None
    samples = {
        "old.doc": safefiles.OLE + b"\0" * 100,
        "figures.csv": "Quarter,Actual\r\nQ1,48.5\r\n".encode("cp1252"),
        "notes.txt": "Notes – plain text\n".encode("utf-8"),
        "photo.jpg": b"\xff\xd8\xff\xe0\0\x10JFIF",
        "chart.png": b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
        "plan.gif": b"GIF89a\x01\0\x01\0",
        "plan.webp": b"RIFF\x24\0\0\0WEBPVP8 ",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    samples["paper.docx"] = buffer.getvalue()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    samples["budget.ods"] = buffer.getvalue()
    for name, data in samples.items():
        (folder / name).write_bytes(data)
        assert safefiles.document_problem(folder / name) is None, name
    # the same bytes under another kind's name are refused
    (folder / "paper.xlsx").write_bytes(samples["paper.docx"])
    assert safefiles.document_problem(folder / "paper.xlsx") is not None
    (folder / "budget.odt").write_bytes(samples["budget.ods"])
    assert safefiles.document_problem(folder / "budget.odt") is not None
    code, output, site = build(content)
    assert code == 0, output
    assert (site / "meetings/2021/2021-03-10-scrutiny/report.pdf").read_bytes().startswith(b"%PDF")


def test_netlify_serves_meeting_documents_sandboxed_and_never_sniffed(tmp_path):
    """Every document of a built site gets a sandbox policy and nosniff; no page does."""
    from conftest import FIXTURE_CONTENT, build_into
    site = build_into(FIXTURE_CONTENT, tmp_path / "_site", with_search=False)
    rules = [(rule["for"], rule["values"]) for rule in CONFIG["headers"]]

    def headers(path: str) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for pattern, values in rules:
            if netlify_matches(pattern, path):
                for name, value in values.items():
                    found.setdefault(name, []).append(" ".join(value.split()))
        return found

    documents = [p for p in site.glob("meetings/*/*/*") if p.name not in ("index.html", "meeting.json")]
    assert documents, "the fixture site has no meeting documents"
    for document in documents:
        sent = headers("/" + document.relative_to(site).as_posix())
        assert "sandbox" in sent["Content-Security-Policy"], document
        assert sent["X-Content-Type-Options"][0] == "nosniff"
    for page in site.glob("meetings/*/*/index.html"):
        url = "/" + page.parent.relative_to(site).as_posix() + "/"
        assert "sandbox" not in headers(url)["Content-Security-Policy"], url


# -- bounded YAML and Markdown ------------------------------------------------------------

@pytest.mark.parametrize("depth", [2_000, 100_000])
def test_deeply_nested_yaml_is_an_error_not_a_crash(content, depth):
    text = MEETING_TEXT.replace(
        "    title: Apologies\n", f"    title: Apologies\n    report_of: {'[' * depth}{']' * depth}\n"
    )
    (content / MEETING).write_text(text, encoding="utf-8")
    code, output = check(content)
    assert code == 1, output  # a crash of the process would be -11 (139 from a shell)
    assert "content/meetings/2021/2021-03-10-scrutiny.md:10: lists and blocks are nested more than" in output


def test_unclosed_nesting_is_an_error_not_a_crash(content):
    (content / "committees" / "scrutiny.yml").write_text("name: " + "{a: " * 100_000 + "\n", encoding="utf-8")
    code, output = check(content)
    assert code == 1 and "content/committees/scrutiny.yml:1:" in output


def test_aliases_nested_through_anchors_are_bounded():
    from site_gen import yamlio
    text = "a0: &a0 [x]\n" + "".join(f"a{i + 1}: &a{i + 1} [*a{i}]\n" for i in range(200))
    with pytest.raises(yamlio.YamlProblem, match="nested more than"):
        yamlio.parse(text)
    # a few aliases, as a clerk might use them, are fine
    assert yamlio.parse("a: &x {name: A}\nb: *x\nc: [*x, *x]\n")["c"][1] == {"name": "A"}


@pytest.mark.parametrize("depth", [2_000, 100_000])
def test_deeply_nested_markdown_builds(content, depth):
    text = MEETING_TEXT.replace("None.\n", "[" * depth + "\n\n" + "> " * depth + "x\n\n" + "- " * depth + "x\n")
    (content / MEETING).write_text(text, encoding="utf-8")
    code, output, site = build(content)
    assert code == 0, output
    assert (site / "meetings/2021/2021-03-10-scrutiny/index.html").is_file()


def test_the_sentence_around_a_mention_is_the_one_found_before():
    """The bisecting search gives what the old scan of the whole paragraph gave."""
    from site_gen.markdown import _SENTENCE_END_RE, _Sentences

    def reference(text: str, position: int) -> str:
        start, end = 0, len(text)
        for boundary in _SENTENCE_END_RE.finditer(text):
            if boundary.end() <= position:
                start = boundary.end()
            elif boundary.start() > position:
                end = boundary.start()
                break
        return " ".join(text[start:end].split())

    generator = random.Random(7)
    words = ["CFSE.29", "rose.", "Members", "asked", "(about", "it).", "Why?", "It", "fell!", "“Quote.”", "3.5", "A"]
    for _ in range(300):
        text = " ".join(generator.choice(words) for _ in range(generator.randint(1, 60)))
        sentences = _Sentences(text)
        for position in range(len(text)):
            assert sentences.around(position) == reference(text, position), (text, position)


def test_a_paragraph_with_thousands_of_mentions_lists_short_sentences():
    """20,000 mentions in one paragraph without a full stop: each sentence is cut to its surroundings
    (the whole paragraph, 20,000 times over, would be quadratic in time and in the page's size)."""
    from site_gen.codes import CodeIndex
    from site_gen.markdown import SENTENCE_CONTEXT, MarkdownRenderer
    from site_gen.models import Indicator, Source
    indicator = Indicator(code="CFSE.29", title="Care leavers", portfolio=None, priority=None, unit=None,
                          polarity="none", aliases=(), description=None, values=(), source=Source("x", 1))
    renderer = MarkdownRenderer(CodeIndex({"CFSE.29": indicator}))
    rendered = renderer.render(" ".join(f"CFSE.29 item {i}" for i in range(20_000)))
    assert len(rendered.mentions) == 20_000
    assert all(len(m.sentence) <= 2 * SENTENCE_CONTEXT + 4 for m in rendered.mentions)
    assert rendered.mentions[10_000].sentence.startswith("… ") and "item 10000" in rendered.mentions[10_000].sentence
    assert rendered.mentions[0].sentence.startswith("CFSE.29 item 0 ")


def test_splitting_a_meeting_of_many_items_keeps_every_section_and_reports_repeats():
    from site_gen.content import ContentLoader
    from site_gen.models import Item
    from site_gen.problems import Report
    items = [Item(number=i, title=f"Item {i}", line=1) for i in range(1, 20_001)]
    body = "".join(f"## {i}. Item {i}\n\nMinutes of {i}.\n\n" for i in range(1, 20_001)) + "## 7. Item 7\n\nAgain.\n"
    report = Report()
    preamble, minutes = ContentLoader(BASE, report).split_sections("x.md", body, 1, items)
    assert len(minutes) == 20_000 and minutes[12_345].markdown == "Minutes of 12345.\n"
    assert [p.message for p in report.problems] == ["item 7 has two sections (first at line 25)"]


# -- check passing means the build passes ----------------------------------------------------

def test_full_width_digits_are_not_an_indicator_code(content):
    text = MEETING_TEXT.replace("Members asked about ED.1.", "Members asked about ED４１ and ED４２, and ED.1.")
    (content / MEETING).write_text(text, encoding="utf-8")
    assert check(content)[0] == 0
    code, output, site = build(content)
    assert code == 0, output


# -- headings and block scalars -----------------------------------------------------------------

@pytest.mark.parametrize("heading", ["##2. Performance report", "# 2. Performance report", "#2 Performance report"])
def test_a_heading_that_looks_like_an_items_is_a_warning_naming_it(content, heading):
    text = MEETING_TEXT.replace("## 2. Performance report", heading)
    (content / MEETING).write_text(text, encoding="utf-8")
    result = run_cli("check", "--strict", "--content", str(content), cwd=content.parent)
    assert result.returncode == 1
    assert (f"content/meetings/2021/2021-03-10-scrutiny.md:23: warning: `{heading}` looks like the heading of "
            "item 2 (Performance report) but is not one") in result.stdout


def test_a_lookalike_heading_in_fenced_code_or_for_no_item_is_no_warning(content):
    text = MEETING_TEXT.replace("None.\n", "None.\n\n```\n# 2. in code\n```\n\n# 2021 in review\n")
    (content / MEETING).write_text(text, encoding="utf-8")
    result = run_cli("check", "--strict", "--content", str(content), cwd=content.parent)
    assert result.returncode == 0, result.stdout


def test_an_indented_rule_inside_a_block_scalar_is_text(content):
    text = MEETING_TEXT.replace(
        "    decision: That the report be noted.\n",
        "    decision: |\n      That the report be noted.\n      ---\n      ...\n      And more.\n",
    )
    (content / MEETING).write_text(text, encoding="utf-8")
    assert check(content)[0] == 0


# -- no control characters out, no injection on the terminal -----------------------------------

def test_check_never_prints_a_workflow_command_or_a_terminal_escape(content):
    text = MEETING_TEXT.replace('time: "18:00"\n', 'time: "18:00\\n::warning file=README.md,line=1::Injected"\n')
    (content / MEETING).write_text(text, encoding="utf-8")
    (content / "committees" / "bad\x1b[2J.yml").write_text("name: X\n", encoding="utf-8")
    env = {**os.environ, "GITHUB_ACTIONS": "true"}
    result = run_cli("check", "--content", str(content), cwd=content.parent, env=env)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    commands = [line for line in lines if line.startswith("::")]
    # the annotations check prints on purpose, one per problem, and nothing else
    assert len(commands) == len([line for line in lines if line.startswith("content/")]) > 0
    assert all(re.match(r"^::(error|warning) file=content/", line) for line in commands), commands
    assert "\x1b" not in result.stdout
    assert "bad\\x1b[2J.yml" in result.stdout


def test_feeds_and_pages_carry_no_control_characters_from_elsewhere():
    """Text that is not a content file (a commit subject) reaches feeds and pages with its
    control characters removed: the feed stays well-formed XML."""
    from site_gen import feeds
    from site_gen.render import make_environment, page_bytes
    feed = feeds.build_feed(feed_id="urn:x", title="Changes \x0b\x1b[2J", self_url="/feed.xml", alternate_url="/",
                            author="Council", language="en-GB",
                            entries=[{"id": "urn:y", "title": "Fix \x00typo\x0c", "url": "/", "updated":
                                      "2024-01-01T00:00:00+00:00", "html": "<p>a\x08b</p>"}])
    document = xml.dom.minidom.parseString(feed)
    assert document.getElementsByTagName("title")[1].firstChild.data == "Fix typo"
    html = page_bytes(make_environment().from_string("<p>{{ text }}</p>"), {"text": "A \x0b B\x1b"})
    assert html == b"<p>A  B</p>"


def test_the_site_has_no_control_characters_anywhere(tmp_path):
    from conftest import build_into
    site = build_into(ROOT / "content", tmp_path / "_site", with_search=False)
    control = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json", ".ics", ".csv", ".txt"):
            assert not control.search(path.read_bytes()), path


def test_a_document_replaced_by_a_web_page_of_the_same_size_is_checked_again(content):
    """The load cache keys a meeting on its documents' kind, size and time: new bytes are checked again."""
    folder = with_document(content, "report.pdf")
    pdf = b"%PDF-1.4\n% a report\n"
    (folder / "report.pdf").write_bytes(pdf)
    out = content.parent / "_site"
    first = run_cli("--content", str(content), "--out", str(out), cwd=content.parent)
    assert first.returncode == 0, first.stderr
    page = b"<script>alert(1)</script>"[:len(pdf)].ljust(len(pdf))
    (folder / "report.pdf").write_bytes(page)
    second = run_cli("--content", str(content), "--out", str(out), cwd=content.parent)
    assert second.returncode == 1
    assert "`report.pdf` is named like a PDF but its contents are not" in second.stderr
    assert (out / "meetings/2021/2021-03-10-scrutiny/report.pdf").read_bytes() == pdf
