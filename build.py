#!/usr/bin/env python3
"""Build the council minutes archive. See README.md, or run `python build.py --help`."""
import os
import sys

from site_gen.cli import main

if __name__ == "__main__":
    status = main(process_exits=True)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a reader that went away (`| head`): nothing more to say to it
        pass
    # ended here, without the interpreter's teardown: it would free, one object at a time, the
    # millions the build made (a tenth of a second for 4,000 meetings), memory the process is
    # about to give back whole; nothing of ours waits for it (files are written and closed, the
    # worker pools joined)
    os._exit(status)
