"""The command line: `python build.py [build|check|serve|new] ...`.

Exit status: 0 built / no errors, 1 content errors, 2 wrong usage.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

from . import pipeline
from .problems import Report

COMMANDS = ("build", "check", "serve", "new")


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="python build.py",
        description="Build the minutes archive from content/ into _site/.",
        epilog="Commands: build (the default), check, serve, new. `python build.py COMMAND --help` for each.",
    )
    commands = main.add_subparsers(dest="command", metavar="COMMAND")
    build = commands.add_parser("build", help="build the site (the default)")
    _common(build)
    build.add_argument("--out", default="_site", help="output folder (default: _site)")
    build.add_argument("--noindex", action="store_true",
                       help="keep search engines out of this build (Netlify deploy previews): writes _headers")
    _cache_options(build)
    build.add_argument("--timings", action="store_true", help="print how long each stage took")
    check = commands.add_parser("check", help="validate the content only; print every problem")
    _common(check)
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    _cache_options(check)
    check.add_argument("--strict-for", nargs="*", metavar="FILE", default=None,
                       help="with --strict: only warnings in these files fail (e.g. the files a pull request "
                            "changes), so old warnings elsewhere do not block new work")
    serve = commands.add_parser("serve", help="build, serve on 127.0.0.1 and rebuild on change")
    _common(serve)
    serve.add_argument("--out", default="_site", help="output folder (default: _site)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    # a clerk previews their draft: serve includes drafts (marked "Draft") unless told not to
    serve.add_argument("--no-drafts", dest="drafts", action="store_false",
                       help="leave draft meetings out, as the published site does (default: include them)")
    serve.set_defaults(drafts=True)
    _cache_options(serve)
    new = commands.add_parser("new", help="start a new meeting file")
    new.add_argument("--content", default="content", help="content folder (default: content)")
    new.add_argument("--committee", required=True, help="the committee's slug, e.g. children-families-scrutiny")
    new.add_argument("--date", required=True, help="the meeting's date, YYYY-MM-DD")
    return main


def _common(command: argparse.ArgumentParser) -> None:
    command.add_argument("--content", default="content", help="content folder (default: content)")
    command.add_argument("--drafts", action="store_true", help="include draft meetings")


def _cache_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--cache", metavar="DIR", default=None,
                         help="cache folder (default: .cache beside the output folder, or for check beside the "
                              "content folder; always safe to delete)")
    command.add_argument("--no-cache", dest="use_cache", action="store_false",
                         help="do everything from scratch, without reading or writing the cache")


def print_problems(report: Report, stream, strict: bool = False) -> None:
    problems = report.sorted()
    for problem in problems:
        print(problem.format(), file=stream)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for problem in problems:
            print(problem.github_annotation(), file=stream)
    errors = len(report.errors)
    warnings = len(report.warnings)
    if errors or warnings:
        files = len({p.path for p in problems})
        summary = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')} in {_plural(files, 'file')}"
        if strict and warnings:
            summary += " (--strict: warnings count as errors)"
        print(summary, file=stream)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def run_check(args) -> int:
    result = pipeline.check(args.content, include_drafts=True, cache_dir=args.cache, use_cache=args.use_cache)
    print_problems(result.report, sys.stdout, args.strict)
    warnings = result.report.warnings
    if args.strict_for is not None:
        scope = {path.replace("\\", "/") for path in args.strict_for}
        warnings = [w for w in warnings if w.path in scope]
    if result.report.errors or (args.strict and warnings):
        return 1
    if not result.report.problems:
        meetings = len(result.linked.archive.meetings) if result.linked else 0
        print(f"{args.content}: no problems found ({_plural(meetings, 'meeting')})")
    return 0


def run_build(args) -> int:
    from .writer import output_problem

    if problem := output_problem(args.out, args.content):
        print(f"error: {problem}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    timings: dict[str, float] = {}
    result = pipeline.build(args.content, args.out, include_drafts=args.drafts, noindex=args.noindex,
                            cache_dir=args.cache, use_cache=args.use_cache, timings=timings)
    if result.cache_notice:
        print(f"note: the build cache was not used: {result.cache_notice}; building everything", file=sys.stderr)
    print_problems(result.report, sys.stderr)
    for notice in result.notices:
        print(notice, file=sys.stderr)
    if result.report.errors:
        print(f"Nothing was written: {args.out}/ is unchanged.", file=sys.stderr)
        return 1
    if result.failure:
        print(f"error: {result.failure}", file=sys.stderr)
        print(f"Nothing was written: {args.out}/ is unchanged.", file=sys.stderr)
        return 1
    meetings = len(result.linked.meetings)
    print(f"Built {_plural(meetings, 'meeting')} into {args.out}/ in {time.perf_counter() - started:.1f}s "
          f"({_plural(result.files_written, 'file')} written, {result.files_kept} unchanged)")
    if args.timings:
        for stage, seconds in timings.items():
            print(f"  {stage}: {seconds:.2f}s (peak memory so far {result.peaks.get(stage, 0)} MB)")
        shards, pagefind_kb = result.search_index
        print(f"  search shards indexed: {shards}")
        print(f"  peak memory: build {pipeline.peak_memory_mb()} MB, Pagefind {pagefind_kb // 1024} MB")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv.insert(0, "build")
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # argparse: 2 for wrong usage, 0 for --help
        return int(exc.code or 0)
    try:
        if args.command == "check":
            return run_check(args)
        if args.command == "serve":
            from . import serve
            return serve.run(args)
        if args.command == "new":
            from . import scaffold
            return scaffold.run(args)
        return run_build(args)
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # the disk or the system, not the content: one plain line, no traceback
        from .writer import plain_os_error
        doing = f"running `python build.py {args.command or 'build'}`"
        print(f"error: {plain_os_error(exc, doing)}", file=sys.stderr)
        return 1
