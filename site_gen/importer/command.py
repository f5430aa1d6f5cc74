"""`python build.py import moderngov --url URL ...`: the run and its summary (its options: options.py)."""
from __future__ import annotations

import re
import sys
from pathlib import Path

from .client import Client
from .moderngov import Abort, Importer, Options, Progress


def run(args, client: Client | None = None, out=None, err=None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    if not re.match(r"^https?://[^\s/]+", args.url):
        print(f"error: --url must be the portal's web address, starting with https://, not `{args.url}`", file=err)
        return 2
    if args.delay < 0:
        print("error: --delay cannot be negative", file=err)
        return 2
    if args.end and args.end < args.start:
        print("error: --to is before --from", file=err)
        return 2
    options = Options(url=args.url, committee=args.committee, start=args.start, end=args.end,
                      content=Path(args.content), download_documents=args.download_documents,
                      overwrite=args.overwrite)
    importer = Importer(options, client or Client(delay=args.delay), Progress(err))
    try:
        summary = importer.run()
    except Abort as exc:
        print(f"error: {exc}", file=err)
        return 1
    except KeyboardInterrupt:
        importer.state.save()
        print("\nInterrupted: what was imported is kept; run the same command again to go on.", file=err)
        return 130
    s = summary
    print(f"Imported from {importer.portal} in {s.seconds:.1f}s: {len(s.created)} created, {len(s.updated)} updated, "
          f"{len(s.unchanged)} unchanged, {len(s.skipped)} skipped, {len(s.errors)} not read", file=out)
    for title, paths in (("Created", s.created), ("Updated", s.updated)):
        if paths:
            print(f"{title}:", file=out)
            for path in paths:
                print(f"  {path}", file=out)
    if s.skipped:
        print("Skipped:", file=out)
        for what, why in s.skipped:
            print(f"  {what}: {why}", file=out)
    if s.warnings:
        print("Parts of pages that could not be read (the rest of each page was imported):", file=out)
        for url, part in s.warnings:
            print(f"  warning: {url}: {part}", file=out)
    if s.errors:
        print("Pages that could not be read (run the import again to retry them):", file=out)
        for url, reason in s.errors:
            print(f"  error: {url}: {reason}", file=out)
    from .. import pipeline
    from ..console import print_problems
    result = pipeline.check(args.content, include_drafts=True, use_cache=False)
    if result.report.problems:
        print(f"`check` on {args.content}:", file=out)
        print_problems(result.report, out)
    if result.report.errors:
        return 1
    if s.created or s.updated:
        print(f"Ready to commit: git add {args.content} && git commit -m \"Import {len(s.created) + len(s.updated)} "
              f"files from {importer.portal}\"", file=out)
    return 1 if s.errors else 0
