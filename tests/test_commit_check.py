"""The commit check and the pull-request check, in real git repositories.

A clerk follows the clerks' guide to the letter: `new`, fill in the file, add a PDF, the
guide's `git add` lines, commit (the pre-commit hook runs, as `.pre-commit-config.yaml`
says), then a fresh clone builds, as CI and Netlify do. The usual slips (the PDF not added,
a portfolio deleted that meetings name) are stopped by the hook with the exact message.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

GUIDE = ROOT / "docs" / "clerks-guide.md"
MEETING = "content/meetings/2022/2022-11-02-children-families-scrutiny"
OLD_WARNINGS = "content/meetings/2022/2022-09-07-children-families-scrutiny.md"  # six warnings, as the guide says


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, GIT_AUTHOR_NAME="Clerk", GIT_AUTHOR_EMAIL="clerk@example.gov.uk",
               GIT_COMMITTER_NAME="Clerk", GIT_COMMITTER_EMAIL="clerk@example.gov.uk")
    env.pop("GITHUB_ACTIONS", None)
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env=env, timeout=300)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def cli(repo: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ if env is None else env)
    return subprocess.run([sys.executable, "build.py", *args], cwd=repo, capture_output=True, text=True,
                          env=env, timeout=300)


def hook_entry() -> str:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hook = next(h for repo in config["repos"] for h in repo["hooks"] if h["id"] == "check-content")
    return hook["entry"]


@pytest.fixture
def repo(tmp_path) -> Path:
    """The project as a clerk's clone: code, sample content, and the commit check installed."""
    repo = tmp_path / "archive"
    repo.mkdir()
    for name in ("build.py", "requirements.txt", ".gitignore", ".pre-commit-config.yaml"):
        shutil.copy(ROOT / name, repo / name)
    for folder in ("site_gen", "templates", "assets", "schemas", "content"):
        shutil.copytree(ROOT / folder, repo / folder, ignore=shutil.ignore_patterns("__pycache__"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "The archive")
    # what `pre-commit install` does, without its own environment: run the hook's entry before each commit
    entry = hook_entry()
    assert entry.startswith("python build.py ")
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text(f"#!/bin/sh\nexec \"{sys.executable}\" build.py {entry[len('python build.py '):]}\n",
                    encoding="utf-8")
    hook.chmod(0o755)
    return repo


def guide_steps(section: str) -> list[str]:
    """The commands a section of the clerks' guide tells the clerk to type."""
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index(section)
    end = min(text.find(marker, start + 1) % (len(text) + 1) for marker in ("\n### ", "\n## "))
    return [line[2:] for line in text[start:end].splitlines() if line.startswith("$ ")]


def write_meeting(repo: Path) -> None:
    """Step 2 of the guide: the file `new` started, filled in, with a PDF in the meeting's folder."""
    path = repo / f"{MEETING}.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("    title:  # TODO: the item's title, as on the agenda, in quotes",
                        '    title: "Care Leavers in Education, Employment and Training"\n'
                        "    documents:\n"
                        '      - title: "Report of the Director"\n'
                        "        file: report.pdf")
    text = text.replace("TODO: the minutes of item 1", "The Committee considered the report")
    path.write_text(text, encoding="utf-8")
    (repo / MEETING).mkdir()
    (repo / MEETING / "report.pdf").write_bytes(b"%PDF-1.4\n% the Director's report\n")
    # Step 4: ready to publish
    path.write_text(path.read_text(encoding="utf-8").replace("status: draft", "status: unconfirmed"), encoding="utf-8")


def run_step(repo: Path, command: str) -> subprocess.CompletedProcess:
    words = command.split(" ", 3)
    if words[0] == "python":
        return cli(repo, *command.split()[2:])
    assert words[:2] == ["git", "add"], command
    return git(repo, "add", words[2])


def test_a_clerk_following_the_guide_commits_what_a_fresh_clone_builds(repo, tmp_path):
    new = guide_steps("### Step 1: start the file with `new`")[0]
    assert cli(repo, *new.split()[2:]).returncode == 0
    write_meeting(repo)
    steps = guide_steps("### Step 4: publish")
    adds = [step for step in steps if step.startswith("git add")]
    assert adds == [f"git add {MEETING}.md", f"git add {MEETING}/"], "the guide adds the file and its folder"
    for step in adds:
        run_step(repo, step)
    commit = git(repo, "commit", "-q", "-m", "Minutes of 2 November 2022")  # the hook runs here
    # what the guide shows the hook printing, word for word
    printed = (
        "… and 6 more warnings in 1 file this commit does not change (`python build.py check --all` lists them)\n"
        "0 errors, 6 warnings in 1 file\n"
    )
    assert commit.stderr.endswith(printed)
    assert printed in GUIDE.read_text(encoding="utf-8")
    clone = tmp_path / "fresh"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    built = cli(clone, "--out", "_site")
    assert built.returncode == 0, built.stderr
    assert (clone / "_site" / "meetings" / "2022" / "2022-11-02-children-families-scrutiny" / "report.pdf").is_file()


def test_a_document_left_on_the_computer_stops_the_commit(repo, tmp_path):
    new = guide_steps("### Step 1: start the file with `new`")[0]
    assert cli(repo, *new.split()[2:]).returncode == 0
    write_meeting(repo)
    git(repo, "add", f"{MEETING}.md")  # the meeting's file only: report.pdf stays untracked
    commit = git(repo, "commit", "-q", "-m", "Minutes of 2 November 2022", check=False)
    assert commit.returncode != 0
    line = next(n for n, text in enumerate((repo / f"{MEETING}.md").read_text().splitlines(), 1)
                if text.strip() == "file: report.pdf")
    assert f"{MEETING}.md:{line}: {MEETING}/report.pdf is not committed: git add {MEETING}/" in commit.stderr
    assert git(repo, "log", "--oneline").stdout.count("\n") == 1  # nothing was committed
    # the working folder is fine: only what is committed was wrong
    assert cli(repo, "check").returncode == 0
    # the guide's own example prints exactly this message
    guide = GUIDE.read_text(encoding="utf-8")
    assert f"{MEETING}/report.pdf is not committed: git add {MEETING}/" in guide
    git(repo, "add", f"{MEETING}/")
    git(repo, "commit", "-q", "-m", "Minutes of 2 November 2022")


def test_a_misspelt_document_name_gets_the_name_in_the_folder(repo):
    assert cli(repo, "new", "--committee", "children-families-scrutiny", "--date", "2022-11-02").returncode == 0
    write_meeting(repo)
    path = repo / f"{MEETING}.md"
    path.write_text(path.read_text().replace("file: report.pdf", "file: reprot.pdf"))
    git(repo, "add", f"{MEETING}.md", f"{MEETING}/")
    result = cli(repo, "check", "--staged")
    assert result.returncode == 1
    assert f"the document `reprot.pdf` is not in {MEETING}/\n    hint: did you mean `report.pdf`?" in result.stdout


def test_a_commit_that_only_deletes_a_file_is_checked(repo):
    git(repo, "rm", "-q", "content/portfolios/children-families-education.yml")
    commit = git(repo, "commit", "-q", "-m", "Remove a portfolio", check=False)
    assert commit.returncode != 0
    assert "unknown portfolio `children-families-education`" in commit.stderr
    # the working folder has it deleted too: check agrees
    assert cli(repo, "check").returncode == 1


def test_the_hook_checks_the_index_not_the_working_folder(repo):
    path = repo / OLD_WARNINGS
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("status: approved", "status: aproved"), encoding="utf-8")
    git(repo, "add", OLD_WARNINGS)
    path.write_text(good, encoding="utf-8")  # fixed on disk, but the mistake is what would be committed
    result = cli(repo, "check", "--staged")
    assert result.returncode == 1
    assert "`aproved` is not" in result.stdout


def test_warnings_fail_only_on_the_lines_the_change_touched(repo):
    """A one-line correction in a file with six old warnings passes, and prints them."""
    path = repo / OLD_WARNINGS
    lines = path.read_text(encoding="utf-8").split("\n")
    asked = next(i for i, text in enumerate(lines) if "is asked to review" in text)
    lines[asked] = lines[asked].replace("is asked to review", "was asked to review")
    path.write_text("\n".join(lines), encoding="utf-8")
    git(repo, "add", OLD_WARNINGS)
    result = cli(repo, "check", "--staged")
    assert result.returncode == 0, result.stdout
    assert result.stdout.count(": warning: ") == 6  # the hook prints the warnings it passes
    assert result.stdout.splitlines()[-1] == "0 errors, 6 warnings in 1 file"
    git(repo, "commit", "-q", "-m", "Correct the venue")

    # a warning on a line the change touched fails
    targets = next(i for i, text in enumerate(lines) if "targets for attainment" in text)
    lines[targets] = lines[targets] + " CFSE.99 too."
    path.write_text("\n".join(lines), encoding="utf-8")
    git(repo, "add", OLD_WARNINGS)
    result = cli(repo, "check", "--staged")
    assert result.returncode == 1
    assert (f"{OLD_WARNINGS}:{targets + 1}: warning: indicator `CFSE.99` is mentioned but not defined"
            in result.stdout)
    assert "1 warning on lines this commit changes counts as an error here: fix it, or ask for help" in result.stdout


def test_the_pull_request_check_applies_the_same_rule(repo):
    git(repo, "checkout", "-q", "-b", "correction")
    path = repo / OLD_WARNINGS
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("is asked to review", "was asked to review", 1), encoding="utf-8")
    git(repo, "commit", "-qam", "A resident's correction")
    result = cli(repo, "check", "--since", "main")
    assert result.returncode == 0, result.stdout
    # GitHub: the change's own problems first, the rest summed up in one notice
    env = dict(os.environ, GITHUB_ACTIONS="true")
    path.write_text(path.read_text(encoding="utf-8").replace(
        "### Priority Two", "Members also asked about CFSE.98 and CFSE.99.\n\n### Priority Two", 1), encoding="utf-8")
    git(repo, "commit", "--no-verify", "-qam", "A change with two new warnings")  # made on GitHub: no hook
    result = cli(repo, "check", "--since", "main", env=env)
    assert result.returncode == 1
    commands = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert [re.match(r"::(\w+)", c).group(1) for c in commands] == ["warning", "warning", "notice"]
    assert "CFSE.98" in commands[0] and "CFSE.99" in commands[1]
    assert commands[2].startswith("::notice::6 more warnings in 1 file, on lines this change did not touch")


def test_check_puts_the_files_the_clerk_changed_first(repo):
    path = repo / "content/meetings/2020/2020-12-09-children-families-scrutiny.md"
    path.write_text(path.read_text(encoding="utf-8").replace("## 5", "Members asked about CFSE.77.\n\n## 5", 1),
                    encoding="utf-8")
    result = cli(repo, "check")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("content/meetings/2020/2020-12-09-children-families-scrutiny.md:")
    assert "indicator `CFSE.77` is mentioned but not defined" in lines[0]
    assert lines[2] == ("… and 6 more warnings in 1 file you have not changed "
                        "(`python build.py check --all` lists them)")
    assert lines[3] == "0 errors, 7 warnings in 2 files"
    everything = cli(repo, "check", "--all")
    assert everything.stdout.count(": warning: ") == 7


def test_a_build_prints_a_screenful_of_warnings(repo):
    path = repo / "content/meetings/2020/2020-12-09-children-families-scrutiny.md"
    codes = " ".join(f"CFSE.{n}." for n in range(70, 82))
    path.write_text(path.read_text(encoding="utf-8").replace("## 5", f"{codes}\n\n## 5", 1), encoding="utf-8")
    result = cli(repo, "--out", "_site")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count(": warning: ") == 10
    assert "… and 8 more warnings (`python build.py --verbose` lists them all)" in result.stderr
    assert "0 errors, 18 warnings in 2 files" in result.stderr
    verbose = cli(repo, "--out", "_site", "--verbose")
    assert verbose.stderr.count(": warning: ") == 18


def test_a_new_committee_file_left_out_of_the_commit_is_named(repo):
    (repo / "content/committees/audit.yml").write_text('name: "Audit Committee"\n', encoding="utf-8")
    meeting = repo / "content/meetings/2022/2022-10-05-audit.md"
    meeting.write_text("---\ncommittee: audit\ndate: 2022-10-05\nitems:\n  - number: 1\n    title: Apologies\n---\n",
                       encoding="utf-8")
    git(repo, "add", "content/meetings/2022/2022-10-05-audit.md")
    result = cli(repo, "check", "--staged")
    assert result.returncode == 1
    assert ("content/meetings/2022/2022-10-05-audit.md:2: content/committees/audit.yml is not committed: "
            "git add content/committees/audit.yml") in result.stdout.splitlines()
