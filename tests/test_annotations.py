"""Under GitHub Actions, `check` prints each problem as a workflow command, so that it
shows as an annotation on the pull request's changed line.

The syntax (GitHub's "Workflow commands for GitHub Actions", and @actions/core's
toCommandValue/escapeData/escapeProperty):
    ::error file={name},line={line}::{message}
    ::warning file={name},line={line}::{message}
In the message, % CR LF are written %25 %0D %0A; in a property, : and , also
as %3A and %2C.
"""
from __future__ import annotations

import os
import re
import shutil

import pytest

from conftest import run_cli
from invalid_sites import assemble, cases

from site_gen.problems import ERROR, WARNING, Problem

COMMAND = re.compile(r"^::(?P<kind>error|warning)(?: (?P<props>[^:]*))?::(?P<message>.*)$")


def unescape(text: str) -> str:
    return re.sub(r"%(25|0D|0A|3A|2C)", lambda m: {"25": "%", "0D": "\r", "0A": "\n", "3A": ":", "2C": ","}[m.group(1)],
                  text)


def parse(line: str) -> dict:
    """A workflow command read as the runner reads it."""
    match = COMMAND.match(line)
    assert match, f"not a workflow command: {line!r}"
    assert "\n" not in line and "\r" not in line
    props = {}
    for pair in (match.group("props") or "").split(","):
        key, _, value = pair.partition("=")
        props[key] = unescape(value)
    return {"kind": match.group("kind"), **props, "message": unescape(match.group("message"))}


def test_an_error_and_a_warning():
    error = Problem("content/meetings/2021/2021-03-10-scrutiny.md", 2, "unknown committee `scrutiny-committee`",
                    "did you mean `scrutiny`?", ERROR)
    assert error.github_annotation() == ("::error file=content/meetings/2021/2021-03-10-scrutiny.md,line=2::"
                                         "unknown committee `scrutiny-committee` (hint: did you mean `scrutiny`?)")
    warning = Problem("content/indicators/PI.1.yml", 7, "`X` looks like a misspelt indicator code", None, WARNING)
    assert warning.github_annotation() == ("::warning file=content/indicators/PI.1.yml,line=7::"
                                           "`X` looks like a misspelt indicator code")


def test_special_characters_are_escaped():
    problem = Problem("content/odd: name, here%.md", 12, "100% wrong:\r\nsecond line, with: colons", "a\nb")
    line = problem.github_annotation()
    assert line == ("::error file=content/odd%3A name%2C here%25.md,line=12::"
                    "100%25 wrong:%0D%0Asecond line, with: colons (hint: a%0Ab)")
    parsed = parse(line)
    assert parsed == {"kind": "error", "file": "content/odd: name, here%.md", "line": "12",
                      "message": "100% wrong:\r\nsecond line, with: colons (hint: a\nb)"}


def run_check(content_parent, github: bool):
    env = {**os.environ}
    env.pop("GITHUB_ACTIONS", None)
    if github:
        env["GITHUB_ACTIONS"] = "true"
    # run from the folder holding content/, as CI runs from the repository's root
    return run_cli("check", "--content", "content", cwd=content_parent, env=env)


@pytest.mark.parametrize("case", ["unknown-committee", "yaml-tab", "duplicate-item-numbers", "bad-email"])
def test_check_under_github_actions_annotates_every_problem_at_its_file_and_line(tmp_path, case):
    content = assemble(case, tmp_path)
    plain = run_check(tmp_path, github=False)
    annotated = run_check(tmp_path, github=True)
    assert plain.returncode == annotated.returncode == 1
    assert "::" not in "".join(line[:2] for line in plain.stdout.splitlines())  # only under GitHub Actions

    problems = re.findall(r"^(\S+?):(\d+): (warning: )?(.*)$", plain.stdout, re.MULTILINE)
    commands = [parse(line) for line in annotated.stdout.splitlines() if line.startswith("::")]
    assert problems and len(commands) == len(problems)
    for (path, line, warning, message), command in zip(problems, commands):
        assert command["kind"] == ("warning" if warning else "error")
        assert (command["file"], command["line"]) == (path, line)
        assert command["message"].startswith(message)
        # the path is the file's path from the repository root: what GitHub matches to the diff
        assert (tmp_path / command["file"]).is_file() or command["file"] == "content"
    # the human-readable report is still there, unchanged
    assert plain.stdout in annotated.stdout or all(l in annotated.stdout for l in plain.stdout.splitlines())


def test_every_invalid_case_gives_well_formed_commands(tmp_path):
    for case in cases():
        root = tmp_path / case
        assemble(case, root)
        result = run_check(root, github=True)
        lines = [line for line in result.stdout.splitlines() if line.startswith("::")]
        assert lines, f"{case}: no annotation"
        for line in lines:
            command = parse(line)
            assert command["file"].startswith("content") and int(command["line"]) >= 1, (case, line)
        shutil.rmtree(root)
