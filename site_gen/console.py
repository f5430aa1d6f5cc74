"""Problems printed for a person (a terminal) or for CI (GitHub's annotations): shared by the
command line and the preview server, which imports nothing else of the command line."""
from __future__ import annotations

import os

from .problems import ERROR, Report

BUILD_WARNINGS = 10  # a build prints at most this many warnings (a screenful, with their hints)


def print_problems(report: Report, stream, strict: bool = False, scope=None, show_all: bool = True,
                   limit: int | None = None, more: str = "") -> None:
    """Every problem as FILE:LINE: message, then the counts.

    With a `scope` (the files and lines a change touched) and not `show_all`: the problems of the
    changed files first, then the errors elsewhere (they fail whatever changed), then one line
    counting the warnings in the other files. `limit`: at most that many warnings (a build's
    screenful), then one line counting the rest; `more` says how to see them all."""
    problems = report.sorted()
    shown, rest = problems, []
    if scope is not None and not show_all:
        mine = [p for p in problems if scope.touches_file(p.path)]
        elsewhere = [p for p in problems if not scope.touches_file(p.path)]
        shown = mine + [p for p in elsewhere if p.severity == ERROR]
        rest = [p for p in elsewhere if p.severity != ERROR]
    if limit is not None:  # the first `limit` warnings (with every error), in order; the others counted
        kept, cut, warnings = [], [], 0
        for problem in shown:
            if problem.severity != ERROR:
                warnings += 1
                if warnings > limit:
                    cut.append(problem)
                    continue
            kept.append(problem)
        shown, rest = kept, rest + cut
    for problem in shown:
        print(problem.format(), file=stream)
    if rest:
        files = len({p.path for p in rest})
        where = f"in {plural(files, 'file')} {scope.other}" if scope is not None and limit is None else ""
        print(f"… and {plural(len(rest), 'more warning')}{' ' + where if where else ''} ({more})", file=stream)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        print_annotations(problems, stream, scope)
    errors = len(report.errors)
    warning_count = len(report.warnings)
    if errors or warning_count:
        files = len({p.path for p in problems})
        summary = f"{plural(errors, 'error')}, {plural(warning_count, 'warning')} in {plural(files, 'file')}"
        if strict and warning_count:
            summary += " (--strict: warnings count as errors)"
        print(summary, file=stream)


def print_annotations(problems, stream, scope=None) -> None:
    """GitHub shows only ten annotations of a kind per step: the change's own problems first, then
    errors elsewhere (they fail too), and the rest summed up in one notice."""
    if scope is None:
        own, others = problems, []
    else:
        own = [p for p in problems if scope.touches(p.path, p.line)]
        others = [p for p in problems if not scope.touches(p.path, p.line)]
    for problem in own + [p for p in others if p.severity == ERROR]:
        print(problem.github_annotation(), file=stream)
    rest = [p for p in others if p.severity != ERROR]
    if rest:
        files = len({p.path for p in rest})
        print(f"::notice::{plural(len(rest), 'more warning')} in {plural(files, 'file')}, on lines this change "
              "did not touch (they do not fail this check; `python build.py check --all` lists them)", file=stream)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
