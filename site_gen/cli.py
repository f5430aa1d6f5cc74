"""The command line: `python build.py [build|check|serve|new|init] ...`.

Exit status: 0 built / no errors, 1 content errors, 2 wrong usage.
"""
from __future__ import annotations

import argparse
import gc
import sys
import time

from . import pipeline
from .console import BUILD_WARNINGS, print_annotations, print_problems  # noqa: F401  (the command line's, imported from here)
from .console import plural as _plural

COMMANDS = ("build", "check", "serve", "new", "init", "import")


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="python build.py",
        description="Build the minutes archive from content/ into _site/.",
        epilog="Commands: build (the default), check, serve, new, init, import. "
               "`python build.py COMMAND --help` for each.",
    )
    commands = main.add_subparsers(dest="command", metavar="COMMAND")
    build = commands.add_parser("build", help="build the site (the default)")
    _common(build)
    build.add_argument("--out", default="_site", help="output folder (default: _site)")
    _require_history(build)
    build.add_argument("--noindex", action="store_true",
                       help="keep search engines out of this build (Netlify deploy previews): writes _headers")
    _cache_options(build)
    build.add_argument("--timings", action="store_true", help="print how long each stage took")
    build.add_argument("--verbose", action="store_true",
                       help=f"print every warning (by default: the first {BUILD_WARNINGS}, then a count)")
    check = commands.add_parser("check", help="validate the content only; print every problem")
    _common(check)
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    _require_history(check)
    _cache_options(check)
    check.add_argument("--all", action="store_true",
                       help="print every problem (by default: those of the files you changed, then a count)")
    scope = check.add_mutually_exclusive_group()
    scope.add_argument("--staged", action="store_true",
                       help="check what is being committed (the pre-commit hook): warnings fail only on the "
                            "lines the commit changes")
    scope.add_argument("--since", metavar="REF",
                       help="check a branch (a pull request): warnings fail only on the lines changed since REF")
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
    serve.add_argument("--cms", action="store_true",
                       help="also open the clerks' editing screen at /admin/ on this repository, without an account "
                            "(runs decap-server on 127.0.0.1:8081; needs node and `npm ci`)")
    _cache_options(serve)
    new = commands.add_parser("new", help="start a new meeting file")
    new.add_argument("--content", default="content", help="content folder (default: content)")
    new.add_argument("--committee", required=True, help="the committee's slug, e.g. children-families-scrutiny")
    new.add_argument("--date", required=True, help="the meeting's date, YYYY-MM-DD")
    init = commands.add_parser("init", help="start a council's own, empty archive (asks for what is not given)")
    init.add_argument("--content", default="content", help="the folder to write, empty or new (default: content)")
    init.add_argument("--council", help="the council's name, e.g. Example Borough Council")
    init.add_argument("--title", help="the archive's title (default: '<council> minutes')")
    init.add_argument("--base-url", help="where the archive is published, e.g. https://minutes.example-council.gov.uk")
    init.add_argument("--repository-url", help="the repository's page on GitHub or GitLab (optional)")
    from .importer import options as import_options
    import_options.add_arguments(commands.add_parser("import", help="bring an existing archive in (from ModernGov)"))
    return main


def _common(command: argparse.ArgumentParser) -> None:
    command.add_argument("--content", default="content", help="content folder (default: content)")
    command.add_argument("--drafts", action="store_true", help="include draft meetings")


def _require_history(command: argparse.ArgumentParser) -> None:
    command.add_argument("--require-history", action="store_true",
                         help="fail unless the content is in a git repository with its whole history "
                              "(CI, Netlify: a shallow clone would publish the minutes without their history)")


def history_missing(args) -> bool:
    """With --require-history: say in one line why the history is missing, if it is."""
    if not args.require_history:
        return False
    from .history import missing
    reason = missing(args.content)
    if reason:
        print(f"error: --require-history: {reason}", file=sys.stderr)
    return reason is not None


def _cache_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--cache", metavar="DIR", default=None,
                         help="cache folder (default: .cache beside the output folder, or for check beside the "
                              "content folder; always safe to delete)")
    command.add_argument("--no-cache", dest="use_cache", action="store_false",
                         help="do everything from scratch, without reading or writing the cache")


def _scope(args, repository):
    """The change to report on: what is being committed (--staged), what a branch changes (--since),
    or what the clerk has changed and not yet committed (git status). None outside git."""
    from .gitscope import GitUnavailable
    if repository is None:
        return None
    try:
        if args.staged:
            return repository.staged_scope()
        if args.since:
            return repository.since_scope(args.since)
        return repository.worktree_scope()
    except GitUnavailable:
        return None


def run_check(args) -> int:
    if history_missing(args):
        return 1
    from .gitscope import GitUnavailable, Repository, staged_folder
    try:
        repository = Repository(args.content)
    except GitUnavailable as exc:
        repository = None
        if args.staged or args.since:
            print(f"error: {'--staged' if args.staged else '--since'} needs the content folder to be in a git "
                  f"repository ({exc})", file=sys.stderr)
            return 2
    content, worktree, cache_dir = args.content, None, args.cache
    if args.staged:
        assert repository is not None  # without one, --staged was refused above
        try:
            content = repository.export_index(staged_folder(repository))
        except GitUnavailable as exc:
            print(f"error: cannot read what is being committed: {exc}", file=sys.stderr)
            return 2
        worktree = (repository.content, f"{repository.prefix}/" if repository.prefix else "")
        cache_dir = cache_dir or str(staged_folder(repository).parent / "staged-cache")
    scope = _scope(args, repository)
    result = pipeline.check(content, include_drafts=True, cache_dir=cache_dir, use_cache=args.use_cache,
                            worktree=worktree)
    if args.strict:
        from .initialise import warn_placeholder
        warn_placeholder(args.content, result)
    if args.strict and result.linked is not None and not result.linked.archive.site.licence_stated:
        site = result.linked.archive.site
        result.report.warning(site.source.path, 1, f"`licence` is not set: the open data says it is published "
                              f"under the {site.licence}",
                              f"add `licence: {site.licence}` to site.yml, or the licence the council uses "
                              f"(with `licence_url`)")
    changed = args.staged or args.since
    # a plain check puts first what the clerk changed in the archive's own content folder (at the
    # top of its repository); with nothing changed there is nothing to put first
    nested = repository is not None and repository.prefix.count("/")
    show_all = bool(args.all or scope is None or (not changed and (not scope.files or nested)))
    print_problems(result.report, sys.stdout, args.strict, scope=scope, show_all=show_all,
                   more="`python build.py check --all` lists them")
    warnings = result.report.warnings
    if args.strict_for is not None:
        scope_files = {path.replace("\\", "/") for path in args.strict_for}
        warnings = [w for w in warnings if w.path in scope_files]
    failing = warnings if args.strict else []
    if changed and scope is not None and not args.strict:
        failing = [w for w in warnings if scope.touches(w.path, w.line)]
        if failing and not result.report.errors:
            one = len(failing) == 1
            print(f"{_plural(len(failing), 'warning')} on lines {scope.what} {'counts' if one else 'count'} as "
                  f"{'an error' if one else 'errors'} here: fix {'it' if one else 'them'}, or ask for help")
    if result.report.errors or failing:
        return 1
    if not result.report.problems:
        meetings = len(result.linked.archive.meetings) if result.linked else 0
        print(f"{args.content}: no problems found ({_plural(meetings, 'meeting')})")
    return 0


# what a build made, when the process ends after it: freed by the process's end (build.py), not
# object by object as the command returns
_KEPT_UNTIL_EXIT: list = []


def run_build(args, process_exits: bool = False) -> int:
    # the whole command, reporting included: with the collector back on, the first allocations
    # after the build (sorting its warnings) paid for a pass over every object of the archive
    with pipeline.collector_paused():
        status, result = _run_build(args)
        if process_exits:
            # and so did the first allocation after it (0.4 s for 4,000 meetings): what the build
            # made is set aside from the collector, which the ending process no longer needs
            _KEPT_UNTIL_EXIT.append(result)
            gc.freeze()
        return status


def _run_build(args) -> tuple[int, pipeline.Result | None]:
    from .writer import output_problem

    if problem := output_problem(args.out, args.content):
        print(f"error: {problem}", file=sys.stderr)
        return 2, None
    if history_missing(args):
        return 1, None
    started = time.perf_counter()
    timings: dict[str, float] = {}
    result = pipeline.build(args.content, args.out, include_drafts=args.drafts, noindex=args.noindex,
                            cache_dir=args.cache, use_cache=args.use_cache, timings=timings)
    if result.cache_notice:
        print(f"note: the build cache was not used: {result.cache_notice}; building everything", file=sys.stderr)
    print_problems(result.report, sys.stderr, limit=None if args.verbose else BUILD_WARNINGS,
                   more="`python build.py --verbose` lists them all")
    for notice in result.notices:
        print(notice, file=sys.stderr)
    if result.report.errors:
        print(f"Nothing was written: {args.out}/ is unchanged.", file=sys.stderr)
        return 1, result
    if result.failure:
        print(f"error: {result.failure}", file=sys.stderr)
        print(f"Nothing was written: {args.out}/ is unchanged.", file=sys.stderr)
        return 1, result
    meetings = len(result.linked.meetings) if result.linked else 0
    print(f"Built {_plural(meetings, 'meeting')} into {args.out}/ in {time.perf_counter() - started:.1f}s "
          f"({_plural(result.files_written, 'file')} written, {result.files_kept} unchanged)")
    if args.timings:
        for stage, seconds in timings.items():
            print(f"  {stage}: {seconds:.2f}s (peak memory so far {result.peaks.get(stage, 0)} MB)")
        shards, pagefind_kb = result.search_index
        print(f"  search shards indexed: {shards}")
        print(f"  peak memory: build {pipeline.peak_memory_mb()} MB, Pagefind {pagefind_kb // 1024} MB")
    return 0, result


def main(argv: list[str] | None = None, process_exits: bool = False) -> int:
    """The command line; `process_exits`: the process ends when this returns (build.py)."""
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
        if args.command == "import":
            from .importer import command as import_command
            return import_command.run(args)
        if args.command == "new":
            from . import scaffold
            return scaffold.run(args)
        if args.command == "init":
            from . import initialise
            return initialise.run(args)
        return run_build(args, process_exits)
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # the disk or the system, not the content: one plain line, no traceback
        from .writer import plain_os_error
        doing = f"running `python build.py {args.command or 'build'}`"
        print(f"error: {plain_os_error(exc, doing)}", file=sys.stderr)
        return 1
