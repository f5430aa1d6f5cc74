"""The clerks' guide's table of messages is the text the tools print.

Section 7 of docs/clerks-guide.md lists every message a content file can give. Each
message documented there must be one that is printed (by a case of
tests/fixtures/invalid/, whose expected.txt test_invalid_content.py checks, or by the
git-repository and build tests named below), word for word with `…` standing for the
parts that name the clerk's values; and every message a case prints is documented.
"""
from __future__ import annotations

import re

import pytest
from conftest import ROOT
from invalid_sites import INVALID, cases

GUIDE = ROOT / "docs" / "clerks-guide.md"
PROBLEM_RE = re.compile(r"^[^:\s]+:\d+: (?:warning: )?(.*)$")
CODE_SPAN_RE = re.compile(r"(`+)[ ]?(.+?)[ ]?\1(?!`)")

# printed where a fixture folder cannot show them, each asserted word for word by its test
ELSEWHERE = {
    # tests/test_commit_check.py::test_a_document_left_on_the_computer_stops_the_commit
    "content/meetings/2022/2022-11-02-children-families-scrutiny/report.pdf is not committed: "
    "git add content/meetings/2022/2022-11-02-children-families-scrutiny/",
    # tests/test_drafts.py::test_a_draft_with_errors_is_left_out_and_the_rest_publishes
    "left out: draft with errors (2 errors)",
    # tests/test_security.py: links, pipes and sizes cannot be kept in a fixture folder
    "environ.pdf is a symbolic link: commit the file itself",
    "2021-03-10-scrutiny is a symbolic link: commit the folder itself",
    "cabinet.yml is a named pipe (FIFO), not a file",
    "the file is larger than 5 MB, the most the build reads",
    "the file is larger than 1 MB, the most the build reads",
    "`##2. Performance report` looks like the heading of item 2 (Performance report) but is not one",
}


def guide_messages() -> list[str]:
    """The message column of each table of section 7, but for the commands' own messages."""
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index("## 7. What each message means")
    end = text.index("### Messages of the commands themselves", start)
    messages = []
    for line in text[start:end].splitlines():
        if not line.startswith("| ") or line.startswith(("| message", "| ---")):
            continue
        cell = line.split(" | ")[0][2:]
        messages += [span for _, span in CODE_SPAN_RE.findall(cell)]
    return messages


def printed_messages() -> list[str]:
    printed = set(ELSEWHERE)
    for case in cases():
        for line in (INVALID / case / "expected.txt").read_text(encoding="utf-8").splitlines():
            match = PROBLEM_RE.match(line)
            if match:
                printed.add(match.group(1))
    return sorted(printed)


def pattern(message: str) -> re.Pattern:
    """`…` stands for any part naming the clerk's values. The guide may quote a message's
    beginning only (`` `actual` must be a number `` for "…, not text"), never other words."""
    return re.compile("".join(".+?" if part == "…" else re.escape(part) for part in re.split("(…)", message))
                      + r"(?:$|[,;:(] .*$| \(.*$)")


def test_the_guide_documents_messages():
    assert len(guide_messages()) > 40


@pytest.mark.parametrize("message", guide_messages())
def test_each_message_in_the_guide_is_printed(message):
    found = [printed for printed in printed_messages() if pattern(message).match(printed)]
    assert found, f"the guide documents `{message}`, which nothing prints"


@pytest.mark.parametrize("printed", printed_messages())
def test_each_printed_message_is_in_the_guide(printed):
    assert any(pattern(message).match(printed) for message in guide_messages()), \
        f"`{printed}` is printed but the clerks' guide (section 7) does not explain it"
