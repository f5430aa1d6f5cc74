#!/usr/bin/env python3
"""Time the preview server's rebuild after one edited meeting: `python bench/serve_rebuild.py CONTENT OUT K`.

Run by bench/run.py in a process of its own. It makes the preview server's `Preview` (drafts
included, as `python build.py serve` does), builds once as the server does when it starts,
then K times adds a paragraph to a different recent meeting and times `Preview.rebuild()`:
the call the server's file watcher makes, with its cache kept in memory. No HTTP and no file
watching (watchfiles' 800 ms debounce is the same for every build tool, and not the build's).
Prints the K times in seconds, as JSON.
"""
from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from run import add_paragraph, recent  # noqa: E402

from site_gen.serve import Preview  # noqa: E402


def main() -> None:
    content, out, runs = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    log = io.StringIO()
    preview = Preview(content, out, include_drafts=True, stream=log, cache_dir=out.parent / "serve-cache")
    if not preview.rebuild():
        sys.exit(f"the preview's first build failed:\n{log.getvalue()[-2000:]}")
    meetings = sorted((content / "meetings").glob("*/*.md"))
    # other meetings than the command line's edits (bench/run.py edits recent(meetings, runs))
    edited = recent(meetings, 2 * runs)[1::2]
    seconds = []
    for run, meeting in enumerate(edited, 1):
        add_paragraph(meeting, 1000 + run)
        started = time.perf_counter()
        ok = preview.rebuild()
        seconds.append(time.perf_counter() - started)
        if not ok:
            sys.exit(f"the preview's rebuild failed:\n{log.getvalue()[-2000:]}")
    print(json.dumps(seconds))


if __name__ == "__main__":
    main()
