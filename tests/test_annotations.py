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

import io
import os
import re

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
    assemble(case, tmp_path)  # tmp_path/content
    plain = run_check(tmp_path, github=False)
    annotated = run_check(tmp_path, github=True)
    assert plain.returncode == annotated.returncode == 1
    assert not [line for line in plain.stdout.splitlines() if line.startswith("::")]  # only under GitHub Actions

    problems = re.findall(r"^(\S+?):(\d+): (warning: )?(.*)$", plain.stdout, re.MULTILINE)
    commands = [parse(line) for line in annotated.stdout.splitlines() if line.startswith("::")]
    assert problems and len(commands) == len(problems)
    for (path, line, warning, message), command in zip(problems, commands, strict=True):
        assert command["kind"] == ("warning" if warning else "error")
        assert (command["file"], command["line"]) == (path, line)
        assert command["message"].startswith(message)
        # the path is the file's path from the repository root: what GitHub matches to the diff
        assert (tmp_path / command["file"]).is_file() or command["file"] == "content"
    # the human-readable report is still there, unchanged
    assert [line for line in annotated.stdout.splitlines() if not line.startswith("::")] == plain.stdout.splitlines()


def test_every_invalid_case_gives_well_formed_commands(tmp_path, monkeypatch):
    from site_gen import pipeline
    from site_gen.cli import print_problems

    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    for case in cases():
        content = assemble(case, tmp_path / case)
        stream = io.StringIO()
        print_problems(pipeline.check(content).report, stream)
        lines = [line for line in stream.getvalue().splitlines() if line.startswith("::")]
        assert lines, f"{case}: no annotation"
        for line in lines:
            command = parse(line)
            assert command["file"].startswith("content") and int(command["line"]) >= 1, (case, line)


# -- where the annotations come from: the workflows, and the clerk's own pre-commit hook --------

def load_yaml(name: str) -> dict:
    import yaml
    from conftest import ROOT
    data = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
    data["on"] = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` as true
    return data


def commands_of(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_pull_requests_are_checked_with_the_hooks_rule_and_tested():
    workflow = load_yaml(".github/workflows/pull-request.yml")
    assert "pull_request" in workflow["on"]
    runs = {name: commands_of(job) for name, job in workflow["jobs"].items()}
    assert any('python build.py check --since "origin/$BASE_REF" --require-history' in run for run in runs.values())
    # the test suite: on every pull request except a content-only one
    tests = load_yaml(".github/workflows/tests.yml")
    assert tests["on"]["pull_request"]["paths-ignore"] == ["content/**"]
    assert any(".ci/run" in commands_of(job) for job in tests["jobs"].values())
    assert not any(".ci/run" in run or "pytest" in run for run in runs.values())


def test_pushes_to_main_are_built():
    workflow = load_yaml(".github/workflows/build.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    # with --require-history: a checkout without the whole history fails rather than builds without it
    assert any(re.search(r"^python build.py --require-history$", commands_of(job), re.MULTILINE)
               for job in workflow["jobs"].values())


def test_the_pre_commit_hook_runs_check_with_the_pinned_requirements():
    from conftest import ROOT
    config = load_yaml(".pre-commit-config.yaml")
    hooks = [hook for repo in config["repos"] if repo["repo"] == "local" for hook in repo["hooks"]]
    hook = next(hook for hook in hooks if hook["entry"] == "python build.py check --staged")
    assert hook.get("pass_filenames") is False
    # every commit, a deletion-only one too (pre-commit gives a hook no deleted files)
    assert hook.get("always_run") is True and "files" not in hook
    # pre-commit hides a passing hook's output unless told: the warnings it lets pass are printed
    assert hook.get("verbose") is True
    # its own environment: the runtime pins, but for what only `build` and `serve` need
    pins = [line.strip() for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    needed = [pin for pin in pins if not pin.lower().startswith(("pagefind-bin==", "watchfiles=="))]
    assert hook["language"] == "python" and sorted(hook["additional_dependencies"]) == sorted(needed)
