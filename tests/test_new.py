"""`python build.py new`: a pre-filled draft that passes `check` once its TODOs are filled."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import SAMPLE_CONTENT, read_page, run_cli

from site_gen.content import ATTENDEE_KEYS, ITEM_KEYS, MEETING_KEYS

NEW_FILE = "meetings/2022/2022-11-02-children-families-scrutiny.md"


@pytest.fixture
def content(tmp_path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, copy)
    return copy


def new(content: Path, committee: str, date: str):
    return run_cli("new", "--content", str(content), "--committee", committee, "--date", date)


def fill_todos(text: str) -> str:
    """What a clerk does: write a title where it says TODO, and the minutes."""
    text = re.sub(r"title:\s*# TODO.*", 'title: "Budget Monitoring 2022/23"', text)
    text = re.sub(r"^TODO: the minutes.*$", "The Committee noted the report.", text, flags=re.MULTILINE)
    assert not [line for line in text.splitlines() if "TODO" in line and not line.lstrip().startswith("#")]
    return text


def problems_for(output: str, path_end: str) -> list[str]:
    return [line for line in output.splitlines() if path_end in line]


def test_new_writes_a_commented_draft_that_passes_check_once_filled(content, tmp_path):
    result = new(content, "children-families-scrutiny", "2022-11-02")
    assert result.returncode == 0, result.stderr
    path = content / NEW_FILE
    assert result.stdout.splitlines()[0] == path.as_posix()  # prints its path first
    text = path.read_text(encoding="utf-8")
    assert "\nstatus: draft\n" in text
    assert "\ncommittee: children-families-scrutiny\n" in text and "\ndate: 2022-11-02\n" in text

    # every field of the format is in the file, with a note above it (or a commented example)
    lines = text.splitlines()
    for key in (*MEETING_KEYS, *ATTENDEE_KEYS, *ITEM_KEYS):
        at = [i for i, line in enumerate(lines) if re.match(rf"^\s*(#\s*)?(- )?{key}:", line)]
        assert at, f"`{key}` is not in the new file"
        assert lines[at[0] - 1].lstrip().startswith("#") or lines[at[0]].lstrip().startswith("#"), \
            f"`{key}` has no note explaining it"

    # as written, `check` points at the TODO line
    todo_line = next(i for i, line in enumerate(lines, 1) if "title:" in line and "TODO" in line)
    check = run_cli("check", "--content", str(content))
    assert check.returncode == 1
    assert f"{NEW_FILE}:{todo_line}: `title` is empty in an item" in check.stdout

    path.write_text(fill_todos(text), encoding="utf-8")
    check = run_cli("check", "--content", str(content))
    assert check.returncode == 0, check.stdout
    assert problems_for(check.stdout, NEW_FILE) == []

    # a draft: on the preview with --drafts, marked Draft; absent without
    with_drafts = run_cli("build", "--content", str(content), "--out", str(tmp_path / "drafts"), "--drafts")
    assert with_drafts.returncode == 0, with_drafts.stderr
    page = read_page(tmp_path / "drafts", "/meetings/2022/2022-11-02-children-families-scrutiny/")
    assert "Budget Monitoring 2022/23" in page.get_text()
    assert page.select(".tag--draft, .notice--draft")
    published = run_cli("build", "--content", str(content), "--out", str(tmp_path / "site"))
    assert published.returncode == 0, published.stderr
    assert not (tmp_path / "site" / "meetings/2022/2022-11-02-children-families-scrutiny").exists()


def test_new_refuses_to_overwrite(content):
    assert new(content, "children-families-scrutiny", "2022-11-02").returncode == 0
    path = content / NEW_FILE
    path.write_text(path.read_text(encoding="utf-8") + "\nThe clerk's own words.\n", encoding="utf-8")
    before = path.read_bytes()
    again = new(content, "children-families-scrutiny", "2022-11-02")
    assert again.returncode == 1
    assert "already exists" in again.stderr and NEW_FILE in again.stderr
    assert path.read_bytes() == before
    # nor an existing meeting of the sample archive
    existing = content / "meetings/2022/2022-09-07-children-families-scrutiny.md"
    before = existing.read_bytes()
    assert new(content, "children-families-scrutiny", "2022-09-07").returncode == 1
    assert existing.read_bytes() == before


STANDING_SITE = {
    "site.yml": "title: Minutes\norganisation: Example Council\nbase_url: https://example.org\nlanguage: en-GB\n",
    "committees/scrutiny.yml": "name: Scrutiny Committee\n",
    "committees/cabinet.yml": "name: Cabinet\n",
    "meetings/2023/2023-01-10-scrutiny.md": """---
committee: scrutiny
date: 2023-01-10
time: "18:00"
venue: "Committee Room 2, Town Hall"
status: unconfirmed
attendees:
  chair: Councillor Ann Green (Chair)
  members: [Councillor Bob Brown, "Councillor Cy Black"]
items:
  - {number: 1, title: Apologies}
  - {number: 2, title: Minutes, decision: "That the minutes of 1 December 2022 be approved."}
  - {number: 3, title: Declarations of Interest}
  - {number: 4, title: Budget Monitoring, decision: Noted.}
  - {number: 5, title: Library Opening Hours}
  - {number: 6, title: Scrutiny Work Programme}
---
## 4. Budget Monitoring

Discussed.
""",
    # an older meeting with other items: `new` copies from the latest one before the date
    "meetings/2022/2022-12-01-scrutiny.md": """---
committee: scrutiny
date: 2022-12-01
items:
  - {number: 1, title: Urgent Business}
  - {number: 2, title: Parks}
---
""",
}


def write_site(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_new_copies_the_standing_items_of_the_previous_meeting(tmp_path):
    content = write_site(tmp_path / "content", STANDING_SITE)
    result = new(content, "scrutiny", "2023-02-14")
    assert result.returncode == 0, result.stderr
    assert "Apologies, Minutes, Declarations of Interest, Scrutiny Work Programme" in result.stdout
    # the previous minutes are unconfirmed: remind the clerk to approve them
    assert "approved_on: 2023-02-14" in result.stdout and "2023-01-10-scrutiny.md" in result.stdout
    path = content / "meetings/2023/2023-02-14-scrutiny.md"
    text = path.read_text(encoding="utf-8")
    numbered = re.findall(r"- number: (\d+)\n(?:\s+#.*\n)*\s+title: +(.*)", text)
    assert numbered == [("1", '"Apologies"'), ("2", '"Minutes"'), ("3", '"Declarations of Interest"'),
                        ("4", "# TODO: the item's title, as on the agenda, in quotes"),
                        ("5", '"Scrutiny Work Programme"')]
    assert (
        'decision: "That the minutes of the meeting held on 10 January 2023 be approved as a correct record."' in text
    )
    assert 'time: "18:00"' in text and 'venue: "Committee Room 2, Town Hall"' in text
    assert 'chair: "Councillor Ann Green (Chair)"' in text and '- "Councillor Cy Black"' in text
    assert "Budget Monitoring" not in text and "Library" not in text  # business items are not copied
    for heading in ("## 1. Apologies", "## 2. Minutes", "## 3. Declarations of Interest", "## 4.",
                    "## 5. Scrutiny Work Programme"):
        assert f"\n{heading}\n" in text

    path.write_text(fill_todos(text), encoding="utf-8")
    check = run_cli("check", "--content", str(content))
    assert check.returncode == 0, check.stdout
    assert problems_for(check.stdout, "2023-02-14-scrutiny.md") == []


def test_new_for_a_committee_with_no_meetings_yet(tmp_path):
    content = write_site(tmp_path / "content", STANDING_SITE)
    result = new(content, "cabinet", "2023-03-01")
    assert result.returncode == 0, result.stderr
    assert "first meeting" in result.stdout
    path = content / "meetings/2023/2023-03-01-cabinet.md"
    path.write_text(fill_todos(path.read_text(encoding="utf-8")), encoding="utf-8")
    check = run_cli("check", "--content", str(content))
    assert check.returncode == 0, check.stdout


@pytest.mark.parametrize("committee, date, message", [
    ("scrutny", "2023-02-14", "unknown committee `scrutny`: did you mean `scrutiny`?"),
    ("planning", "2023-02-14", "unknown committee `planning`"),
    ("scrutiny", "14/02/2023", "--date must be written YYYY-MM-DD"),
    ("scrutiny", "2023-02-30", "is not a real date"),
    ("scrutiny", "2023-2-3", "--date must be written YYYY-MM-DD"),
    # the archive keeps meetings in a folder per four-digit year: year 1 made meetings/1/
    ("scrutiny", "0001-01-01", "--date 0001-01-01 is not a date of a meeting: the year must be between 1900 and 2999"),
    ("scrutiny", "1899-12-31", "the year must be between 1900 and 2999"),
    ("scrutiny", "3000-01-01", "the year must be between 1900 and 2999"),
])
def test_new_explains_wrong_usage(tmp_path, committee, date, message):
    content = write_site(tmp_path / "content", STANDING_SITE)
    before = sorted(p.relative_to(content) for p in content.rglob("*"))
    result = new(content, committee, date)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    if "committee" in message:
        assert "scrutiny  (Scrutiny Committee)" in result.stderr and "cabinet  (Cabinet)" in result.stderr
    assert sorted(p.relative_to(content) for p in content.rglob("*")) == before


def test_new_needs_its_arguments_and_a_content_folder(tmp_path):
    missing = run_cli("new", "--content", str(tmp_path), "--date", "2023-01-01")
    assert missing.returncode == 2 and "--committee" in missing.stderr
    nowhere = run_cli("new", "--content", str(tmp_path / "nope"), "--committee", "x", "--date", "2023-01-01")
    assert nowhere.returncode == 2 and "no content folder" in nowhere.stderr
    assert "Traceback" not in nowhere.stderr


@pytest.mark.parametrize("title, standing", [
    ("Apologies", True), ("Apologies for Absence", True), ("Minutes", True),
    ("Minutes of the Previous Meeting", True), ("Confirmation of Minutes", True),
    ("Declarations of Interest", True), ("Declarations of Pecuniary Interests", True),
    ("Chair's Announcements", True), ("Chair’s Announcements", True), ("Public Question Time", True),
    ("Urgent Business", True), ("Call-in", True), ("Scrutiny Work Programme", True), ("Forward Plan", True),
    ("Agenda Planning", True), ("Date of Next Meeting", True), ("Any Other Business", True),
    ("Portfolio Performance and Resources - Mid-Year Report 2020/21", False),
    ("Minutes of the Health and Wellbeing Board", False), ("Budget Monitoring", False),
    ("Interest Rates and Treasury Management", False),
])
def test_which_items_are_standing(title, standing):
    from site_gen.scaffold import is_standing
    assert is_standing(title) is standing
